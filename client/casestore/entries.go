package casestore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Entry kinds and directions.
const (
	KindReferral = "referral"
	KindMessage  = "message"

	DirectionSent     = "sent"
	DirectionReceived = "received"
)

// Entry is one referral or case message in a case, sent or received.
type Entry struct {
	Envelope     [16]byte // the envelope it came in or went out in (for a sent packet, the first of its envelopes)
	Case         [16]byte
	Kind         string // KindReferral or KindMessage
	Direction    string // DirectionSent or DirectionReceived
	At           time.Time
	SenderOrg    [16]byte
	SenderDevice [16]byte
	// SenderOrgName and SenderDeviceName are the names from the sender's
	// verified certificates at the time the entry was stored (sealed).
	SenderOrgName    string
	SenderDeviceName string
	// Body is the payload bytes as carried (sealed).
	Body []byte
	// Unreadable is set (and Body and the sender names left empty) when
	// the entry's sealed columns do not open: a damaged byte on disk. The
	// rest of the case still reads (Entries never fails for one entry).
	Unreadable bool
}

type senderNames struct {
	Org    string `json:"org"`
	Device string `json:"device"`
}

// AddEntry stores an entry in its case (which must exist) and moves the
// case's last activity forward to the entry's time.
func (t *Tx) AddEntry(ctx context.Context, e *Entry) error {
	t.touch(e.Case)
	key, err := t.s.caseKey(ctx, t.tx, e.Case)
	if err != nil {
		return fmt.Errorf("add entry %x: %w", e.Envelope, err)
	}
	names, err := json.Marshal(senderNames{Org: e.SenderOrgName, Device: e.SenderDeviceName})
	if err != nil {
		return fmt.Errorf("add entry %x: %w", e.Envelope, err)
	}
	sealedNames, err := SealColumn(key, e.Case, "entries.sender_names", names)
	if err != nil {
		return fmt.Errorf("add entry %x: %w", e.Envelope, err)
	}
	body, err := SealColumn(key, e.Case, "entries.body", e.Body)
	if err != nil {
		return fmt.Errorf("add entry %x: %w", e.Envelope, err)
	}
	if _, err := t.tx.ExecContext(ctx,
		`INSERT INTO entries (envelope, case_id, kind, direction, at, sender_org, sender_device, sender_names, body)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Envelope[:], e.Case[:], e.Kind, e.Direction, e.At.Unix(), e.SenderOrg[:], e.SenderDevice[:], sealedNames, body); err != nil {
		return fmt.Errorf("add entry %x: %w", e.Envelope, err)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE cases SET updated = max(updated, ?) WHERE id = ?`, e.At.Unix(), e.Case[:]); err != nil {
		return fmt.Errorf("add entry %x: %w", e.Envelope, err)
	}
	return nil
}

// Entries returns the entries of a case, oldest first.
func (s *Store) Entries(ctx context.Context, caseID [16]byte) ([]*Entry, error) {
	return s.entries(ctx, caseID, `SELECT envelope, kind, direction, at, sender_org, sender_device, sender_names, body
		 FROM entries WHERE case_id = ? ORDER BY at, rowid`, caseID[:])
}

// entries runs a query of entries of one case; a NULL body is left nil.
func (s *Store) entries(ctx context.Context, caseID [16]byte, query string, args ...any) ([]*Entry, error) {
	return s.entriesIn(ctx, s.db, caseID, query, args...)
}

// entriesIn is entries through q (the store or a transaction).
func (s *Store) entriesIn(ctx context.Context, q querier, caseID [16]byte, query string, args ...any) ([]*Entry, error) {
	key, err := s.caseKey(ctx, q, caseID)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list entries of case %x: %w", caseID, err)
	}
	defer rows.Close()
	var out []*Entry
	for rows.Next() {
		var (
			env, org, dev, names, body []byte
			at                         int64
			e                          = Entry{Case: caseID}
		)
		if err := rows.Scan(&env, &e.Kind, &e.Direction, &at, &org, &dev, &names, &body); err != nil {
			return nil, fmt.Errorf("list entries of case %x: %w", caseID, err)
		}
		copy(e.Envelope[:], env)
		copy(e.SenderOrg[:], org)
		copy(e.SenderDevice[:], dev)
		e.At = time.Unix(at, 0).UTC()
		var sn senderNames
		n, err := OpenColumn(key, caseID, "entries.sender_names", names)
		if err == nil {
			err = json.Unmarshal(n, &sn)
		}
		if err == nil && body != nil {
			e.Body, err = OpenColumn(key, caseID, "entries.body", body)
		}
		if err != nil {
			// One damaged entry must not hide the whole case.
			e.Body, e.Unreadable = nil, true
		} else {
			e.SenderOrgName, e.SenderDeviceName = sn.Org, sn.Device
		}
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list entries of case %x: %w", caseID, err)
	}
	return out, nil
}

// Receipt is a delivery receipt received from a device that opened one of
// this organisation's envelopes.
type Receipt struct {
	Envelope     [16]byte // the envelope the receipt came in
	Case         [16]byte
	For          [16]byte // the envelope it acknowledges
	ReaderOrg    [16]byte
	ReaderDevice [16]byte
	ReadAt       time.Time // as the reader signed it
	Received     time.Time
}

// AddReceipt records a delivery receipt. The case need not be known.
func (t *Tx) AddReceipt(ctx context.Context, r *Receipt) error {
	if _, err := t.tx.ExecContext(ctx,
		`INSERT INTO receipts (envelope, case_id, for_envelope, reader_org, reader_device, read_at, received) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.Envelope[:], r.Case[:], r.For[:], r.ReaderOrg[:], r.ReaderDevice[:], r.ReadAt.Unix(), r.Received.Unix()); err != nil {
		return fmt.Errorf("add receipt %x: %w", r.Envelope, err)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE cases SET updated = max(updated, ?) WHERE id = ?`, r.Received.Unix(), r.Case[:]); err != nil {
		return fmt.Errorf("add receipt %x: %w", r.Envelope, err)
	}
	return nil
}

// Receipts returns the receipts recorded for a case, oldest first.
func (s *Store) Receipts(ctx context.Context, caseID [16]byte) ([]*Receipt, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT envelope, for_envelope, reader_org, reader_device, read_at, received FROM receipts WHERE case_id = ? ORDER BY read_at, rowid`, caseID[:])
	if err != nil {
		return nil, fmt.Errorf("list receipts of case %x: %w", caseID, err)
	}
	defer rows.Close()
	var out []*Receipt
	for rows.Next() {
		var (
			env, forEnv, org, dev []byte
			readAt, received      int64
			r                     = Receipt{Case: caseID}
		)
		if err := rows.Scan(&env, &forEnv, &org, &dev, &readAt, &received); err != nil {
			return nil, fmt.Errorf("list receipts of case %x: %w", caseID, err)
		}
		copy(r.Envelope[:], env)
		copy(r.For[:], forEnv)
		copy(r.ReaderOrg[:], org)
		copy(r.ReaderDevice[:], dev)
		r.ReadAt = time.Unix(readAt, 0).UTC()
		r.Received = time.Unix(received, 0).UTC()
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list receipts of case %x: %w", caseID, err)
	}
	return out, nil
}
