package casestore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Case statuses used so far (DESIGN.md "Referral workflow"). The status
// (the client/workflow stage) is kept in clear.
const (
	StatusCirculated = "circulated"
	StatusOpen       = "open" // a case known only from a message, before its referral arrived
	// StatusClosed, StatusWithdrawn and StatusFilled are final: the
	// retention clock of a case starts when it reaches one of them.
	StatusClosed    = "closed"
	StatusWithdrawn = "withdrawn"
	StatusFilled    = "filled"
	// StatusDeclined: this landlord answered "no suitable home".
	StatusDeclined = "declined"
)

// finalStatus reports whether a case in this status is over for this
// organisation.
func finalStatus(status string) bool {
	return status == StatusClosed || status == StatusWithdrawn || status == StatusFilled || status == StatusDeclined
}

// Case is one case as the store holds it: the clear columns and the
// opened reference code.
type Case struct {
	ID            [16]byte
	Status        string
	Reference     string     // sealed in the database
	Organisations [][16]byte // the organisations taking part, sorted
	// Districts are the referral's acceptable districts (sealed; filtered
	// by keyed token). PutCase replaces them when not nil.
	Districts []string
	Created   time.Time
	Updated   time.Time // last activity
	// Closed is when the case reached a final status (zero while open).
	// PutCase sets it to Closed, or else to the last activity, the first
	// time the status becomes final.
	Closed time.Time
}

const caseColumns = `id, wrapped_key, status, organisations, created, updated, reference, closed, districts`

// putIndexes adds organisations to the case_orgs index and, if districts
// is not nil, replaces the case's district tokens and sealed list.
func (t *Tx) putIndexes(ctx context.Context, id [16]byte, key []byte, orgs [][16]byte, districts []string) error {
	for _, o := range orgs {
		if _, err := t.tx.ExecContext(ctx, `INSERT OR IGNORE INTO case_orgs (case_id, org) VALUES (?, ?)`, id[:], o[:]); err != nil {
			return fmt.Errorf("index organisations of case %x: %w", id, err)
		}
	}
	if districts == nil {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM case_districts WHERE case_id = ?`, id[:]); err != nil {
		return fmt.Errorf("index districts of case %x: %w", id, err)
	}
	for _, d := range districts {
		if _, err := t.tx.ExecContext(ctx, `INSERT OR IGNORE INTO case_districts (case_id, district_key) VALUES (?, ?)`,
			id[:], t.s.districtToken(d)); err != nil {
			return fmt.Errorf("index districts of case %x: %w", id, err)
		}
	}
	b, err := json.Marshal(districts)
	if err != nil {
		return fmt.Errorf("seal districts of case %x: %w", id, err)
	}
	sealed, err := SealColumn(key, id, "cases.districts", b)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE cases SET districts = ? WHERE id = ?`, sealed, id[:]); err != nil {
		return fmt.Errorf("seal districts of case %x: %w", id, err)
	}
	return nil
}

// decodeDistricts reads the opened districts column.
func decodeDistricts(b []byte) ([]string, error) {
	var ds []string
	if err := json.Unmarshal(b, &ds); err != nil {
		return nil, fmt.Errorf("districts column: %w", err)
	}
	if ds == nil {
		ds = []string{}
	}
	return ds, nil
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
	// changed lists the cases whose summary the transaction must store
	// again before it commits (see touch).
	changed map[[16]byte]bool
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
	t.touch(c.ID)
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
		var closed int64
		if finalStatus(c.Status) {
			closed = closedAt(c, c.Updated)
		}
		var refKey []byte
		if c.Reference != "" {
			refKey = t.s.referenceToken(c.Reference)
		}
		_, err = t.tx.ExecContext(ctx,
			`INSERT INTO cases (id, wrapped_key, status, organisations, created, updated, reference, closed, ref_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID[:], wrapped, c.Status, encodeOrgs(c.Organisations), created.Unix(), c.Updated.Unix(), ref, closed, refKey)
		if err != nil {
			return fmt.Errorf("create case %x: %w", c.ID, err)
		}
		return t.putIndexes(ctx, c.ID, key, sortedUniqueOrgs(c.Organisations), c.Districts)
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
	var closed int64
	switch {
	case !finalStatus(status):
	case !old.Closed.IsZero():
		closed = old.Closed.Unix()
	default:
		closed = closedAt(c, updated)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE cases SET status = ?, organisations = ?, updated = ?, closed = ? WHERE id = ?`,
		status, orgs, updated.Unix(), closed, c.ID[:]); err != nil {
		return fmt.Errorf("update case %x: %w", c.ID, err)
	}
	key, err := t.s.caseKey(ctx, t.tx, c.ID)
	if err != nil {
		return err
	}
	if c.Reference != "" && c.Reference != old.Reference {
		ref, err := SealColumn(key, c.ID, "cases.reference", []byte(c.Reference))
		if err != nil {
			return err
		}
		if _, err := t.tx.ExecContext(ctx, `UPDATE cases SET reference = ?, ref_key = ? WHERE id = ?`,
			ref, t.s.referenceToken(c.Reference), c.ID[:]); err != nil {
			return fmt.Errorf("update case %x: %w", c.ID, err)
		}
	}
	return t.putIndexes(ctx, c.ID, key, sortedUniqueOrgs(c.Organisations), c.Districts)
}

// closedAt is the closing time PutCase records for c: c.Closed, or else
// the given last activity.
func closedAt(c *Case, updated time.Time) int64 {
	if !c.Closed.IsZero() {
		return c.Closed.Unix()
	}
	return updated.Unix()
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
		`SELECT `+caseColumns+` FROM cases WHERE id = ?`, id[:])
	c, err := s.scanCase(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case %x: %w", id, ErrNoCase)
	}
	return c, err
}

type scanner interface{ Scan(dest ...any) error }

func (s *Store) scanCase(row scanner) (*Case, error) {
	var (
		id, wrapped, orgs, ref, districts []byte
		c                                 Case
		created, updated, closed          int64
	)
	if err := row.Scan(&id, &wrapped, &c.Status, &orgs, &created, &updated, &ref, &closed, &districts); err != nil {
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
	if districts != nil {
		b, err := OpenColumn(key, c.ID, "cases.districts", districts)
		if err != nil {
			return nil, err
		}
		if c.Districts, err = decodeDistricts(b); err != nil {
			return nil, fmt.Errorf("read case %x: %w", c.ID, err)
		}
	}
	c.Created = time.Unix(created, 0).UTC()
	c.Updated = time.Unix(updated, 0).UTC()
	if closed != 0 {
		c.Closed = time.Unix(closed, 0).UTC()
	}
	return &c, nil
}

// Cases returns every case, most recent activity first.
func (s *Store) Cases(ctx context.Context) ([]*Case, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT `+caseColumns+` FROM cases ORDER BY updated DESC, id`)
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
