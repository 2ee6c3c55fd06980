package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"

	"github.com/saferef/saferef/server/store"
)

// SchemaVersion is the schema version this package writes: Open migrates
// an older store up to it and refuses a newer one with
// store.ErrSchemaNewer. It is kept in PRAGMA user_version.
func SchemaVersion() int { return len(migrations) }

// newerSchema is the error for a store written by a newer relay.
func newerSchema(version int) error {
	return fmt.Errorf("%w: the store is at schema version %d and this saferef-server knows only up to %d (it was written by a newer release; run that release, or restore a backup taken before the upgrade)",
		store.ErrSchemaNewer, version, SchemaVersion())
}

// Inspection is what Inspect found in a store file, without changing it.
type Inspection struct {
	// SchemaVersion is the stored schema version (0 for a new, empty file).
	SchemaVersion int
	// Directory is the number of directory entries.
	Directory uint64
	// Envelopes and Deliveries count what is waiting for delivery.
	Envelopes, Deliveries int64
}

// Inspect opens the store file at path read-only, checks its integrity
// (PRAGMA quick_check) and schema version, and counts its rows. It never
// creates, migrates or writes the file, so it is safe while a relay is
// serving from it. A schema newer than SchemaVersion fails with
// store.ErrSchemaNewer; an older one is reported (Open migrates it).
func Inspect(ctx context.Context, path string) (*Inspection, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("inspect sqlite store %q: path empty or containing '?': %w", path, store.ErrInvalid)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("inspect sqlite store: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("inspect sqlite store %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var in Inspection
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&in.SchemaVersion); err != nil {
		return nil, fmt.Errorf("inspect sqlite store %s: read schema version: %w", path, err)
	}
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil {
		return nil, fmt.Errorf("inspect sqlite store %s: integrity check: %w", path, err)
	}
	if check != "ok" {
		return nil, fmt.Errorf("inspect sqlite store %s: integrity check failed: %s", path, check)
	}
	if in.SchemaVersion > SchemaVersion() {
		return &in, fmt.Errorf("inspect sqlite store %s: %w", path, newerSchema(in.SchemaVersion))
	}
	if in.SchemaVersion == 0 {
		return &in, nil
	}
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM directory), (SELECT count(*) FROM envelopes), (SELECT count(*) FROM deliveries)`).
		Scan(&in.Directory, &in.Envelopes, &in.Deliveries)
	if err != nil {
		return nil, fmt.Errorf("inspect sqlite store %s: count rows: %w", path, err)
	}
	return &in, nil
}

// Backup writes a consistent snapshot of the store file at path to out,
// with VACUUM INTO on a connection of its own, so a relay may keep serving
// from path meanwhile: the snapshot holds exactly the transactions
// committed when it began (every envelope acknowledged by then included).
// out must not exist; it is created with mode 0600, synced, and checked
// with Inspect before Backup returns. On failure nothing is left at out.
func Backup(ctx context.Context, path, out string) (*Inspection, error) {
	if _, err := Inspect(ctx, path); err != nil {
		return nil, fmt.Errorf("back up: %w", err)
	}
	if strings.ContainsRune(out, '\'') || strings.ContainsRune(out, 0) {
		return nil, fmt.Errorf("back up to %q: %w: quote in the file name", out, store.ErrInvalid)
	}
	// VACUUM INTO needs a missing or empty file; create it empty first so
	// that it gets mode 0600, and so that an existing file is refused.
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("back up: %w", err)
	}
	f.Close()
	ok := false
	defer func() {
		if !ok {
			os.Remove(out)
		}
	}()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("back up %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `VACUUM INTO '`+out+`'`); err != nil {
		return nil, fmt.Errorf("back up %s to %s: %w", path, out, err)
	}
	if err := syncFile(out); err != nil {
		return nil, fmt.Errorf("back up: %w", err)
	}
	in, err := Inspect(ctx, out)
	if err != nil {
		return nil, fmt.Errorf("back up: check the snapshot: %w", err)
	}
	ok = true
	return in, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}
