package casestore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The transparency-log tables are created on first use, so that this file
// needs no change to the main schema: log_monitor holds the client's
// translog.Monitor state (public: the pinned log key and the newest
// verified checkpoint), log_alerts the warnings the device raised about the
// relay (split view, rollback, tampered directory).
const monitorSchema = `
CREATE TABLE IF NOT EXISTS log_monitor (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	state BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS log_alerts (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	at INTEGER NOT NULL,
	kind TEXT NOT NULL,
	message TEXT NOT NULL,
	resolved INTEGER NOT NULL DEFAULT 0
);
`

// Alert is a warning the device raised about the relay's transparency log.
// Message is plain words for the user; it never holds case data.
type Alert struct {
	ID       int64
	At       time.Time
	Kind     string
	Message  string
	Resolved bool
}

func (s *Store) monitorTables(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, monitorSchema); err != nil {
		return fmt.Errorf("create log monitor tables: %w", err)
	}
	return nil
}

// SaveLogMonitor stores the transparency-log monitor state, replacing the
// previous one.
func (s *Store) SaveLogMonitor(ctx context.Context, state []byte) error {
	if err := s.monitorTables(ctx); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO log_monitor (id, state) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state`, state); err != nil {
		return fmt.Errorf("save log monitor: %w", err)
	}
	return nil
}

// LogMonitor returns the stored monitor state, or nil if there is none yet.
func (s *Store) LogMonitor(ctx context.Context) ([]byte, error) {
	if err := s.monitorTables(ctx); err != nil {
		return nil, err
	}
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT state FROM log_monitor WHERE id = 1`).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read log monitor: %w", err)
	}
	return b, nil
}

// AddAlert records a warning about the relay and returns its id. An
// unresolved alert of the same kind and message is not added twice; its id
// is returned instead.
func (s *Store) AddAlert(ctx context.Context, a *Alert) (int64, error) {
	if err := s.monitorTables(ctx); err != nil {
		return 0, err
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM log_alerts WHERE resolved = 0 AND kind = ? AND message = ?`, a.Kind, a.Message).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("add alert: %w", err)
	}
	r, err := s.db.ExecContext(ctx, `INSERT INTO log_alerts (at, kind, message) VALUES (?, ?, ?)`, a.At.Unix(), a.Kind, a.Message)
	if err != nil {
		return 0, fmt.Errorf("add alert: %w", err)
	}
	id, err = r.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add alert: %w", err)
	}
	return id, nil
}

// Alerts returns the alerts, oldest first; with unresolvedOnly, only those
// not yet resolved.
func (s *Store) Alerts(ctx context.Context, unresolvedOnly bool) ([]Alert, error) {
	if err := s.monitorTables(ctx); err != nil {
		return nil, err
	}
	q := `SELECT id, at, kind, message, resolved FROM log_alerts`
	if unresolvedOnly {
		q += ` WHERE resolved = 0`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read alerts: %w", err)
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var (
			a        Alert
			at, done int64
		)
		if err := rows.Scan(&a.ID, &at, &a.Kind, &a.Message, &done); err != nil {
			return nil, fmt.Errorf("read alerts: %w", err)
		}
		a.At, a.Resolved = time.Unix(at, 0).UTC(), done != 0
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read alerts: %w", err)
	}
	return out, nil
}

// ResolveAlerts marks every alert resolved and returns how many were open.
func (s *Store) ResolveAlerts(ctx context.Context) (int, error) {
	if err := s.monitorTables(ctx); err != nil {
		return 0, err
	}
	r, err := s.db.ExecContext(ctx, `UPDATE log_alerts SET resolved = 1 WHERE resolved = 0`)
	if err != nil {
		return 0, fmt.Errorf("resolve alerts: %w", err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("resolve alerts: %w", err)
	}
	return int(n), nil
}

// ResolveAlertsOfKind marks the unresolved alerts of one kind resolved
// (a condition that cleared by itself, such as a stale witnessed view)
// and returns how many there were.
func (s *Store) ResolveAlertsOfKind(ctx context.Context, kind string) (int, error) {
	if err := s.monitorTables(ctx); err != nil {
		return 0, err
	}
	r, err := s.db.ExecContext(ctx, `UPDATE log_alerts SET resolved = 1 WHERE resolved = 0 AND kind = ?`, kind)
	if err != nil {
		return 0, fmt.Errorf("resolve %s alerts: %w", kind, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("resolve %s alerts: %w", kind, err)
	}
	return int(n), nil
}

// sealedToSetting names the settings row listing the devices this device
// has sealed to (hex ids, comma-separated), for the stricter freshness
// check before sealing to a device for the first time.
const sealedToSetting = "sealed_to"

// SealedTo returns the devices this device has sealed an envelope to.
func (s *Store) SealedTo(ctx context.Context) (map[[16]byte]bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, sealedToSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return map[[16]byte]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read devices sealed to: %w", err)
	}
	out := make(map[[16]byte]bool)
	for _, h := range strings.Split(v, ",") {
		var id [16]byte
		if b, err := hex.DecodeString(h); err == nil && len(b) == 16 {
			copy(id[:], b)
			out[id] = true
		}
	}
	return out, nil
}

// AddSealedTo records devices as sealed to.
func (s *Store) AddSealedTo(ctx context.Context, ids [][16]byte) error {
	have, err := s.SealedTo(ctx)
	if err != nil {
		return err
	}
	changed := false
	for _, id := range ids {
		if !have[id] {
			have[id], changed = true, true
		}
	}
	if !changed {
		return nil
	}
	list := make([]string, 0, len(have))
	for id := range have {
		list = append(list, hex.EncodeToString(id[:]))
	}
	slices.Sort(list)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`,
		sealedToSetting, strings.Join(list, ",")); err != nil {
		return fmt.Errorf("record devices sealed to: %w", err)
	}
	return nil
}
