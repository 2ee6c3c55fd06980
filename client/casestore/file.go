package casestore

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"
	_ "github.com/ncruces/go-sqlite3/vfs/xts" // registers the "xts" VFS
)

// fileKeyInfo is the HKDF info of the key that encrypts the whole database
// file (AES-256-XTS: two 32-byte keys).
const fileKeyInfo = "saferef/v1/casestore/file-key"

// fileKeySize is the XTS key size: AES-256 for data and tweak.
const fileKeySize = 64

// plainHeader starts every unencrypted SQLite database file.
var plainHeader = []byte("SQLite format 3\x00")

// ErrWrongKey means the database file does not open with this data key:
// it belongs to another device, or it is damaged.
var ErrWrongKey = errors.New("case store does not open with this device's key")

// deriveFileKey derives the whole-file encryption key from the data key.
func deriveFileKey(dataKey []byte) ([]byte, error) {
	k, err := hkdf.Key(sha256.New, dataKey, nil, fileKeyInfo, fileKeySize)
	if err != nil {
		return nil, fmt.Errorf("derive file key: %w", err)
	}
	return k, nil
}

// pragmas every connection runs once its key is set.
const connPragmas = `
PRAGMA busy_timeout = 10000;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = 1;
PRAGMA secure_delete = 1;
PRAGMA temp_store = memory;
`

// openEncrypted opens the database at path through the "xts" VFS of
// github.com/ncruces/go-sqlite3 under fileKey. The key is given to each
// connection by PRAGMA hexkey, never in the file name.
func openEncrypted(ctx context.Context, path string, fileKey []byte) (*sql.DB, error) {
	q := url.Values{}
	q.Set("vfs", "xts")
	q.Set("_txlock", "immediate")
	dsn := (&url.URL{Scheme: "file", Opaque: path, RawQuery: q.Encode()}).String()
	hexKey := hex.EncodeToString(fileKey)
	db, err := driver.Open(dsn, func(c *sqlite3.Conn) error {
		if err := c.Exec(`PRAGMA hexkey = '` + hexKey + `'`); err != nil {
			return fmt.Errorf("set key: %w", err)
		}
		if err := c.Exec(connPragmas); err != nil {
			if errors.Is(err, sqlite3.NOTADB) {
				return ErrWrongKey
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if errors.Is(err, ErrWrongKey) || errors.Is(err, sqlite3.NOTADB) {
			return nil, ErrWrongKey
		}
		return nil, err
	}
	return db, nil
}

// openEncryptedReadOnly opens the encrypted store at path read-only and
// immutable: it writes nothing beside the file (for a full or read-only
// disk).
func openEncryptedReadOnly(ctx context.Context, path string, fileKey []byte) (*sql.DB, error) {
	q := url.Values{}
	q.Set("vfs", "xts")
	q.Set("mode", "ro")
	q.Set("immutable", "1")
	dsn := (&url.URL{Scheme: "file", Opaque: path, RawQuery: q.Encode()}).String()
	hexKey := hex.EncodeToString(fileKey)
	db, err := driver.Open(dsn, func(c *sqlite3.Conn) error {
		if err := c.Exec(`PRAGMA hexkey = '` + hexKey + `'`); err != nil {
			return fmt.Errorf("set key: %w", err)
		}
		return c.Exec(`PRAGMA foreign_keys = 1; PRAGMA temp_store = memory;`)
	})
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// isPlaintextStore reports whether the file at path is an unencrypted
// SQLite database: a case store written before whole-file encryption.
func isPlaintextStore(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	hdr := make([]byte, len(plainHeader))
	if _, err := io.ReadFull(f, hdr); err != nil {
		return false, nil // empty or shorter than a header: not a plain database
	}
	return bytes.Equal(hdr, plainHeader), nil
}

// migratePlaintext rewrites an unencrypted case store (from before
// whole-file encryption) as an encrypted one, losing nothing:
//
//  1. the plain database (and its WAL, if a crash left one) is opened and
//     copied with VACUUM INTO to PATH.encrypting through the xts VFS;
//  2. the copy is synced and renamed over PATH, so that at every moment
//     PATH is either the complete old store or the complete new one (a
//     crash before the rename leaves the old store, and the next open
//     starts again);
//  3. the old file's blocks, still open, are overwritten with zeros, then
//     its WAL and shared-memory files are removed.
//
// Zeroing is best effort: a journaling file system or an SSD may keep
// earlier copies of the blocks (SECURITY.md says so).
func migratePlaintext(ctx context.Context, path string, fileKey []byte) error {
	plainDSN := (&url.URL{Scheme: "file", Opaque: path, RawQuery: "_txlock=immediate"}).String()
	plain, err := driver.Open(plainDSN)
	if err != nil {
		return fmt.Errorf("migrate: open plain store: %w", err)
	}
	plain.SetMaxOpenConns(1)
	tmp := path + ".encrypting"
	_ = os.Remove(tmp)
	_ = os.Remove(tmp + "-journal")
	if err := createPrivate(tmp); err != nil {
		plain.Close()
		return fmt.Errorf("migrate: %w", err)
	}
	q := url.Values{}
	q.Set("vfs", "xts")
	q.Set("hexkey", hex.EncodeToString(fileKey))
	target := (&url.URL{Scheme: "file", Opaque: tmp, RawQuery: q.Encode()}).String()
	if _, err := plain.ExecContext(ctx, `VACUUM INTO ?`, target); err != nil {
		plain.Close()
		os.Remove(tmp)
		return fmt.Errorf("migrate: copy into encrypted store: %w", err)
	}
	// Closing the plain store checkpoints and removes its WAL.
	if _, err := plain.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		plain.Close()
		os.Remove(tmp)
		return fmt.Errorf("migrate: checkpoint plain store: %w", err)
	}
	if err := plain.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("migrate: close plain store: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("migrate: %w", err)
	}
	old, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("migrate: %w", err)
	}
	defer old.Close()
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("migrate: replace plain store: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := zeroFile(old); err != nil {
		return fmt.Errorf("migrate: erase plain store: %w", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// createPrivate creates an empty file with mode 0600, so that SQLite (which
// copies the database file's mode to its journal) never widens it.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// zeroFile overwrites an open file's contents with zeros and syncs it.
func zeroFile(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	zeros := make([]byte, 64<<10)
	for off := int64(0); off < fi.Size(); off += int64(len(zeros)) {
		n := min(int64(len(zeros)), fi.Size()-off)
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			return err
		}
	}
	return f.Sync()
}

// Snapshot writes a consistent copy of the open store to path (which must
// not exist yet), encrypted under the same key as the store, with VACUUM
// INTO: the copy has no free pages and no WAL. It is what a device backup
// carries.
func (s *Store) Snapshot(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("snapshot case store: %s: %w", path, os.ErrExist)
	}
	fileKey, err := deriveFileKey(s.dataKey)
	if err != nil {
		return fmt.Errorf("snapshot case store: %w", err)
	}
	defer clear(fileKey)
	if err := createPrivate(path); err != nil {
		return fmt.Errorf("snapshot case store: %w", err)
	}
	q := url.Values{}
	q.Set("vfs", "xts")
	q.Set("hexkey", hex.EncodeToString(fileKey))
	target := (&url.URL{Scheme: "file", Opaque: path, RawQuery: q.Encode()}).String()
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, target); err != nil {
		os.Remove(path)
		return fmt.Errorf("snapshot case store: %w", err)
	}
	if err := syncFile(path); err != nil {
		return fmt.Errorf("snapshot case store: %w", err)
	}
	return nil
}
