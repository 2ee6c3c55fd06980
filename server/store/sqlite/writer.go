package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/saferef/saferef/internal/atomicfile"
	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/internal/storeutil"
)

// maxBatch bounds how many queued writes one group commit takes.
const maxBatch = 512

// writeOp is one write waiting for the group-commit writer: a put or a batch of
// acknowledgements. The writer answers on done (capacity 1) exactly once;
// for a put it first signals committed (capacity 1) once the put's group
// has committed it, and answers only after the WAL has been synced.
type writeOp struct {
	ctx       context.Context
	put       *putOp
	acks      []store.Acks
	committed chan struct{}
	done      chan opResult
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
	exists, quota, insertEnvelope, undeliver, drop *sql.Stmt
	// insertDeliveries[k] inserts 1<<k delivery rows in one statement,
	// so that an envelope for n devices costs one statement per bit of n.
	insertDeliveries [deliveryChunks]*sql.Stmt
}

// deliveryChunks is how many multi-row delivery inserts are prepared: up
// to 1<<(deliveryChunks-1) rows each.
const deliveryChunks = 7

// insertDeliveriesSQL inserts n delivery rows.
func insertDeliveriesSQL(n int) string {
	return `INSERT INTO deliveries (device, seq) VALUES (?, ?)` + strings.Repeat(`, (?, ?)`, n-1)
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
	for k := range st.insertDeliveries {
		stmt, err := db.PrepareContext(ctx, insertDeliveriesSQL(1<<k))
		if err != nil {
			st.close()
			return nil, fmt.Errorf("prepare delivery insert of %d rows: %w", 1<<k, err)
		}
		st.insertDeliveries[k] = stmt
	}
	return &st, nil
}

func (st *statements) close() {
	for _, s := range append([]*sql.Stmt{st.exists, st.quota, st.insertEnvelope, st.undeliver, st.drop}, st.insertDeliveries[:]...) {
		if s != nil {
			s.Close()
		}
	}
}

// submit hands o to the writer and waits for its answer, calling stored
// (if not nil) once a put has been committed. Once queued, a write is
// always answered: the writer skips one whose context has ended before it
// starts, and otherwise commits or fails it with its batch.
func (s *Store) submit(o *writeOp, stored func()) opResult {
	o.done = make(chan opResult, 1)
	if o.put != nil {
		o.committed = make(chan struct{}, 1)
	}
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
	r, _ := storeutil.AwaitPut(o.committed, o.done, nil, stored)
	return r
}

// syncJob is a group of puts committed without an fsync, for syncLoop to
// answer once the WAL is synced.
type syncJob struct {
	ops     []*writeOp
	results []opResult
}

// syncQueue is how many committed groups may wait for syncLoop before the
// writer waits too.
const syncQueue = 64

// syncLoop makes committed puts durable: it takes every group the writer
// has committed since its last sync, syncs the WAL once (the file holds
// every frame those commits wrote) and answers their puts. The writer,
// meanwhile, already runs the next group's statements: the fsync no longer
// holds up the writes behind it, and a put's recipients get it (through
// PutEnvelope's stored) while its sync is in flight, never its SendOK.
func (s *Store) syncLoop() {
	defer close(s.syncDone)
	var jobs []syncJob
	for job := range s.syncs {
		jobs = append(jobs[:0], job)
	drain:
		for {
			select {
			case j, ok := <-s.syncs:
				if !ok {
					break drain
				}
				jobs = append(jobs, j)
			default:
				break drain
			}
		}
		err := s.syncWAL()
		if err != nil {
			first := err // never written again: writable reads it
			s.syncFailed.CompareAndSwap(nil, &first)
		}
		if p := s.syncFailed.Load(); p != nil {
			err = *p
		}
		for _, j := range jobs {
			for i, o := range j.ops {
				r := j.results[i]
				if err != nil {
					// Not known durable: the put is answered as failed,
					// a duplicate too (its first copy may be unsynced).
					r = opResult{err: fmt.Errorf("%w: %w", errBatch, err)}
				}
				o.done <- r
			}
		}
		clear(jobs)
	}
}

// syncWAL syncs the WAL file through the descriptor opened with the store,
// and the first time also the directory that holds it (as SQLite does for
// a file it has just created). One descriptor, held from the start, is
// told of every write-back error on the file since it was opened, even one
// another descriptor (the checkpointer's) has already seen; and the path
// is checked to still name the same file, so that a WAL replaced behind
// the store is never taken for synced.
func (s *Store) syncWAL() error {
	if s.testBeforeSync != nil {
		if err := s.testBeforeSync(); err != nil {
			return err
		}
	}
	if err := s.wal.Sync(); err != nil {
		return fmt.Errorf("sync the WAL: %w", err)
	}
	held, err := s.wal.Stat()
	if err != nil {
		return fmt.Errorf("sync the WAL: %w", err)
	}
	named, err := os.Stat(s.wal.Name())
	if err != nil || !os.SameFile(held, named) {
		return fmt.Errorf("sync the WAL: %s is no longer the file the store opened (%v)", s.wal.Name(), err)
	}
	if !s.dirSynced {
		if err := atomicfile.SyncDir(filepath.Dir(s.wal.Name())); err != nil {
			return fmt.Errorf("sync the store's directory: %w", err)
		}
		s.dirSynced = true
	}
	return nil
}

// openWAL opens the write-ahead log of the database at path for syncing:
// "-wal" beside the file the path resolves to, as SQLite names it.
func openWAL(path string) (*os.File, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", path, err)
	}
	f, err := os.OpenFile(real+"-wal", os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open the write-ahead log to sync it: %w", err)
	}
	return f, nil
}

// writeLoop is the group-commit writer: it takes every write queued while
// the previous commit ran, applies the puts among them in one transaction,
// commits it without an fsync, signals each put committed and hands the
// group to syncLoop, which answers the puts once the WAL is synced; then
// it applies the acknowledgements in one transaction, also committed
// without an fsync, and answers them at once (a lost acknowledgement
// causes only a redelivery).
func (s *Store) writeLoop() {
	defer close(s.writerDone)
	defer close(s.syncs)
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
		puts, acks := s.split(batch)
		if len(puts) > 0 {
			results = s.commitBatch(puts, results[:0])
			s.toSync(puts, results)
		}
		if len(acks) > 0 {
			results = s.commitBatch(acks, results[:0])
			for i, o := range acks {
				o.done <- results[i]
			}
		}
		clear(batch)
		clear(s.ackBuf)
	}
}

// toSync signals every put of a committed group and queues the group for
// syncLoop; a group that failed is answered at once.
func (s *Store) toSync(puts []*writeOp, results []opResult) {
	if len(results) > 0 && errors.Is(results[0].err, errBatch) {
		for i, o := range puts {
			o.done <- results[i]
		}
		return
	}
	for i, o := range puts {
		if results[i].err == nil {
			o.committed <- struct{}{}
		}
	}
	s.syncs <- syncJob{ops: slices.Clone(puts), results: slices.Clone(results)}
}

// split sorts batch into the puts, committed (and answered) first, and the
// acknowledgements, committed after them without an fsync: the puts do not
// wait for the acknowledgements' statements, nor they for an fsync. An
// acknowledgement and a put are always independent: an envelope is
// acknowledged only after its put has committed and been delivered. (Were
// a device to resend an envelope just acknowledged, its put would be
// refused as a duplicate, which it treats as stored; its recipients
// already have it.) The returned slices alias batch and s.ackBuf.
func (s *Store) split(batch []*writeOp) (puts, acks []*writeOp) {
	puts = batch[:0:len(batch)]
	acks = s.ackBuf[:0]
	for _, o := range batch {
		if o.put != nil {
			puts = append(puts, o)
		} else {
			acks = append(acks, o)
		}
	}
	s.ackBuf = acks
	return puts, acks
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
	// The batch holds the write connection from start to end, so that its
	// relaxed synchronous setting never outlives it: puts are synced by
	// syncLoop, acknowledgements need no sync, but other writes on this
	// connection (the directory, expiry) commit with FULL.
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	if err := relaxSync(ctx, conn); err != nil {
		return fail(err)
	}
	defer restoreSync(ctx, conn)
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

// relaxSync lets the next commit on conn return before its WAL frames are
// synced (synchronous=NORMAL: in WAL mode the database stays consistent;
// only the last transactions may be lost in a power failure, not when the
// process dies). The next sync of the WAL (syncLoop's, or a commit with
// FULL) makes them durable too; a checkpoint syncs the WAL before copying
// it into the database.
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
	return s.insertDeliveries(ctx, tx, p.devices, seq)
}

// insertDeliveries inserts a delivery of seq for every device, in as many
// multi-row statements as n has bits set (chunks of at most
// 1<<(deliveryChunks-1)).
func (s *Store) insertDeliveries(ctx context.Context, tx *sql.Tx, devices [][16]byte, seq int64) error {
	args := make([]any, 0, 2*min(len(devices), 1<<(deliveryChunks-1)))
	for len(devices) > 0 {
		k := min(bits.Len(uint(len(devices)))-1, deliveryChunks-1)
		n := 1 << k
		args = args[:0]
		for _, d := range devices[:n] {
			args = append(args, d[:], seq)
		}
		if _, err := tx.StmtContext(ctx, s.st.insertDeliveries[k]).ExecContext(ctx, args...); err != nil {
			return err
		}
		devices = devices[n:]
	}
	return nil
}

// applyAcks removes acknowledged deliveries inside the group transaction
// and deletes the envelopes left with none. An envelope acknowledged by
// several devices in the batch (every device of a mailbox acks at once) is
// checked for deletion once, after all its deliveries have been removed.
func (s *Store) applyAcks(ctx context.Context, tx *sql.Tx, acks []store.Acks) (int, error) {
	undeliver := tx.StmtContext(ctx, s.st.undeliver)
	var touched [][16]byte
	seen := make(map[[16]byte]struct{})
	for _, a := range acks {
		for _, id := range a.IDs {
			n, err := affected(undeliver.ExecContext(ctx, a.Device[:], id[:]))
			if err != nil {
				return 0, fmt.Errorf("envelope %x: %w", id, err)
			}
			if _, dup := seen[id]; n == 0 || dup {
				continue
			}
			seen[id] = struct{}{}
			touched = append(touched, id)
		}
	}
	drop := tx.StmtContext(ctx, s.st.drop)
	deleted := 0
	for _, id := range touched {
		n, err := affected(drop.ExecContext(ctx, id[:]))
		if err != nil {
			return 0, fmt.Errorf("envelope %x: %w", id, err)
		}
		deleted += int(n)
	}
	return deleted, nil
}
