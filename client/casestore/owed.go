package casestore

import (
	"context"
	"fmt"
	"time"
)

// OwedReceipt is a delivery receipt this device owes for an envelope it
// received: recorded in the envelope's own transaction, sealed (batched
// with the others owed to the same organisation for the same case) at the
// end of the sync, so that a backlog is answered in a few envelopes and a
// crash in between loses none.
type OwedReceipt struct {
	Envelope [16]byte // the envelope received
	Org      [16]byte // its sender's organisation
	Case     [16]byte
	At       time.Time
}

// OweReceipt records a receipt owed (idempotent).
func (t *Tx) OweReceipt(ctx context.Context, r *OwedReceipt) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO receipts_owed (envelope, org, case_id, at) VALUES (?, ?, ?, ?) ON CONFLICT (envelope) DO NOTHING`,
		r.Envelope[:], r.Org[:], r.Case[:], r.At.Unix()); err != nil {
		return fmt.Errorf("owe receipt for %x: %w", r.Envelope, err)
	}
	return nil
}

// OwedReceipts returns the receipts owed, oldest first.
func (s *Store) OwedReceipts(ctx context.Context) ([]*OwedReceipt, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT envelope, org, case_id, at FROM receipts_owed ORDER BY at, rowid`)
	if err != nil {
		return nil, fmt.Errorf("list owed receipts: %w", err)
	}
	defer rows.Close()
	var out []*OwedReceipt
	for rows.Next() {
		var env, org, c []byte
		var at int64
		if err := rows.Scan(&env, &org, &c, &at); err != nil {
			return nil, fmt.Errorf("list owed receipts: %w", err)
		}
		r := &OwedReceipt{At: time.Unix(at, 0).UTC()}
		copy(r.Envelope[:], env)
		copy(r.Org[:], org)
		copy(r.Case[:], c)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list owed receipts: %w", err)
	}
	return out, nil
}

// ClearOwed forgets owed receipts once they are sealed and queued.
func (t *Tx) ClearOwed(ctx context.Context, envelopes [][16]byte) error {
	for _, e := range envelopes {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM receipts_owed WHERE envelope = ?`, e[:]); err != nil {
			return fmt.Errorf("clear owed receipt %x: %w", e, err)
		}
	}
	return nil
}
