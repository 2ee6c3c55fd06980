package casestore

import (
	"context"
	"fmt"
)

// DirectoryObject is one entry of the relay's directory log: a signed
// certificate, revocation or key update, at its log index. The cache holds
// the log as received (public data); the client verifies every object again
// when it loads the cache into its directory.
type DirectoryObject struct {
	Index  uint64
	Object []byte
}

// AppendDirectory stores directory log entries (idempotent per index).
func (s *Store) AppendDirectory(ctx context.Context, objs []DirectoryObject) error {
	return s.Update(ctx, func(t *Tx) error {
		for _, o := range objs {
			if o.Index > 1<<62 {
				return fmt.Errorf("cache directory entry %d: index out of range", o.Index)
			}
			if _, err := t.tx.ExecContext(ctx, `INSERT INTO directory (idx, object) VALUES (?, ?) ON CONFLICT(idx) DO NOTHING`,
				int64(o.Index), o.Object); err != nil {
				return fmt.Errorf("cache directory entry %d: %w", o.Index, err)
			}
		}
		return nil
	})
}

// Directory returns the cached directory log entries in index order.
func (s *Store) Directory(ctx context.Context) ([]DirectoryObject, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT idx, object FROM directory ORDER BY idx`)
	if err != nil {
		return nil, fmt.Errorf("read directory cache: %w", err)
	}
	defer rows.Close()
	var out []DirectoryObject
	for rows.Next() {
		var (
			idx int64
			o   DirectoryObject
		)
		if err := rows.Scan(&idx, &o.Object); err != nil {
			return nil, fmt.Errorf("read directory cache: %w", err)
		}
		if idx < 0 {
			return nil, fmt.Errorf("read directory cache: negative index %d", idx)
		}
		o.Index = uint64(idx)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read directory cache: %w", err)
	}
	return out, nil
}
