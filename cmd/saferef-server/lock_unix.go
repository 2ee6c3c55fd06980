//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFile is the lock a serving relay (and restore) holds in the data
// directory, so that a restore cannot swap the store under a running
// relay and two relays never serve one SQLite store.
const lockFile = "relay.lock"

// lockDataDir takes the data directory's lock without waiting, and
// returns its release.
func lockDataDir(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &hintedError{fmt.Errorf("another saferef-server is using %s", dir),
				"stop it first (systemctl stop saferef-server), or use another --data directory"}
		}
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	return func() { f.Close() }, nil
}
