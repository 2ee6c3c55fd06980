package vault

import (
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/saferef/saferef/internal/atomicfile"
)

// ErrExists means Create found a file already at the path.
var ErrExists = fs.ErrExist

// writeHooks lets tests interrupt an atomic write; the zero value is the
// real behaviour.
type writeHooks struct {
	beforeRename func(tmp string) error
}

// WriteFile replaces path with file atomically (mode 0600, see
// atomicfile). If it fails or is interrupted, path keeps its old contents.
func WriteFile(path string, file []byte) error {
	return writeFile(path, file, false, writeHooks{})
}

func writeFile(path string, file []byte, exclusive bool, h writeHooks) error {
	w := atomicfile.Writer{Perm: 0o600, Exclusive: exclusive, BeforeRename: h.beforeRename}
	if err := w.Write(path, file); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	return nil
}

// Create seals plaintext under passphrase into a new vault file at path. It
// refuses to overwrite an existing file (ErrExists).
func Create(path string, plaintext []byte, passphrase string, workFactor int) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("create vault %s: %w", path, ErrExists)
	}
	file, err := Seal(plaintext, passphrase, workFactor)
	if err != nil {
		return fmt.Errorf("create vault %s: %w", path, err)
	}
	return writeFile(path, file, true, writeHooks{})
}

// Read opens the vault file at path with passphrase.
func Read(path, passphrase string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read vault: %w", err)
	}
	defer f.Close()
	file, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read vault %s: %w", path, err)
	}
	plain, err := Open(file, passphrase)
	if err != nil {
		return nil, fmt.Errorf("read vault %s: %w", path, err)
	}
	return plain, nil
}

// ChangePassphrase re-encrypts the vault at path under newPass. The old
// file stays in place until the new one is complete and synced, so an
// interruption loses nothing: the vault then opens with one passphrase or
// the other.
func ChangePassphrase(path, oldPass, newPass string, workFactor int) error {
	return changePassphrase(path, oldPass, newPass, workFactor, writeHooks{})
}

func changePassphrase(path, oldPass, newPass string, workFactor int, h writeHooks) error {
	plain, err := Read(path, oldPass)
	if err != nil {
		return fmt.Errorf("change passphrase: %w", err)
	}
	defer clear(plain)
	file, err := Seal(plain, newPass, workFactor)
	if err != nil {
		return fmt.Errorf("change passphrase of %s: %w", path, err)
	}
	if err := writeFile(path, file, false, h); err != nil {
		return fmt.Errorf("change passphrase: %w", err)
	}
	return nil
}
