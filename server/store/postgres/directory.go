package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, s.fail(op, err)
	}
	defer rollback(ctx, tx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.keys.directory); err != nil {
		return 0, s.fail(op, err)
	}
	var (
		idx     int64
		oldKind string
	)
	err = tx.QueryRow(ctx, `SELECT idx, kind FROM directory WHERE hash = $1`, hash[:]).Scan(&idx, &oldKind)
	switch {
	case err == nil:
		if oldKind != kind {
			return 0, fmt.Errorf("%s %s: logged at %d as %s: %w", op, kind, idx, oldKind, store.ErrConflict)
		}
		return uint64(idx), nil
	case !errors.Is(err, pgx.ErrNoRows):
		return 0, s.fail(op, err)
	}
	err = tx.QueryRow(ctx,
		`INSERT INTO directory (idx, kind, hash, object, added)
		 SELECT COALESCE(MAX(idx) + 1, 0), $1, $2, $3, $4 FROM directory
		 RETURNING idx`,
		kind, hash[:], object, time.Now().Unix()).Scan(&idx)
	if err != nil {
		return 0, s.fail(op, err)
	}
	if err := tx.Commit(ctx); err != nil {
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
	rows, err := s.pool.Query(ctx,
		`SELECT idx, kind, object, added FROM directory WHERE idx >= $1 ORDER BY idx LIMIT $2`,
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
	if err := s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM directory`).Scan(&n); err != nil {
		return 0, s.fail(op, err)
	}
	return uint64(n), nil
}
