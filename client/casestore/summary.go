package casestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Summariser computes what the case list shows of one case, from inside
// the transaction that changed it. The store treats the result as opaque
// (like the workflow state) and keeps it sealed with the case key in
// cases.summary, so that listing cases opens no entry. It fails with an
// error wrapping ErrNoCase for a case the store does not hold.
type Summariser func(ctx context.Context, tx *Tx, caseID [16]byte) ([]byte, error)

// SetSummariser sets the function that keeps each case's summary: every
// write transaction that changes a case (PutCase, SetState, AddEntry,
// DeleteEntry) calls it for that case just before it commits and stores
// the result, so a summary never lags behind its case (a recalled message
// leaves it in the same transaction). Call it once, before the store is
// shared. Without one, no summary is stored.
func (s *Store) SetSummariser(f Summariser) { s.summarise = f }

// touch notes that the transaction changed a case, so that its summary is
// stored again before the transaction commits.
func (t *Tx) touch(id [16]byte) {
	if t.changed == nil {
		t.changed = map[[16]byte]bool{}
	}
	t.changed[id] = true
}

// storeSummaries stores the summary of every case the transaction changed,
// in id order.
func (t *Tx) storeSummaries(ctx context.Context) error {
	if t.s.summarise == nil || len(t.changed) == 0 {
		return nil
	}
	ids := slices.SortedFunc(maps.Keys(t.changed), func(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) })
	for _, id := range ids {
		if err := t.storeSummary(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// storeSummary computes and seals one case's summary; a case that is gone
// (shredded in the transaction) has none.
func (t *Tx) storeSummary(ctx context.Context, id [16]byte) error {
	key, err := t.s.caseKey(ctx, t.tx, id)
	if errors.Is(err, ErrNoCase) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("summarise case %x: %w", id, err)
	}
	b, err := t.s.summarise(ctx, t, id)
	if err != nil {
		return fmt.Errorf("summarise case %x: %w", id, err)
	}
	sealed, err := SealColumn(key, id, "cases.summary", b)
	if err != nil {
		return fmt.Errorf("summarise case %x: %w", id, err)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE cases SET summary = ? WHERE id = ?`, sealed, id[:]); err != nil {
		return fmt.Errorf("summarise case %x: %w", id, err)
	}
	return nil
}

// Resummarise stores again, in one transaction, the summary of each case
// named: one stored before summaries were kept (schema version 6), or by
// an older encoding. It does nothing without a summariser, and fails with
// ErrReadOnly on a read-only store.
func (s *Store) Resummarise(ctx context.Context, ids [][16]byte) error {
	if s.summarise == nil || len(ids) == 0 {
		return nil
	}
	return s.Update(ctx, func(tx *Tx) error {
		for _, id := range ids {
			tx.touch(id)
		}
		return nil
	})
}

// EntriesOf returns the entries of a case of the given kinds (every kind
// when none is given), oldest first.
func (s *Store) EntriesOf(ctx context.Context, caseID [16]byte, kinds ...string) ([]*Entry, error) {
	query, args := entriesOfQuery(caseID, kinds)
	return s.entriesIn(ctx, s.db, caseID, query, args...)
}

// EntriesOf returns the entries of a case of the given kinds (every kind
// when none is given), oldest first, as seen inside the transaction.
func (t *Tx) EntriesOf(ctx context.Context, caseID [16]byte, kinds ...string) ([]*Entry, error) {
	query, args := entriesOfQuery(caseID, kinds)
	return t.s.entriesIn(ctx, t.tx, caseID, query, args...)
}

func entriesOfQuery(caseID [16]byte, kinds []string) (string, []any) {
	query := `SELECT envelope, kind, direction, at, sender_org, sender_device, sender_names, body FROM entries WHERE case_id = ?`
	args := []any{caseID[:]}
	if len(kinds) > 0 {
		query += ` AND kind IN (` + strings.TrimSuffix(strings.Repeat("?,", len(kinds)), ",") + `)`
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	return query + ` ORDER BY at, rowid`, args
}
