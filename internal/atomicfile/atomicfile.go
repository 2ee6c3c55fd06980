// Package atomicfile writes files so that a crash or a full disk leaves
// either the old contents or the new, never a mix: write a temporary file
// in the same directory, fsync it, rename (or link) it into place, fsync
// the directory.
//
// Every file Saferef writes on a device or in an admin's folder goes
// through it.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Writer writes files atomically. The zero value writes mode 0600 files
// and replaces any file already at the path.
type Writer struct {
	// Perm is the new file's mode (0 means 0600).
	Perm os.FileMode
	// Exclusive refuses to replace an existing file: Write then fails
	// with an error wrapping fs.ErrExist and leaves that file alone.
	Exclusive bool
	// BeforeRename, when set, runs after the temporary file is complete
	// and synced, just before it is put in place; tests use it to stand
	// for a crash. An error from it aborts the write.
	BeforeRename func(tmp string) error
}

// Write replaces path with data atomically and mode 0600.
func Write(path string, data []byte) error {
	return Writer{}.Write(path, data)
}

// WriteNew writes data to path with mode perm, refusing to replace a file
// already there (the error wraps fs.ErrExist).
func WriteNew(path string, data []byte, perm os.FileMode) error {
	return Writer{Perm: perm, Exclusive: true}.Write(path, data)
}

// Write writes data to path as w says. If it fails, path keeps its old
// contents (or stays absent) and no temporary file is left behind.
func (w Writer) Write(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	perm := w.Perm
	if perm == 0 {
		perm = 0o600
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if w.BeforeRename != nil {
		if err := w.BeforeRename(tmpName); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := place(tmpName, path, w.Exclusive); err != nil {
		return err
	}
	if err := SyncDir(dir); err != nil {
		return fmt.Errorf("write %s: sync directory: %w", path, err)
	}
	return nil
}

// place puts the complete temporary file tmp at path.
func place(tmp, path string, exclusive bool) error {
	if !exclusive {
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	// A hard link never replaces an existing file.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("create %s: %w", path, fs.ErrExist)
		}
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := os.Remove(tmp); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}

// SyncDir makes a rename in dir durable. Windows cannot sync a directory;
// there the rename is as durable as the OS makes it.
func SyncDir(dir string) error {
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
