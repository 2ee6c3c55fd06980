package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/internal/storeutil"
)

// pendingQuery reads one device's waiting envelopes; prepared once on the
// read pool.
const pendingQuery = `SELECT e.seq, e.id, e.mailbox, e.expiry, e.received, e.body
	   FROM deliveries d JOIN envelopes e ON e.seq = d.seq
	  WHERE d.device = ? AND d.seq > ? AND e.expiry > ?
	  ORDER BY d.seq LIMIT ?`

// Pending returns up to limit unexpired envelopes waiting for device after
// Seq after, in Seq order.
func (s *Store) Pending(ctx context.Context, device [16]byte, after uint64, limit int, now time.Time) ([]store.Envelope, error) {
	op := fmt.Sprintf("pending for device %x", device)
	if err := s.usable(op); err != nil {
		return nil, err
	}
	if err := storeutil.CheckLimit(limit); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows, err := s.pending.QueryContext(ctx, device[:], storeutil.Cursor(after), now.Unix(), limit)
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer rows.Close()
	var envelopes []store.Envelope
	for rows.Next() {
		var (
			e                     store.Envelope
			seq, expiry, received int64
			id, mailbox           []byte
		)
		if err := rows.Scan(&seq, &id, &mailbox, &expiry, &received, &e.Body); err != nil {
			return nil, s.fail(op, err)
		}
		if len(id) != 16 || len(mailbox) != 16 {
			return nil, fmt.Errorf("%s: envelope %d: corrupt id or mailbox", op, seq)
		}
		e.Seq = uint64(seq)
		copy(e.ID[:], id)
		copy(e.Mailbox[:], mailbox)
		e.Expiry = storeutil.UnixUTC(expiry)
		e.Received = storeutil.UnixUTC(received)
		envelopes = append(envelopes, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(op, err)
	}
	return envelopes, nil
}

// Ack removes device's deliveries of ids and deletes the envelopes left with
// none.
func (s *Store) Ack(ctx context.Context, device [16]byte, ids [][16]byte) (int, error) {
	return s.AckBatch(ctx, []store.Acks{{Device: device, IDs: ids}})
}

// AckBatch applies many devices' acknowledgements in one group commit.
func (s *Store) AckBatch(ctx context.Context, acks []store.Acks) (int, error) {
	const op = "acknowledge envelopes"
	if err := s.usable(op); err != nil {
		return 0, err
	}
	n := 0
	for _, a := range acks {
		n += len(a.IDs)
	}
	if n == 0 {
		return 0, nil
	}
	r := s.submit(&writeOp{ctx: ctx, acks: acks}, nil)
	if r.err != nil {
		return 0, s.fail(op, r.err)
	}
	return r.deleted, nil
}

// Expire deletes every envelope whose Expiry <= now.
func (s *Store) Expire(ctx context.Context, now time.Time) (int, error) {
	const op = "expire envelopes"
	if err := s.usable(op); err != nil {
		return 0, err
	}
	n, err := affected(s.write.ExecContext(ctx, `DELETE FROM envelopes WHERE expiry <= ?`, now.Unix()))
	if err != nil {
		return 0, s.fail(op, err)
	}
	return int(n), nil
}

// DropDevice removes every delivery of device and deletes the envelopes left
// with none.
func (s *Store) DropDevice(ctx context.Context, device [16]byte) (int, error) {
	op := fmt.Sprintf("drop device %x", device)
	if err := s.usable(op); err != nil {
		return 0, err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.fail(op, err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `DELETE FROM deliveries WHERE device = ? RETURNING seq`, device[:])
	if err != nil {
		return 0, s.fail(op, err)
	}
	var seqs []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			rows.Close()
			return 0, s.fail(op, err)
		}
		seqs = append(seqs, seq)
	}
	if err := rows.Close(); err != nil {
		return 0, s.fail(op, err)
	}
	if err := rows.Err(); err != nil {
		return 0, s.fail(op, err)
	}
	drop, err := tx.PrepareContext(ctx,
		`DELETE FROM envelopes WHERE seq = ? AND NOT EXISTS (SELECT 1 FROM deliveries WHERE deliveries.seq = envelopes.seq)`)
	if err != nil {
		return 0, s.fail(op, err)
	}
	defer drop.Close()
	deleted := 0
	for _, seq := range seqs {
		n, err := affected(drop.ExecContext(ctx, seq))
		if err != nil {
			return 0, s.fail(op, err)
		}
		deleted += int(n)
	}
	if err := tx.Commit(); err != nil {
		return 0, s.fail(op, err)
	}
	return deleted, nil
}

// affected returns the rows an Exec changed.
func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
