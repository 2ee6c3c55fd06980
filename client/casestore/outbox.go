package casestore

import (
	"context"
	"fmt"
	"time"
)

// OutboxItem is a sealed envelope waiting to be sent to the relay. Its data
// is already age ciphertext, so it is kept as it is.
type OutboxItem struct {
	Envelope [16]byte
	Mailbox  [16]byte
	Data     []byte // the encoded outer envelope
	Created  time.Time
	// Case is the case the envelope belongs to, if any (zero otherwise), so
	// that shredding a case also drops its unsent envelopes.
	Case [16]byte
}

// QueueOutbox adds an envelope to the outbox.
func (t *Tx) QueueOutbox(ctx context.Context, o *OutboxItem) error {
	var caseID []byte
	if o.Case != ([16]byte{}) {
		caseID = o.Case[:]
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO outbox (envelope, mailbox, data, created, case_id) VALUES (?, ?, ?, ?, ?)`,
		o.Envelope[:], o.Mailbox[:], o.Data, o.Created.Unix(), caseID); err != nil {
		return fmt.Errorf("queue envelope %x: %w", o.Envelope, err)
	}
	return nil
}

// Outbox returns the envelopes waiting to be sent, oldest first.
func (s *Store) Outbox(ctx context.Context) ([]*OutboxItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT envelope, mailbox, data, created, case_id FROM outbox ORDER BY created, rowid`)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	defer rows.Close()
	var out []*OutboxItem
	for rows.Next() {
		var (
			env, mb, cid []byte
			created      int64
			o            OutboxItem
		)
		if err := rows.Scan(&env, &mb, &o.Data, &created, &cid); err != nil {
			return nil, fmt.Errorf("list outbox: %w", err)
		}
		copy(o.Envelope[:], env)
		copy(o.Mailbox[:], mb)
		copy(o.Case[:], cid)
		o.Created = time.Unix(created, 0).UTC()
		out = append(out, &o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// RemoveOutbox deletes a sent envelope from the outbox.
func (s *Store) RemoveOutbox(ctx context.Context, id [16]byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM outbox WHERE envelope = ?`, id[:]); err != nil {
		return fmt.Errorf("remove envelope %x from outbox: %w", id, err)
	}
	return nil
}

// OutboxLen returns how many envelopes are waiting to be sent.
func (s *Store) OutboxLen(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count outbox: %w", err)
	}
	return n, nil
}

// RemoveOutbox deletes an envelope from the outbox inside a transaction.
func (t *Tx) RemoveOutbox(ctx context.Context, id [16]byte) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM outbox WHERE envelope = ?`, id[:]); err != nil {
		return fmt.Errorf("remove envelope %x from outbox: %w", id, err)
	}
	return nil
}
