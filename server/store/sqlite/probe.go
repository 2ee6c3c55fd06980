package sqlite

import (
	"context"
	"time"
)

// ProbeWrite commits one small write (a one-row table holding the time of
// the last probe), so that a relay can report itself unhealthy when its
// store can be read but not written: a full disk, a read-only file system.
func (s *Store) ProbeWrite(ctx context.Context) error {
	const op = "probe write"
	if err := s.writable(op); err != nil {
		return err
	}
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)`); err != nil {
		return s.fail(op, err)
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO write_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`, time.Now().UnixNano()); err != nil {
		return s.fail(op, err)
	}
	return nil
}
