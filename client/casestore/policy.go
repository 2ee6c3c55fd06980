package casestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// policySetting names the settings row holding the sequence number of the
// last organisation retention policy applied.
const policySetting = "org_policy_seq"

// ApplyRetentionPolicy applies the organisation's signed retention policy
// number seq, of period d: if seq is newer than the last policy applied,
// the retention becomes d (shorter or longer); otherwise the retention is
// lowered to d if it is longer (a device may keep cases for less than the
// policy, never for more). It reports whether the retention changed. The
// setting and the policy number are written in one transaction.
func (s *Store) ApplyRetentionPolicy(ctx context.Context, seq uint64, d time.Duration) (bool, error) {
	if d < time.Second {
		return false, fmt.Errorf("apply retention policy %d: %w", seq, ErrRetention)
	}
	seq = min(seq, math.MaxInt64)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("apply retention policy %d: %w", seq, err)
	}
	defer tx.Rollback()
	get := func(name string) (int64, bool, error) {
		var v string
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, err
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, false, fmt.Errorf("bad stored %s %q", name, v)
		}
		return n, true, nil
	}
	set := func(name string, n int64) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`,
			name, strconv.FormatInt(n, 10))
		return err
	}
	applied, _, err := get(policySetting)
	if err != nil {
		return false, fmt.Errorf("apply retention policy %d: %w", seq, err)
	}
	cur, ok, err := get(retentionSetting)
	if err != nil {
		return false, fmt.Errorf("apply retention policy %d: %w", seq, err)
	}
	if !ok {
		cur = int64(DefaultRetention / time.Second)
	}
	want := int64(d / time.Second)
	changed := false
	if uint64(applied) < seq {
		if err := set(policySetting, int64(seq)); err != nil {
			return false, fmt.Errorf("apply retention policy %d: %w", seq, err)
		}
		changed = cur != want
	} else {
		changed = cur > want
	}
	if changed {
		if err := set(retentionSetting, want); err != nil {
			return false, fmt.Errorf("apply retention policy %d: %w", seq, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("apply retention policy %d: %w", seq, err)
	}
	return changed, nil
}
