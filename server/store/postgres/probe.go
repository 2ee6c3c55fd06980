package postgres

import (
	"context"
	"time"
)

// ProbeWrite commits one small write (a one-row table holding the time of
// the last probe), so that a relay can report itself unhealthy when the
// database answers reads but refuses writes (a read-only standby, a full
// disk).
func (s *Store) ProbeWrite(ctx context.Context) error {
	const op = "probe write"
	if err := s.usable(op); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at BIGINT NOT NULL)`); err != nil {
		return s.fail(op, err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO write_probe (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at`, time.Now().UnixNano()); err != nil {
		return s.fail(op, err)
	}
	return nil
}
