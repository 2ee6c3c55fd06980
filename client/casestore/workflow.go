package casestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Entry kinds of the referral workflow, besides KindReferral and
// KindMessage. The body of each is the payload as carried.
const (
	KindApproval      = "approval"
	KindOffer         = "offer"
	KindOfferDecision = "offer-decision"
	KindDetails       = "household-details"
	KindStatus        = "status-update"
	KindAttachment    = "attachment-chunk"
	KindReadReceipt   = "read-receipt"
	KindRecall        = "recall"
	KindRecallReceipt = "recall-receipt"
)

// SetState stores the case's workflow state (an opaque blob, sealed with
// the case key), replacing the previous one. The case must exist.
func (t *Tx) SetState(ctx context.Context, caseID [16]byte, state []byte) error {
	t.touch(caseID)
	key, err := t.s.caseKey(ctx, t.tx, caseID)
	if err != nil {
		return fmt.Errorf("set state of case %x: %w", caseID, err)
	}
	sealed, err := SealColumn(key, caseID, "case_state.state", state)
	if err != nil {
		return fmt.Errorf("set state of case %x: %w", caseID, err)
	}
	if _, err := t.tx.ExecContext(ctx,
		`INSERT INTO case_state (case_id, state) VALUES (?, ?) ON CONFLICT(case_id) DO UPDATE SET state = excluded.state`,
		caseID[:], sealed); err != nil {
		return fmt.Errorf("set state of case %x: %w", caseID, err)
	}
	return nil
}

// State returns the case's workflow state as seen inside the transaction,
// or nil when none was stored. It fails with ErrNoCase for an unknown case.
func (t *Tx) State(ctx context.Context, caseID [16]byte) ([]byte, error) {
	return t.s.state(ctx, t.tx, caseID)
}

// State returns the case's workflow state, or nil when none was stored.
// It fails with ErrNoCase for an unknown case.
func (s *Store) State(ctx context.Context, caseID [16]byte) ([]byte, error) {
	return s.state(ctx, s.db, caseID)
}

func (s *Store) state(ctx context.Context, q querier, caseID [16]byte) ([]byte, error) {
	key, err := s.caseKey(ctx, q, caseID)
	if err != nil {
		return nil, err
	}
	var sealed []byte
	err = q.QueryRowContext(ctx, `SELECT state FROM case_state WHERE case_id = ?`, caseID[:]).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state of case %x: %w", caseID, err)
	}
	return OpenColumn(key, caseID, "case_state.state", sealed)
}

// SentEnvelope is one of the envelopes a sent packet went out in: a packet
// for several organisations is sealed once per organisation, so each
// recipient knows it by a different envelope id. Entry is the id the
// packet's entry is stored under (its first envelope).
type SentEnvelope struct {
	Envelope [16]byte
	Entry    [16]byte
	Mailbox  [16]byte
}

// AddSentEnvelopes records the envelopes a sent packet of a case went out in.
func (t *Tx) AddSentEnvelopes(ctx context.Context, caseID [16]byte, envs []SentEnvelope) error {
	for _, e := range envs {
		if _, err := t.tx.ExecContext(ctx,
			`INSERT OR IGNORE INTO sent_envelopes (envelope, case_id, entry, mailbox) VALUES (?, ?, ?, ?)`,
			e.Envelope[:], caseID[:], e.Entry[:], e.Mailbox[:]); err != nil {
			return fmt.Errorf("record sent envelope %x: %w", e.Envelope, err)
		}
	}
	return nil
}

// SentEnvelopes returns the envelopes this device sent in a case.
func (s *Store) SentEnvelopes(ctx context.Context, caseID [16]byte) ([]SentEnvelope, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT envelope, entry, mailbox FROM sent_envelopes WHERE case_id = ? ORDER BY rowid`, caseID[:])
	if err != nil {
		return nil, fmt.Errorf("list sent envelopes of case %x: %w", caseID, err)
	}
	defer rows.Close()
	var out []SentEnvelope
	for rows.Next() {
		var env, entry, mb []byte
		if err := rows.Scan(&env, &entry, &mb); err != nil {
			return nil, fmt.Errorf("list sent envelopes of case %x: %w", caseID, err)
		}
		var e SentEnvelope
		copy(e.Envelope[:], env)
		copy(e.Entry[:], entry)
		copy(e.Mailbox[:], mb)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sent envelopes of case %x: %w", caseID, err)
	}
	return out, nil
}

// DeleteEntry removes the entry of a case stored under envelope, but only
// if it came from senderOrg (a recall shreds only the recalling
// organisation's own packets). It reports whether an entry was removed.
// The deleted row lingers in free pages until Compact.
func (t *Tx) DeleteEntry(ctx context.Context, caseID, envelope, senderOrg [16]byte) (bool, error) {
	t.touch(caseID)
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM chunks WHERE envelope = ? AND case_id = ?`, envelope[:], caseID[:]); err != nil {
		return false, fmt.Errorf("delete entry %x: %w", envelope, err)
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM entries WHERE envelope = ? AND case_id = ? AND sender_org = ?`,
		envelope[:], caseID[:], senderOrg[:])
	if err != nil {
		return false, fmt.Errorf("delete entry %x: %w", envelope, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("delete entry %x: %w", envelope, err)
	}
	if n > 0 {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM packets WHERE envelope = ? AND case_id = ?`, envelope[:], caseID[:]); err != nil {
			return false, fmt.Errorf("delete packet %x: %w", envelope, err)
		}
	}
	return n > 0, nil
}

// Compact vacuums the database and truncates its WAL, so that no page of
// a deleted row (a recalled packet) lingers in either file.
func (s *Store) Compact(ctx context.Context) error {
	if err := s.compact(ctx); err != nil {
		return fmt.Errorf("compact case store: %w", err)
	}
	return nil
}

// OutcomeRecord is one outcome statistic a coordinator device received:
// which landlord's tenant was rehoused (Giving, zero when none in the
// scheme) by which landlord (Receiving). It names no person and no case.
type OutcomeRecord struct {
	ID            [16]byte
	Giving        [16]byte
	Receiving     [16]byte
	MovedMonth    string
	DaysToRehouse int
	Bedrooms      int
	SenderOrg     [16]byte
	Received      time.Time
	// Role is who attested it (payload.OutcomeByNominator or
	// payload.OutcomeByReceivingLandlord) and Token the per-case token
	// that pairs the two attestations of one move.
	Role  string
	Token [16]byte
}

// AddOutcome records an outcome statistic; it reports false (and changes
// nothing) when an outcome with the same id is already recorded.
func (t *Tx) AddOutcome(ctx context.Context, o *OutcomeRecord) (bool, error) {
	res, err := t.tx.ExecContext(ctx,
		`INSERT OR IGNORE INTO outcomes (id, giving, receiving, moved_month, days, bedrooms, sender_org, received, role, token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID[:], o.Giving[:], o.Receiving[:], o.MovedMonth, o.DaysToRehouse, o.Bedrooms, o.SenderOrg[:], o.Received.Unix(), o.Role, o.Token[:])
	if err != nil {
		return false, fmt.Errorf("record outcome %x: %w", o.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record outcome %x: %w", o.ID, err)
	}
	return n > 0, nil
}

// Outcomes returns every outcome statistic recorded, oldest first.
func (s *Store) Outcomes(ctx context.Context) ([]OutcomeRecord, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, giving, receiving, moved_month, days, bedrooms, sender_org, received, role, token FROM outcomes ORDER BY received, rowid`)
	if err != nil {
		return nil, fmt.Errorf("list outcomes: %w", err)
	}
	defer rows.Close()
	var out []OutcomeRecord
	for rows.Next() {
		var (
			id, giving, receiving, sender, token []byte
			received                             int64
			o                                    OutcomeRecord
		)
		if err := rows.Scan(&id, &giving, &receiving, &o.MovedMonth, &o.DaysToRehouse, &o.Bedrooms, &sender, &received, &o.Role, &token); err != nil {
			return nil, fmt.Errorf("list outcomes: %w", err)
		}
		copy(o.ID[:], id)
		copy(o.Giving[:], giving)
		copy(o.Receiving[:], receiving)
		copy(o.SenderOrg[:], sender)
		copy(o.Token[:], token)
		o.Received = time.Unix(received, 0).UTC()
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list outcomes: %w", err)
	}
	return out, nil
}
