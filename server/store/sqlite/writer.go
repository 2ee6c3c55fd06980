package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/internal/storeutil"
)

// maxBatch bounds how many queued writes one group commit takes.
const maxBatch = 512

// writeOp is one write waiting for the group-commit writer: a put or a batch of
// acknowledgements. The writer answers on done (capacity 1) exactly once.
type writeOp struct {
	ctx  context.Context
	put  *putOp
	acks []store.Acks
	done chan opResult
}

type putOp struct {
	e       store.Envelope
	devices [][16]byte
	quota   store.Quota
}

type opResult struct {
	deleted int
	err     error
}

// errBatch marks a failure of the whole group commit (as opposed to one
// write's own refusal): every write in the batch gets it.
var errBatch = errors.New("group commit failed")

// statements are prepared once on the write connection and reused by every
// transaction (Tx.StmtContext rebinds them without preparing again, as the
// write pool has one connection).
type statements struct {
	exists, quota, insertEnvelope, insertDelivery, undeliver, drop *sql.Stmt
}

func prepare(ctx context.Context, db *sql.DB) (*statements, error) {
	var st statements
	for _, p := range []struct {
		dst *(*sql.Stmt)
		sql string
	}{
		{&st.exists, `SELECT COUNT(*) FROM envelopes WHERE id = ?`},
		{&st.quota, `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM envelopes WHERE mailbox = ?`},
		{&st.insertEnvelope, `INSERT INTO envelopes (id, mailbox, expiry, received, size, body) VALUES (?, ?, ?, ?, ?, ?)`},
		{&st.insertDelivery, `INSERT INTO deliveries (device, seq) VALUES (?, ?)`},
		{&st.undeliver, `DELETE FROM deliveries WHERE device = ? AND seq = (SELECT seq FROM envelopes WHERE id = ?)`},
		{&st.drop, `DELETE FROM envelopes WHERE id = ? AND NOT EXISTS (SELECT 1 FROM deliveries WHERE deliveries.seq = envelopes.seq)`},
	} {
		stmt, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.dst = stmt
	}
	return &st, nil
}

func (st *statements) close() {
	for _, s := range []*sql.Stmt{st.exists, st.quota, st.insertEnvelope, st.insertDelivery, st.undeliver, st.drop} {
		if s != nil {
			s.Close()
		}
	}
}

// submit hands o to the writer and waits for its answer. Once queued, a
// write is always answered: the writer skips one whose context has ended
// before it starts, and otherwise commits or fails it with its batch.
func (s *Store) submit(o *writeOp) opResult {
	o.done = make(chan opResult, 1)
	s.submitMu.RLock()
	if s.closed.Load() {
		s.submitMu.RUnlock()
		return opResult{err: store.ErrClosed}
	}
	select {
	case s.ops <- o:
		s.submitMu.RUnlock()
	case <-o.ctx.Done():
		s.submitMu.RUnlock()
		return opResult{err: o.ctx.Err()}
	}
	return <-o.done
}

// writeLoop is the group-commit writer: it takes every write queued while
// the previous commit ran, applies them in one transaction, commits once
// (one fsync) and answers each.
func (s *Store) writeLoop() {
	defer close(s.writerDone)
	batch := make([]*writeOp, 0, maxBatch)
	results := make([]opResult, 0, maxBatch)
	for {
		var first *writeOp
		select {
		case first = <-s.ops:
		case <-s.stop:
			// Close holds submitMu, so nothing more arrives.
			for {
				select {
				case o := <-s.ops:
					o.done <- opResult{err: store.ErrClosed}
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	drain:
		for len(batch) < maxBatch {
			select {
			case o := <-s.ops:
				batch = append(batch, o)
			default:
				break drain
			}
		}
		results = s.commitBatch(batch, results[:0])
		for i, o := range batch {
			o.done <- results[i]
			batch[i] = nil
		}
	}
}

// commitBatch applies batch in one transaction and returns each write's
// result.
func (s *Store) commitBatch(batch []*writeOp, results []opResult) []opResult {
	ctx := context.Background()
	fail := func(err error) []opResult {
		results = results[:0]
		for range batch {
			results = append(results, opResult{err: fmt.Errorf("%w: %w", errBatch, err)})
		}
		return results
	}
	// The batch holds the write connection from start to end, so that a
	// relaxed synchronous setting never outlives it.
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	if !holdsPut(batch) {
		if err := relaxSync(ctx, conn); err != nil {
			return fail(err)
		}
		defer restoreSync(ctx, conn)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	now := time.Now().Unix()
	for _, o := range batch {
		if err := o.ctx.Err(); err != nil {
			results = append(results, opResult{err: err})
			continue
		}
		var r opResult
		if o.put != nil {
			r.err = s.applyPut(ctx, tx, o.put, now)
		} else {
			r.deleted, r.err = s.applyAcks(ctx, tx, o.acks)
		}
		if r.err != nil && !errors.Is(r.err, store.ErrDuplicate) && !errors.Is(r.err, store.ErrMailboxFull) {
			return fail(r.err)
		}
		results = append(results, r)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return results
}

// holdsPut reports whether batch stores an envelope. A batch of
// acknowledgements alone is committed without waiting for the disk: a lost
// acknowledgement only causes a redelivery (protocol/SPEC.md, "Delivery"),
// so it need not cost an fsync, nor hold up the puts queued behind it.
func holdsPut(batch []*writeOp) bool {
	for _, o := range batch {
		if o.put != nil {
			return true
		}
	}
	return false
}

// relaxSync lets the next commit on conn return before its WAL frames are
// synced (synchronous=NORMAL: in WAL mode the database stays consistent;
// only the last transactions may be lost in a power failure, not when the
// process dies). The next synced commit syncs them too.
func relaxSync(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous=NORMAL`); err != nil {
		return fmt.Errorf("relax synchronous: %w", err)
	}
	return nil
}

// restoreSync puts conn back to synchronous=FULL; if it cannot, the
// connection is discarded (a new one opens with FULL), so no put is ever
// committed without its fsync.
func restoreSync(ctx context.Context, conn *sql.Conn) {
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous=FULL`); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// applyPut stores one envelope inside the group transaction. It refuses a
// duplicate or a full mailbox before writing anything.
func (s *Store) applyPut(ctx context.Context, tx *sql.Tx, p *putOp, now int64) error {
	e := p.e
	var exists int
	if err := tx.StmtContext(ctx, s.st.exists).QueryRowContext(ctx, e.ID[:]).Scan(&exists); err != nil {
		return err
	}
	if exists > 0 {
		return store.ErrDuplicate
	}
	if p.quota.MaxEnvelopes > 0 || p.quota.MaxBytes > 0 {
		var count, size int64
		if err := tx.StmtContext(ctx, s.st.quota).QueryRowContext(ctx, e.Mailbox[:]).Scan(&count, &size); err != nil {
			return err
		}
		if p.quota.MaxEnvelopes > 0 && count >= int64(p.quota.MaxEnvelopes) {
			return fmt.Errorf("mailbox %x holds %d envelopes: %w", e.Mailbox, count, store.ErrMailboxFull)
		}
		if p.quota.MaxBytes > 0 && size+int64(len(e.Body)) > p.quota.MaxBytes {
			return fmt.Errorf("mailbox %x holds %d bytes: %w", e.Mailbox, size, store.ErrMailboxFull)
		}
	}
	body := e.Body
	if body == nil {
		body = []byte{}
	}
	res, err := tx.StmtContext(ctx, s.st.insertEnvelope).ExecContext(ctx,
		e.ID[:], e.Mailbox[:], storeutil.ExpirySeconds(e.Expiry), now, len(body), body)
	if err != nil {
		return err
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if len(p.devices) > 0 {
		ins := tx.StmtContext(ctx, s.st.insertDelivery)
		for _, d := range p.devices {
			if _, err := ins.ExecContext(ctx, d[:], seq); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyAcks removes acknowledged deliveries inside the group transaction
// and deletes the envelopes left with none.
func (s *Store) applyAcks(ctx context.Context, tx *sql.Tx, acks []store.Acks) (int, error) {
	undeliver := tx.StmtContext(ctx, s.st.undeliver)
	drop := tx.StmtContext(ctx, s.st.drop)
	deleted := 0
	for _, a := range acks {
		for _, id := range a.IDs {
			n, err := affected(undeliver.ExecContext(ctx, a.Device[:], id[:]))
			if err != nil {
				return 0, fmt.Errorf("envelope %x: %w", id, err)
			}
			if n == 0 {
				continue
			}
			n, err = affected(drop.ExecContext(ctx, id[:]))
			if err != nil {
				return 0, fmt.Errorf("envelope %x: %w", id, err)
			}
			deleted += int(n)
		}
	}
	return deleted, nil
}
