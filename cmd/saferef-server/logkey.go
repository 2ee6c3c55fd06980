package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"

	"github.com/saferef/saferef/crypto/translog"
)

// logKeyFile is the checkpoint signing key's file name in the data
// directory.
const logKeyFile = "log-signing.key"

// loadLogKey reads the transparency log's signing key from path, or, if
// there is no such file, generates one named origin and writes it there
// (mode 0600, never overwriting a file that appeared meanwhile). It
// returns the signer and its verifier key text. It refuses a key file that
// others can read.
func loadLogKey(path, origin string, logger *slog.Logger) (note.Signer, string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, _, gerr := translog.GenerateKey(rand.Reader, origin)
		if gerr != nil {
			return nil, "", gerr
		}
		if err := writeNewFile(path, []byte(skey+"\n")); err != nil {
			return nil, "", fmt.Errorf("create log signing key %s: %w", path, err)
		}
		logger.Info("generated the transparency log signing key", "file", path)
		b = []byte(skey)
	} else if err != nil {
		return nil, "", fmt.Errorf("read log signing key: %w", err)
	} else if fi, serr := os.Stat(path); serr == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, "", fmt.Errorf("log signing key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	signer, vkey, err := translog.ParseSignerKey(string(b))
	if err != nil {
		return nil, "", fmt.Errorf("log signing key %s: %w", path, err)
	}
	return signer, vkey, nil
}

// writeNewFile creates path with data, mode 0600, failing if it exists,
// and syncs it and its directory.
func writeNewFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
