package casestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Rejection records that one of this organisation's envelopes was not
// accepted: refused by a receiving device (a signed rejection receipt), or
// not sent at all by this device (Device is zero and Org this
// organisation: for example, it was dated by a clock that was wrong).
type Rejection struct {
	Envelope [16]byte // the receipt's envelope, or for a local refusal the refused envelope itself
	Case     [16]byte
	For      [16]byte // the envelope not accepted
	Org      [16]byte // who refused it
	Device   [16]byte
	Code     string // a payload.Rejected* code, or a local reason
	At       time.Time
}

// AddRejection records a rejection (idempotent on its envelope).
func (t *Tx) AddRejection(ctx context.Context, r *Rejection) error {
	if _, err := t.tx.ExecContext(ctx,
		`INSERT INTO rejections (envelope, case_id, for_envelope, org, device, code, at) VALUES (?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (envelope) DO NOTHING`,
		r.Envelope[:], r.Case[:], r.For[:], r.Org[:], r.Device[:], r.Code, r.At.Unix()); err != nil {
		return fmt.Errorf("add rejection of %x: %w", r.For, err)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE cases SET updated = max(updated, ?) WHERE id = ?`, r.At.Unix(), r.Case[:]); err != nil {
		return fmt.Errorf("add rejection of %x: %w", r.For, err)
	}
	return nil
}

// Rejections returns the rejections recorded for a case, oldest first.
func (s *Store) Rejections(ctx context.Context, caseID [16]byte) ([]*Rejection, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT envelope, for_envelope, org, device, code, at FROM rejections WHERE case_id = ? ORDER BY at, rowid`, caseID[:])
	if err != nil {
		return nil, fmt.Errorf("list rejections of case %x: %w", caseID, err)
	}
	defer rows.Close()
	var out []*Rejection
	for rows.Next() {
		var env, forEnv, org, dev []byte
		var at int64
		r := Rejection{Case: caseID}
		if err := rows.Scan(&env, &forEnv, &org, &dev, &r.Code, &at); err != nil {
			return nil, fmt.Errorf("list rejections of case %x: %w", caseID, err)
		}
		copy(r.Envelope[:], env)
		copy(r.For[:], forEnv)
		copy(r.Org[:], org)
		copy(r.Device[:], dev)
		r.At = time.Unix(at, 0).UTC()
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list rejections of case %x: %w", caseID, err)
	}
	return out, nil
}

// SentIn returns the case and mailbox of an envelope this device sent, and
// false if it sent no such envelope.
func (s *Store) SentIn(ctx context.Context, envelope [16]byte) (caseID, mailbox [16]byte, ok bool, err error) {
	var c, mb []byte
	err = s.db.QueryRowContext(ctx, `SELECT case_id, mailbox FROM sent_envelopes WHERE envelope = ?`, envelope[:]).Scan(&c, &mb)
	if errors.Is(err, sql.ErrNoRows) {
		return caseID, mailbox, false, nil
	}
	if err != nil {
		return caseID, mailbox, false, fmt.Errorf("look up sent envelope %x: %w", envelope, err)
	}
	copy(caseID[:], c)
	copy(mailbox[:], mb)
	return caseID, mailbox, true, nil
}
