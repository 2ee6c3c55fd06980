package casestore

import (
	"context"
	"errors"
	"fmt"
)

// Packets and handovers. A device keeps, for each case, the original
// signed inner envelope of every packet it received or sent for its own
// organisation (sealed with the case key, column "packets.inner"), so that
// it can hand the case over to a colleague's new device, which verifies
// each sender's signature itself (client/handover.go). They are shredded
// with the case, and a recalled packet's is deleted with its entry.
const packetsSchema = `
CREATE TABLE IF NOT EXISTS packets (
	seq INTEGER PRIMARY KEY,
	envelope BLOB NOT NULL UNIQUE,
	case_id BLOB NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	inner BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS packets_case ON packets(case_id, seq);
CREATE TABLE IF NOT EXISTS handovers (
	device BLOB PRIMARY KEY,
	at INTEGER NOT NULL
);
`

// Packet is one original signed packet of a case.
type Packet struct {
	Envelope [16]byte // the original envelope id
	Case     [16]byte
	Inner    []byte // the signed inner envelope, as received or sent
}

// AddPacket keeps the signed inner envelope of a packet of a case. It does
// nothing when the case is not in the store (a packet refused or about
// nothing this device holds) or the packet is already kept.
func (t *Tx) AddPacket(ctx context.Context, caseID, envelope [16]byte, inner []byte) error {
	key, err := t.s.caseKey(ctx, t.tx, caseID)
	if errors.Is(err, ErrNoCase) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("keep packet %x: %w", envelope, err)
	}
	sealed, err := SealColumn(key, caseID, "packets.inner", inner)
	if err != nil {
		return fmt.Errorf("keep packet %x: %w", envelope, err)
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO packets (envelope, case_id, inner) VALUES (?, ?, ?) ON CONFLICT(envelope) DO NOTHING`,
		envelope[:], caseID[:], sealed); err != nil {
		return fmt.Errorf("keep packet %x: %w", envelope, err)
	}
	return nil
}

// Packets returns the kept packets of a case, in the order they were kept.
func (s *Store) Packets(ctx context.Context, caseID [16]byte) ([]Packet, error) {
	key, err := s.caseKey(ctx, s.db, caseID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT envelope, inner FROM packets WHERE case_id = ? ORDER BY seq`, caseID[:])
	if err != nil {
		return nil, fmt.Errorf("packets of case %x: %w", caseID, err)
	}
	defer rows.Close()
	var out []Packet
	for rows.Next() {
		var env, sealed []byte
		if err := rows.Scan(&env, &sealed); err != nil {
			return nil, fmt.Errorf("packets of case %x: %w", caseID, err)
		}
		inner, err := OpenColumn(key, caseID, "packets.inner", sealed)
		if err != nil {
			return nil, err
		}
		p := Packet{Case: caseID, Inner: inner}
		copy(p.Envelope[:], env)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("packets of case %x: %w", caseID, err)
	}
	return out, nil
}

// HandedOverTo reports whether this device has handed its open cases to
// device.
func (s *Store) HandedOverTo(ctx context.Context, device [16]byte) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM handovers WHERE device = ?`, device[:]).Scan(&n); err != nil {
		return false, fmt.Errorf("look up handover to %x: %w", device, err)
	}
	return n > 0, nil
}

// MarkHandedOver records that this device handed its open cases to device.
func (t *Tx) MarkHandedOver(ctx context.Context, device [16]byte, at int64) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO handovers (device, at) VALUES (?, ?) ON CONFLICT(device) DO UPDATE SET at = excluded.at`,
		device[:], at); err != nil {
		return fmt.Errorf("record handover to %x: %w", device, err)
	}
	return nil
}

// DeletePacket forgets a kept packet (one this device recalled).
func (t *Tx) DeletePacket(ctx context.Context, caseID, envelope [16]byte) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM packets WHERE envelope = ? AND case_id = ?`, envelope[:], caseID[:]); err != nil {
		return fmt.Errorf("delete packet %x: %w", envelope, err)
	}
	return nil
}
