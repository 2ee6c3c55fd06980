package vault

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ErrExists means Create found a file already at the path.
var ErrExists = fs.ErrExist

// writeHooks lets tests interrupt an atomic write; the zero value is the
// real behaviour.
type writeHooks struct {
	beforeRename func(tmp string) error
}

// WriteFile replaces path with file atomically: it writes a temporary file
// in the same directory (mode 0600), fsyncs it, renames it over path and
// fsyncs the directory. If it fails or is interrupted, path keeps its old
// contents.
func WriteFile(path string, file []byte) error {
	return writeFile(path, file, false, writeHooks{})
}

func writeFile(path string, file []byte, exclusive bool, h writeHooks) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write vault %s: %w", path, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("write vault %s: %w", path, err)
	}
	if _, err := tmp.Write(file); err != nil {
		return fmt.Errorf("write vault %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write vault %s: sync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write vault %s: %w", path, err)
	}
	if h.beforeRename != nil {
		if err := h.beforeRename(tmpName); err != nil {
			return fmt.Errorf("write vault %s: %w", path, err)
		}
	}
	if exclusive {
		// A hard link never replaces an existing file.
		if err := os.Link(tmpName, path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("create vault %s: %w", path, ErrExists)
			}
			return fmt.Errorf("create vault %s: %w", path, err)
		}
		if err := os.Remove(tmpName); err != nil {
			return fmt.Errorf("create vault %s: %w", path, err)
		}
	} else if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("write vault %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("write vault %s: sync directory: %w", path, err)
	}
	return nil
}

// syncDir makes a rename in dir durable. Windows cannot sync a directory;
// there the rename is as durable as the OS makes it.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
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
