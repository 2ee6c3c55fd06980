package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/internal/storeutil"
)

// AppendDirectory appends a signed object to the directory log, or returns
// the index it already has.
func (s *Store) AppendDirectory(ctx context.Context, kind string, object []byte) (uint64, error) {
	const op = "append directory"
	if err := s.usable(op); err != nil {
		return 0, err
	}
	if err := storeutil.CheckDirectoryEntry(kind, object); err != nil {
		return 0, err
	}
	hash := sha256.Sum256(object)
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.fail(op, err)
	}
	defer tx.Rollback()

	var (
		idx     int64
		oldKind string
	)
	err = tx.QueryRowContext(ctx, `SELECT idx, kind FROM directory WHERE hash = ?`, hash[:]).Scan(&idx, &oldKind)
	switch {
	case err == nil:
		if oldKind != kind {
			return 0, fmt.Errorf("%s %s: logged at %d as %s: %w", op, kind, idx, oldKind, store.ErrConflict)
		}
		return uint64(idx), nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, s.fail(op, err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM directory`).Scan(&idx); err != nil {
		return 0, s.fail(op, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO directory (idx, kind, hash, object, added) VALUES (?, ?, ?, ?, ?)`,
		idx, kind, hash[:], object, time.Now().Unix()); err != nil {
		return 0, s.fail(op, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, s.fail(op, err)
	}
	return uint64(idx), nil
}

// Directory returns up to limit entries from index since on.
func (s *Store) Directory(ctx context.Context, since uint64, limit int) ([]store.DirectoryEntry, error) {
	const op = "read directory"
	if err := s.usable(op); err != nil {
		return nil, err
	}
	if err := storeutil.CheckLimit(limit); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows, err := s.read.QueryContext(ctx,
		`SELECT idx, kind, object, added FROM directory WHERE idx >= ? ORDER BY idx LIMIT ?`,
		storeutil.Cursor(since), limit)
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer rows.Close()
	var entries []store.DirectoryEntry
	for rows.Next() {
		var (
			e          store.DirectoryEntry
			idx, added int64
		)
		if err := rows.Scan(&idx, &e.Kind, &e.Object, &added); err != nil {
			return nil, s.fail(op, err)
		}
		e.Index = uint64(idx)
		e.Added = storeutil.UnixUTC(added)
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(op, err)
	}
	return entries, nil
}

// DirectorySize returns the number of directory entries.
func (s *Store) DirectorySize(ctx context.Context) (uint64, error) {
	const op = "directory size"
	if err := s.usable(op); err != nil {
		return 0, err
	}
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM directory`).Scan(&n); err != nil {
		return 0, s.fail(op, err)
	}
	return uint64(n), nil
}
