package casestore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Case statuses used so far (DESIGN.md "Referral workflow"). The status is
// kept in clear.
const (
	StatusCirculated = "circulated"
	StatusOpen       = "open" // a case known only from a message, before its referral arrived
)

// Case is one case as the store holds it: the clear columns and the
// opened reference code.
type Case struct {
	ID            [16]byte
	Status        string
	Reference     string     // sealed in the database
	Organisations [][16]byte // the organisations taking part, sorted
	Created       time.Time
	Updated       time.Time // last activity
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is one write transaction, passed to the function given to Update or
// Apply. It must not be used after that function returns.
type Tx struct {
	tx *sql.Tx
	s  *Store
}

func encodeOrgs(orgs [][16]byte) []byte {
	orgs = sortedUniqueOrgs(orgs)
	b := make([]byte, 0, 16*len(orgs))
	for _, o := range orgs {
		b = append(b, o[:]...)
	}
	return b
}

func decodeOrgs(b []byte) ([][16]byte, error) {
	if len(b)%16 != 0 {
		return nil, fmt.Errorf("organisations column is %d bytes, not a multiple of 16", len(b))
	}
	out := make([][16]byte, len(b)/16)
	for i := range out {
		copy(out[i][:], b[16*i:])
	}
	return out, nil
}

func sortedUniqueOrgs(orgs [][16]byte) [][16]byte {
	out := append([][16]byte(nil), orgs...)
	sort.Slice(out, func(i, j int) bool { return string(out[i][:]) < string(out[j][:]) })
	n := 0
	for i, o := range out {
		if i > 0 && o == out[n-1] {
			continue
		}
		out[n] = o
		n++
	}
	return out[:n]
}

// caseKey unwraps the per-case key of id.
func (s *Store) caseKey(ctx context.Context, q querier, id [16]byte) ([]byte, error) {
	var wrapped []byte
	err := q.QueryRowContext(ctx, `SELECT wrapped_key FROM cases WHERE id = ?`, id[:]).Scan(&wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case %x: %w", id, ErrNoCase)
	}
	if err != nil {
		return nil, fmt.Errorf("read key of case %x: %w", id, err)
	}
	return UnwrapCaseKey(s.dataKey, id, wrapped)
}

// PutCase creates the case if it is new (with a fresh per-case key), or
// else updates its status, adds organisations to it, moves its last
// activity forward and, if c.Reference is not empty, replaces its
// reference code.
func (t *Tx) PutCase(ctx context.Context, c *Case) error {
	old, err := t.s.getCase(ctx, t.tx, c.ID)
	switch {
	case errors.Is(err, ErrNoCase):
		key := make([]byte, KeySize)
		if _, err := rand.Read(key); err != nil {
			return fmt.Errorf("create case %x: %w", c.ID, err)
		}
		wrapped, err := WrapCaseKey(t.s.dataKey, c.ID, key)
		if err != nil {
			return fmt.Errorf("create case %x: %w", c.ID, err)
		}
		ref, err := SealColumn(key, c.ID, "cases.reference", []byte(c.Reference))
		if err != nil {
			return fmt.Errorf("create case %x: %w", c.ID, err)
		}
		created := c.Created
		if created.IsZero() {
			created = c.Updated
		}
		_, err = t.tx.ExecContext(ctx,
			`INSERT INTO cases (id, wrapped_key, status, organisations, created, updated, reference) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ID[:], wrapped, c.Status, encodeOrgs(c.Organisations), created.Unix(), c.Updated.Unix(), ref)
		if err != nil {
			return fmt.Errorf("create case %x: %w", c.ID, err)
		}
		return nil
	case err != nil:
		return err
	}
	status := c.Status
	if status == "" {
		status = old.Status
	}
	updated := old.Updated
	if c.Updated.After(updated) {
		updated = c.Updated
	}
	orgs := encodeOrgs(append(old.Organisations, c.Organisations...))
	if _, err := t.tx.ExecContext(ctx, `UPDATE cases SET status = ?, organisations = ?, updated = ? WHERE id = ?`,
		status, orgs, updated.Unix(), c.ID[:]); err != nil {
		return fmt.Errorf("update case %x: %w", c.ID, err)
	}
	if c.Reference != "" && c.Reference != old.Reference {
		key, err := t.s.caseKey(ctx, t.tx, c.ID)
		if err != nil {
			return err
		}
		ref, err := SealColumn(key, c.ID, "cases.reference", []byte(c.Reference))
		if err != nil {
			return err
		}
		if _, err := t.tx.ExecContext(ctx, `UPDATE cases SET reference = ? WHERE id = ?`, ref, c.ID[:]); err != nil {
			return fmt.Errorf("update case %x: %w", c.ID, err)
		}
	}
	return nil
}

// Case returns one case as seen inside the transaction.
func (t *Tx) Case(ctx context.Context, id [16]byte) (*Case, error) {
	return t.s.getCase(ctx, t.tx, id)
}

// Case returns one case, or an error wrapping ErrNoCase.
func (s *Store) Case(ctx context.Context, id [16]byte) (*Case, error) {
	return s.getCase(ctx, s.db, id)
}

func (s *Store) getCase(ctx context.Context, q querier, id [16]byte) (*Case, error) {
	row := q.QueryRowContext(ctx,
		`SELECT id, wrapped_key, status, organisations, created, updated, reference FROM cases WHERE id = ?`, id[:])
	c, err := s.scanCase(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case %x: %w", id, ErrNoCase)
	}
	return c, err
}

type scanner interface{ Scan(dest ...any) error }

func (s *Store) scanCase(row scanner) (*Case, error) {
	var (
		id, wrapped, orgs, ref []byte
		c                      Case
		created, updated       int64
	)
	if err := row.Scan(&id, &wrapped, &c.Status, &orgs, &created, &updated, &ref); err != nil {
		return nil, err
	}
	if len(id) != 16 {
		return nil, fmt.Errorf("read case: id is %d bytes", len(id))
	}
	copy(c.ID[:], id)
	key, err := UnwrapCaseKey(s.dataKey, c.ID, wrapped)
	if err != nil {
		return nil, err
	}
	r, err := OpenColumn(key, c.ID, "cases.reference", ref)
	if err != nil {
		return nil, err
	}
	c.Reference = string(r)
	if c.Organisations, err = decodeOrgs(orgs); err != nil {
		return nil, fmt.Errorf("read case %x: %w", c.ID, err)
	}
	c.Created = time.Unix(created, 0).UTC()
	c.Updated = time.Unix(updated, 0).UTC()
	return &c, nil
}

// Cases returns every case, most recent activity first.
func (s *Store) Cases(ctx context.Context) ([]*Case, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, wrapped_key, status, organisations, created, updated, reference FROM cases ORDER BY updated DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	var out []*Case
	for rows.Next() {
		c, err := s.scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return out, nil
}

// Shred erases a case: its key, its entries and its receipts. Even if
// deleted pages linger in the WAL or free pages, nothing of the case can be
// opened once its wrapped key is gone.
func (s *Store) Shred(ctx context.Context, id [16]byte) error {
	return s.Update(ctx, func(t *Tx) error {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM receipts WHERE case_id = ?`, id[:]); err != nil {
			return fmt.Errorf("shred case %x: %w", id, err)
		}
		res, err := t.tx.ExecContext(ctx, `DELETE FROM cases WHERE id = ?`, id[:])
		if err != nil {
			return fmt.Errorf("shred case %x: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("shred case %x: %w", id, ErrNoCase)
		}
		return nil
	})
}
