package devicecore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto/vault"
	"github.com/saferef/saferef/internal/desktop"
)

// Homes opens and enrols device homes with package client. The zero value
// is ready to use.
type Homes struct {
	// Options are passed to client.OpenHomeWith; nil means defaults.
	Options *client.Options
}

var _ desktop.Homes = Homes{}

// Enrolled reports whether home holds a device (its vault).
func (h Homes) Enrolled(home string) (bool, error) {
	_, err := os.Stat(filepath.Join(home, client.VaultFile))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("check device home %s: %w", home, err)
	}
}

// Open unlocks the device in home.
func (h Homes) Open(ctx context.Context, home, passphrase string) (desktop.Core, error) {
	d, err := client.OpenHomeWith(ctx, home, passphrase, h.Options)
	if err != nil {
		return nil, fmt.Errorf("unlock device home: %w", err)
	}
	return New(d), nil
}

// Enrol creates a device home with client.Enrol.
func (h Homes) Enrol(ctx context.Context, o *client.EnrolOptions) (*client.Enrolment, error) {
	e, err := client.Enrol(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("enrol device: %w", err)
	}
	return e, nil
}

// IsWrongPassphrase reports whether err means the passphrase did not open
// the device vault.
func (h Homes) IsWrongPassphrase(err error) bool {
	return errors.Is(err, vault.ErrWrongPassphrase)
}
