package casestore

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Filter selects cases by their clear columns and keyed tokens, so that
// only the cases returned are decrypted. Zero fields do not filter.
type Filter struct {
	// Stages keeps cases whose status is one of these.
	Stages []string
	// Org keeps cases this organisation takes part in.
	Org [16]byte
	// District keeps cases whose referral lists this acceptable district
	// (exact match, ignoring case and surrounding space).
	District string
	// Reference keeps the case with this scheme reference code (exact
	// match, ignoring case).
	Reference string
	// From and To bound the last activity: From <= Updated < To.
	From, To time.Time
	// CreatedFrom and CreatedTo bound the creation time likewise.
	CreatedFrom, CreatedTo time.Time
	// Limit caps the number of cases returned (0: no cap); Offset skips
	// that many first. Cases come most recent activity first.
	Limit, Offset int
}

// Summary is one case in a listing: its clear columns and its opened
// reference code.
type Summary struct {
	ID            [16]byte
	Status        string
	Reference     string
	Organisations [][16]byte
	Created       time.Time
	Updated       time.Time
	Closed        time.Time // zero while the case is open
	// List is the case's summary as its Summariser last stored it
	// (opened), or nil when none is stored or it does not open.
	List []byte
}

// where builds the WHERE clause and arguments of a filter.
func (s *Store) where(f *Filter) (string, []any, error) {
	if f.Limit < 0 || f.Offset < 0 {
		return "", nil, fmt.Errorf("filter cases: negative limit or offset")
	}
	var (
		conds []string
		args  []any
	)
	if len(f.Stages) > 0 {
		conds = append(conds, "status IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.Stages)), ",")+")")
		for _, st := range f.Stages {
			args = append(args, st)
		}
	}
	if f.Org != ([16]byte{}) {
		conds = append(conds, "id IN (SELECT case_id FROM case_orgs WHERE org = ?)")
		args = append(args, f.Org[:])
	}
	if f.District != "" {
		conds = append(conds, "id IN (SELECT case_id FROM case_districts WHERE district_key = ?)")
		args = append(args, s.districtToken(f.District))
	}
	if f.Reference != "" {
		conds = append(conds, "ref_key = ?")
		args = append(args, s.referenceToken(f.Reference))
	}
	bound := func(col, op string, t time.Time) {
		if !t.IsZero() {
			conds = append(conds, col+" "+op+" ?")
			args = append(args, t.Unix())
		}
	}
	bound("updated", ">=", f.From)
	bound("updated", "<", f.To)
	bound("created", ">=", f.CreatedFrom)
	bound("created", "<", f.CreatedTo)
	if len(conds) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// Find returns the cases matching f, most recent activity first. Only the
// cases returned are decrypted (their key unwrapped, reference and summary
// opened).
func (s *Store) Find(ctx context.Context, f Filter) ([]Summary, error) {
	where, args, err := s.where(&f)
	if err != nil {
		return nil, err
	}
	limit := int64(-1)
	if f.Limit > 0 {
		limit = int64(f.Limit)
	}
	args = append(args, limit, f.Offset)
	const cols = `SELECT id, wrapped_key, status, organisations, created, updated, reference, closed, summary FROM cases`
	query := cols + where + ` ORDER BY updated DESC, id LIMIT ? OFFSET ?`
	if f.Limit > 0 {
		// A page: pick it on the narrow (id, updated) rows first, then
		// read the wide columns of that page only.
		query = cols + ` WHERE id IN (SELECT id FROM cases` + where + ` ORDER BY updated DESC, id LIMIT ? OFFSET ?) ORDER BY updated DESC, id`
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("filter cases: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var (
			id, wrapped, orgs, ref, list []byte
			created, updated, closed     int64
			sm                           Summary
		)
		if err := rows.Scan(&id, &wrapped, &sm.Status, &orgs, &created, &updated, &ref, &closed, &list); err != nil {
			return nil, fmt.Errorf("filter cases: %w", err)
		}
		if len(id) != 16 {
			return nil, fmt.Errorf("filter cases: id is %d bytes", len(id))
		}
		copy(sm.ID[:], id)
		key, err := UnwrapCaseKey(s.dataKey, sm.ID, wrapped)
		if err != nil {
			return nil, fmt.Errorf("filter cases: %w", err)
		}
		r, err := OpenColumn(key, sm.ID, "cases.reference", ref)
		if err != nil {
			return nil, fmt.Errorf("filter cases: %w", err)
		}
		sm.Reference = string(r)
		if list != nil {
			// A summary that does not open is computed again by the caller.
			sm.List, _ = OpenColumn(key, sm.ID, "cases.summary", list)
		}
		if sm.Organisations, err = decodeOrgs(orgs); err != nil {
			return nil, fmt.Errorf("filter cases: case %x: %w", sm.ID, err)
		}
		sm.Created = time.Unix(created, 0).UTC()
		sm.Updated = time.Unix(updated, 0).UTC()
		if closed != 0 {
			sm.Closed = time.Unix(closed, 0).UTC()
		}
		out = append(out, sm)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("filter cases: %w", err)
	}
	return out, nil
}

// Count returns how many cases match f (Limit and Offset are ignored),
// without decrypting anything.
func (s *Store) Count(ctx context.Context, f Filter) (int, error) {
	f.Limit, f.Offset = 0, 0
	where, args, err := s.where(&f)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM cases`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count cases: %w", err)
	}
	return n, nil
}
