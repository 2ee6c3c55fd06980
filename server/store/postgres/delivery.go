package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/internal/storeutil"
)

// dropUndelivered deletes those of seqs with no delivery left.
const dropUndelivered = `DELETE FROM envelopes
	WHERE seq = ANY($1) AND NOT EXISTS (SELECT 1 FROM deliveries WHERE deliveries.seq = envelopes.seq)`

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
	rows, err := s.pool.Query(ctx,
		`SELECT e.seq, e.id, e.mailbox, e.expiry, e.received, e.body
		   FROM deliveries d JOIN envelopes e ON e.seq = d.seq
		  WHERE d.device = $1 AND d.seq > $2 AND e.expiry > $3
		  ORDER BY d.seq LIMIT $4`,
		device[:], storeutil.Cursor(after), now.Unix(), limit)
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

// ackDeliveries locks the acknowledged envelopes in Seq order, then
// deletes the acknowledging devices' deliveries of them; $1 and $2 are
// parallel arrays of (device, envelope id) pairs.
const ackDeliveries = `WITH p AS (SELECT * FROM unnest($1::bytea[], $2::bytea[]) AS p(device, id)),
	l AS (SELECT seq, id FROM envelopes WHERE id IN (SELECT id FROM p) ORDER BY seq FOR UPDATE)
	DELETE FROM deliveries d USING p, l
	 WHERE l.id = p.id AND d.device = p.device AND d.seq = l.seq
	RETURNING d.seq`

// AckBatch applies many devices' acknowledgements in one transaction.
func (s *Store) AckBatch(ctx context.Context, acks []store.Acks) (int, error) {
	const op = "acknowledge envelopes"
	if err := s.usable(op); err != nil {
		return 0, err
	}
	var devices, ids [][]byte
	for _, a := range acks {
		for _, id := range a.IDs {
			devices = append(devices, a.Device[:])
			ids = append(ids, id[:])
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, s.fail(op, err)
	}
	defer rollback(ctx, tx)
	// A lost acknowledgement only causes a redelivery (protocol/SPEC.md,
	// "Delivery"), so the commit need not wait for its WAL flush.
	if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return 0, s.fail(op, err)
	}
	rows, err := tx.Query(ctx, ackDeliveries, devices, ids)
	if err != nil {
		return 0, s.fail(op, err)
	}
	removed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, s.fail(op, err)
	}
	return s.dropUndeliveredAndCommit(ctx, tx, op, removed)
}

// DropDevice removes every delivery of device and deletes the envelopes left
// with none.
func (s *Store) DropDevice(ctx context.Context, device [16]byte) (int, error) {
	op := fmt.Sprintf("drop device %x", device)
	if err := s.usable(op); err != nil {
		return 0, err
	}
	return s.undeliver(ctx, op,
		`SELECT e.seq FROM envelopes e JOIN deliveries d ON d.seq = e.seq WHERE d.device = $1 ORDER BY e.seq FOR UPDATE OF e`, device[:],
		`DELETE FROM deliveries WHERE device = $1 AND seq = ANY($2) RETURNING seq`, device)
}

// undeliver locks the envelopes that lockQuery selects (in Seq order),
// deletes device's deliveries of them and then the envelopes left with no
// delivery, in one transaction. It returns how many envelopes it deleted.
func (s *Store) undeliver(ctx context.Context, op, lockQuery string, lockArg any, deleteQuery string, device [16]byte) (int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, s.fail(op, err)
	}
	defer rollback(ctx, tx)
	rows, err := tx.Query(ctx, lockQuery, lockArg)
	if err != nil {
		return 0, s.fail(op, err)
	}
	locked, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, s.fail(op, err)
	}
	if len(locked) == 0 {
		return 0, nil
	}
	rows, err = tx.Query(ctx, deleteQuery, device[:], locked)
	if err != nil {
		return 0, s.fail(op, err)
	}
	removed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, s.fail(op, err)
	}
	return s.dropUndeliveredAndCommit(ctx, tx, op, removed)
}

// Expire deletes every envelope whose Expiry <= now.
func (s *Store) Expire(ctx context.Context, now time.Time) (int, error) {
	const op = "expire envelopes"
	if err := s.usable(op); err != nil {
		return 0, err
	}
	tag, err := s.pool.Exec(ctx,
		`DELETE FROM envelopes WHERE seq IN (
			SELECT seq FROM envelopes WHERE expiry <= $1 ORDER BY seq FOR UPDATE)`,
		now.Unix())
	if err != nil {
		return 0, s.fail(op, err)
	}
	return int(tag.RowsAffected()), nil
}

// dropUndeliveredAndCommit deletes those of the envelopes removed (Seqs
// whose deliveries were just deleted) that have no delivery left, and
// commits tx. It returns how many envelopes it deleted.
func (s *Store) dropUndeliveredAndCommit(ctx context.Context, tx pgx.Tx, op string, removed []int64) (int, error) {
	var deleted int64
	if len(removed) > 0 {
		tag, err := tx.Exec(ctx, dropUndelivered, removed)
		if err != nil {
			return 0, s.fail(op, err)
		}
		deleted = tag.RowsAffected()
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, s.fail(op, err)
	}
	return int(deleted), nil
}
