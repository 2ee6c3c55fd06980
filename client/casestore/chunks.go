package casestore

import (
	"context"
	"fmt"
	"time"
)

// Chunk is the index row of one attachment chunk entry: which attachment,
// which chunk, from which organisation, how many bytes. It lets a device
// refuse a chunk it already holds, bound what one case and one sender can
// make it store, and read the case's entries without the chunks' bodies.
// Attachment ids are random and sizes are what the relay already sees, so
// the row reveals nothing the sealed entry would hide.
type Chunk struct {
	Envelope   [16]byte // the entry it indexes
	Case       [16]byte
	Attachment [16]byte
	Index      int
	SenderOrg  [16]byte
	Size       int64 // bytes of chunk data
	At         time.Time
}

// AddChunk indexes a chunk entry. It reports false, and changes nothing,
// when the case already holds that chunk of that attachment from that
// organisation.
func (t *Tx) AddChunk(ctx context.Context, c *Chunk) (bool, error) {
	res, err := t.tx.ExecContext(ctx,
		`INSERT OR IGNORE INTO chunks (envelope, case_id, attachment, idx, sender_org, size, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.Envelope[:], c.Case[:], c.Attachment[:], c.Index, c.SenderOrg[:], c.Size, c.At.Unix())
	if err != nil {
		return false, fmt.Errorf("index chunk %d of %x: %w", c.Index, c.Attachment, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("index chunk %d of %x: %w", c.Index, c.Attachment, err)
	}
	return n > 0, nil
}

// HasChunk reports whether the case holds that chunk of that attachment
// from that organisation.
func (t *Tx) HasChunk(ctx context.Context, caseID, attachment [16]byte, index int, senderOrg [16]byte) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM chunks WHERE case_id = ? AND attachment = ? AND idx = ? AND sender_org = ?`,
		caseID[:], attachment[:], index, senderOrg[:]).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up chunk %d of %x: %w", index, attachment, err)
	}
	return n > 0, nil
}

// ChunkBytes returns the attachment bytes the case holds in all, and
// those from senderOrg stored at or after since in every case.
func (t *Tx) ChunkBytes(ctx context.Context, caseID, senderOrg [16]byte, since time.Time) (caseTotal, fromSender int64, err error) {
	err = t.tx.QueryRowContext(ctx, `SELECT coalesce(sum(size), 0) FROM chunks WHERE case_id = ?`, caseID[:]).Scan(&caseTotal)
	if err == nil {
		err = t.tx.QueryRowContext(ctx, `SELECT coalesce(sum(size), 0) FROM chunks WHERE sender_org = ? AND at >= ?`,
			senderOrg[:], since.Unix()).Scan(&fromSender)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("attachment bytes of case %x: %w", caseID, err)
	}
	return caseTotal, fromSender, nil
}

// Chunks returns the chunk index rows of a case.
func (s *Store) Chunks(ctx context.Context, caseID [16]byte) ([]Chunk, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT envelope, attachment, idx, sender_org, size, at FROM chunks WHERE case_id = ? ORDER BY attachment, idx`, caseID[:])
	if err != nil {
		return nil, fmt.Errorf("chunks of case %x: %w", caseID, err)
	}
	defer rows.Close()
	var out []Chunk
	for rows.Next() {
		var env, att, org []byte
		var at int64
		c := Chunk{Case: caseID}
		if err := rows.Scan(&env, &att, &c.Index, &org, &c.Size, &at); err != nil {
			return nil, fmt.Errorf("chunks of case %x: %w", caseID, err)
		}
		copy(c.Envelope[:], env)
		copy(c.Attachment[:], att)
		copy(c.SenderOrg[:], org)
		c.At = time.Unix(at, 0).UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("chunks of case %x: %w", caseID, err)
	}
	return out, nil
}

// EntriesLazy is Entries without the bodies of attachment chunks other
// than each attachment's first (which names the file): opening a case
// reads its messages and the attachments' names, not every chunk. Entry.Body
// is nil for the chunks left out; Entries or ChunkBodies reads them.
func (s *Store) EntriesLazy(ctx context.Context, caseID [16]byte) ([]*Entry, error) {
	return s.entries(ctx, caseID, `SELECT e.envelope, e.kind, e.direction, e.at, e.sender_org, e.sender_device, e.sender_names,
		CASE WHEN c.idx IS NULL OR c.idx = 0 THEN e.body END
		FROM entries e LEFT JOIN chunks c ON c.envelope = e.envelope WHERE e.case_id = ? ORDER BY e.at, e.rowid`, caseID[:])
}

// ChunkBodies returns the entries of one attachment's chunks with their
// bodies, oldest first.
func (s *Store) ChunkBodies(ctx context.Context, caseID, attachment [16]byte) ([]*Entry, error) {
	return s.entries(ctx, caseID, `SELECT e.envelope, e.kind, e.direction, e.at, e.sender_org, e.sender_device, e.sender_names, e.body
		FROM entries e JOIN chunks c ON c.envelope = e.envelope WHERE e.case_id = ? AND c.attachment = ? ORDER BY c.idx, e.rowid`,
		caseID[:], attachment[:])
}
