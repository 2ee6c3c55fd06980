package casestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// DefaultRetention is how long a closed, withdrawn or filled case is kept
// before it is crypto-shredded, unless SetRetention says otherwise.
const DefaultRetention = 365 * 24 * time.Hour

const retentionSetting = "retention_seconds"

// ErrRetention is returned for a retention period that is not positive.
var ErrRetention = errors.New("retention period must be positive")

// SetRetention sets how long finished cases are kept (stored in the
// database, so it survives restarts). An organisation admin's signed
// setting will drive it for all the organisation's devices.
func (s *Store) SetRetention(ctx context.Context, d time.Duration) error {
	if d < time.Second {
		return fmt.Errorf("set retention %v: %w", d, ErrRetention)
	}
	if _, err := s.db.ExecContext(ctx,
		`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`,
		retentionSetting, strconv.FormatInt(int64(d/time.Second), 10)); err != nil {
		return fmt.Errorf("set retention: %w", err)
	}
	return nil
}

// Retention returns the retention period (DefaultRetention if never set).
func (s *Store) Retention(ctx context.Context) (time.Duration, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, retentionSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultRetention, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read retention: %w", err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > int64(1<<62)/int64(time.Second) {
		return 0, fmt.Errorf("read retention: bad stored value %q", v)
	}
	return time.Duration(n) * time.Second, nil
}

// shredRows erases the wrapped key and every row of a case inside a
// transaction. The processed-envelope ids stay, so that nothing of the
// case is ever applied again.
func (t *Tx) shredRows(ctx context.Context, id [16]byte) error {
	for _, q := range []string{
		`DELETE FROM entries WHERE case_id = ?`,
		`DELETE FROM receipts WHERE case_id = ?`,
		`DELETE FROM case_orgs WHERE case_id = ?`,
		`DELETE FROM case_districts WHERE case_id = ?`,
		`DELETE FROM outbox WHERE case_id = ?`,
		`DELETE FROM case_state WHERE case_id = ?`,
		`DELETE FROM sent_envelopes WHERE case_id = ?`,
		`DELETE FROM packets WHERE case_id = ?`,
		`DELETE FROM chunks WHERE case_id = ?`,
	} {
		if _, err := t.tx.ExecContext(ctx, q, id[:]); err != nil {
			return fmt.Errorf("shred case %x: %w", id, err)
		}
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM cases WHERE id = ?`, id[:])
	if err != nil {
		return fmt.Errorf("shred case %x: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("shred case %x: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("shred case %x: %w", id, ErrNoCase)
	}
	return nil
}

// compact rewrites the database file without free pages (VACUUM) and
// empties the WAL (checkpoint, TRUNCATE), so that no deleted page of a
// shredded case lingers in either file.
func (s *Store) compact(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	var busy, logFrames, checkpointed int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint: database busy, WAL not emptied")
	}
	return nil
}

// Shred crypto-shreds a case now: erases its wrapped key and all its rows
// (entries, receipts, organisation and district index, unsent envelopes)
// in one transaction, then vacuums the database and truncates the WAL.
func (s *Store) Shred(ctx context.Context, id [16]byte) error {
	if err := s.Update(ctx, func(t *Tx) error { return t.shredRows(ctx, id) }); err != nil {
		return err
	}
	if err := s.compact(ctx); err != nil {
		return fmt.Errorf("shred case %x: %w", id, err)
	}
	return nil
}

// ShredExpired crypto-shreds every closed, withdrawn or filled case whose
// closing time plus the retention period is at or before now, and returns
// how many it shredded. It vacuums and truncates the WAL once at the end.
func (s *Store) ShredExpired(ctx context.Context, now time.Time) (int, error) {
	ret, err := s.Retention(ctx)
	if err != nil {
		return 0, fmt.Errorf("shred expired cases: %w", err)
	}
	cutoff := now.Add(-ret).Unix()
	n := 0
	err = s.Update(ctx, func(t *Tx) error {
		rows, err := t.tx.QueryContext(ctx,
			`SELECT id FROM cases WHERE closed > 0 AND closed <= ? AND status IN (?, ?, ?)`,
			cutoff, StatusClosed, StatusWithdrawn, StatusFilled)
		if err != nil {
			return fmt.Errorf("find expired cases: %w", err)
		}
		var ids [][16]byte
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return fmt.Errorf("find expired cases: %w", err)
			}
			if len(b) != 16 {
				rows.Close()
				return fmt.Errorf("find expired cases: case id is %d bytes", len(b))
			}
			ids = append(ids, [16]byte(b))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find expired cases: %w", err)
		}
		for _, id := range ids {
			if err := t.shredRows(ctx, id); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		if err := s.compact(ctx); err != nil {
			return n, fmt.Errorf("shred expired cases: %w", err)
		}
	}
	return n, nil
}
