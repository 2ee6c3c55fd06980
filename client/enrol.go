package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/saferef/saferef/client/enrolment"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/vault"
)

// EnrolOptions are the inputs to Enrol.
type EnrolOptions struct {
	Home       string // created with mode 0700; must not already hold a device
	SchemeFile string // the scheme.json handed out by the coordinator
	Relay      string // relay base URL
	Org        crypto.OrgID
	Name       string // the device's display name, e.g. "Priya's laptop"
	Passphrase string // for the device vault; must pass CheckPassphrase
	WorkFactor int    // vault scrypt work factor; 0 means vault.DefaultWorkFactor
	Now        time.Time
	Rand       io.Reader // nil means crypto/rand
	// Offline skips the check that the relay answers and lists the
	// organisation, for a caller that publishes the organisation itself
	// afterwards (the dev-scheme bootstrap).
	Offline bool
}

// Enrolment is the result of Enrol.
type Enrolment struct {
	Device      crypto.DeviceID
	Fingerprint string
	RequestPath string
	Request     *enrolment.Request
	// RelayChecked is true when the relay answered and its directory holds
	// the organisation; otherwise RelayUnchecked says why it could not be
	// checked (the relay could not be reached: enrolling offline is
	// allowed, and the first sync checks again).
	RelayChecked   bool
	RelayUnchecked string
}

// Enrol creates a device home: the scheme copy, the device vault, the
// config and the enrolment request for the organisation admin.
func Enrol(ctx context.Context, o *EnrolOptions) (*Enrolment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := enrolment.CheckDeviceName(o.Name); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if o.Org.IsZero() {
		return nil, errors.New("enrol: no organisation id")
	}
	if _, err := relay.ParseURL(o.Relay); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	scheme, schemeBytes, err := ReadScheme(o.SchemeFile)
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if err := CheckPassphrase(o.Passphrase, o.Name); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	// Check the relay and the organisation before writing anything.
	unchecked := "not checked: enrolled offline"
	if !o.Offline {
		if unchecked, err = checkEnrolRelay(ctx, scheme, o.Relay, o.Org); err != nil {
			return nil, fmt.Errorf("enrol: %w", err)
		}
	}
	wf := o.WorkFactor
	if wf == 0 {
		wf = vault.DefaultWorkFactor
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	if err := makeHome(o.Home); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	secrets, err := crypto.GenerateDeviceSecrets(o.Rand, o.Org, o.Name, now)
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	plain, err := secrets.Marshal()
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if err := vault.Create(filepath.Join(o.Home, VaultFile), plain, o.Passphrase, wf); err != nil {
		return nil, fmt.Errorf("enrol: create device vault: %w", err)
	}
	clear(plain)
	if err := writeFileAtomic(filepath.Join(o.Home, SchemeFile), schemeBytes, 0o644); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	cfg := &Config{Relay: o.Relay, Device: secrets.Device.String(), Org: o.Org.String(), Name: o.Name, Enrol: now.UTC().Truncate(time.Second)}
	cb, err := cfg.Marshal()
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if err := writeSealedHomeFile(secrets.DataKey, o.Home, ConfigFile, cb); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	req, err := enrolment.New(secrets, now)
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	rb, err := req.Marshal()
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	reqPath := filepath.Join(o.Home, EnrolmentRequestFile)
	if err := writeFileAtomic(reqPath, rb, 0o644); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	return &Enrolment{Device: secrets.Device, Fingerprint: req.Fingerprint(), RequestPath: reqPath, Request: req,
		RelayChecked: unchecked == "", RelayUnchecked: unchecked}, nil
}

// makeHome creates home with mode 0700, or accepts an existing directory
// that holds no device yet (tightening its mode).
func makeHome(home string) error {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return fmt.Errorf("create home: %w", err)
	}
	for _, f := range []string{VaultFile, ConfigFile, LegacyConfigFile, CasesFile} {
		if _, err := os.Lstat(filepath.Join(home, f)); err == nil {
			return fmt.Errorf("%w: %s holds %s", ErrHomeExists, home, f)
		}
	}
	if err := os.Chmod(home, 0o700); err != nil {
		return fmt.Errorf("create home: %w", err)
	}
	return nil
}

// ErrOrgNotInDirectory means the relay answered, but its directory has no
// current organisation with the id given to Enrol.
var ErrOrgNotInDirectory = errors.New("the relay's directory has no current organisation with this id")

// checkEnrolRelay dials the relay and reads its directory (public, before
// authentication), verifying every entry against the scheme. It fails when
// the relay answers but is not a relay of this scheme (another log key) or
// does not list the organisation; it returns why it could not check (and no
// error) when the relay cannot be reached.
func checkEnrolRelay(ctx context.Context, scheme *crypto.Scheme, url string, org crypto.OrgID) (unchecked string, err error) {
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := relay.Dial(dctx, url, nil)
	if err != nil {
		if unreachable(dctx, err) {
			return fmt.Sprintf("could not reach the relay at %s (%v)", url, err), nil
		}
		return "", err
	}
	defer c.Close()
	if scheme.LogKey != "" && c.Hello().LogKey != scheme.LogKey {
		return "", fmt.Errorf("the relay at %s serves another scheme's log (log key %q, the scheme names %q): check the relay url", url, c.Hello().LogKey, scheme.LogKey)
	}
	l, err := c.DirectoryLog(dctx, 0)
	if err != nil {
		if retryLater(err) || unreachable(dctx, err) {
			return fmt.Sprintf("the relay at %s could not send its directory (%v)", url, err), nil
		}
		return "", err
	}
	dir := crypto.NewDirectory(scheme)
	for _, e := range l.Entries {
		dir.Add(e.Object, time.Now()) // entries that do not verify are not trusted
	}
	if e, err := dir.Org(org); err != nil || e.Revoked != nil {
		return "", fmt.Errorf("%w: %s at %s", ErrOrgNotInDirectory, org, url)
	}
	return "", nil
}
