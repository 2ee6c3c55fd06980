package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/saferef/saferef/server/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// readers is the size of the read pool.
const readers = 4

// writerCacheKiB bounds the write connection's page cache (SQLite's
// default is 2 MiB). The envelopes in flight, their overflow pages and the
// delivery index stay in it: with the default, the writer read back from
// the file (pread) the pages of envelopes it had just written, to delete
// them once acknowledged, and the fan-out-10 bench was a fifth slower
// (docs/PERFORMANCE.md).
const writerCacheKiB = 64 << 10

// pragmas are set on every connection, writer and readers alike.
const pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"

// Store is a store.Store in one SQLite file. It is safe for concurrent use.
type Store struct {
	path   string
	write  *sql.DB // one connection: every write transaction
	read   *sql.DB // query-only connections
	closed atomic.Bool

	// Group commit: PutEnvelope and Ack queue their writes on ops; one
	// writer goroutine (writeLoop) applies everything queued in one
	// transaction. submitMu is held (shared) while queuing and
	// (exclusively) by Close while it sets closed and closes stop, so no
	// write is queued after the writer has gone.
	st         *statements
	ops        chan *writeOp
	submitMu   sync.RWMutex
	stop       chan struct{}
	writerDone chan struct{}
	ackBuf     []*writeOp // used by the writer only (split)
	// syncs carries committed groups of puts from the writer to
	// syncLoop, which closes syncDone once the writer has closed syncs.
	syncs    chan syncJob
	syncDone chan struct{}
	// wal is the write-ahead log, held open from Open to Close for
	// syncLoop (syncWAL); dirSynced is set once it has synced the
	// directory. Both are used by syncLoop only.
	wal       *os.File
	dirSynced bool
	// syncFailed holds the first failure to sync the WAL, set by syncLoop.
	// After it no write is accepted until the relay restarts: Linux may
	// drop the pages whose write-back failed and report the next fsync as
	// a success, so nothing committed after it could be called durable.
	syncFailed atomic.Pointer[error]
	// testBeforeSync, set only by tests before the first write, runs in
	// syncLoop before each sync of the WAL; an error fails that sync.
	testBeforeSync func() error
	pending        *sql.Stmt // on the read pool
	ckpt           *sql.DB   // one connection, for checkpointLoop
	ckptDone       chan struct{}
}

// checkpointEvery is how often the WAL is checkpointed into the database.
const checkpointEvery = 500 * time.Millisecond

// checkpointLoop copies the WAL into the database file (PASSIVE: it never
// waits for, nor holds up, the writer or readers) until the store closes,
// then truncates the WAL once.
func (s *Store) checkpointLoop() {
	defer close(s.ckptDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			// A failure is retried at the next tick; the WAL only grows
			// meanwhile.
			s.ckpt.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		case <-s.stop:
			s.ckpt.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
			return
		}
	}
}

var _ store.Store = (*Store)(nil)

// Open opens the store in the SQLite file at path, creating it (mode 0600)
// and migrating its schema as needed.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open sqlite store %q: path empty or containing '?': %w", path, store.ErrInvalid)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}

	// The writer never checkpoints the WAL itself (a checkpoint inside a
	// commit would hold up every write in that group); checkpointLoop does,
	// on its own connection, beside the writer. Its statement journals
	// (which let a statement inside a group transaction be undone alone)
	// stay in memory rather than in a temporary file written page by page.
	write, err := sql.Open("sqlite", path+"?"+pragmas+"&_txlock=immediate&_pragma=wal_autocheckpoint(0)&_pragma=temp_store(MEMORY)"+
		fmt.Sprintf("&_pragma=cache_size(-%d)", writerCacheKiB))
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	st, err := prepare(ctx, write)
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	pendingStmt, err := read.PrepareContext(ctx, pendingQuery)
	if err != nil {
		st.close()
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite store %s: prepare pending: %w", path, err)
	}
	ckpt, err := sql.Open("sqlite", path+"?"+pragmas)
	if err != nil {
		pendingStmt.Close()
		st.close()
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	// The WAL exists from the migration on, and stays while the write
	// connection is open.
	wal, err := openWAL(path)
	if err != nil {
		ckpt.Close()
		pendingStmt.Close()
		st.close()
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	s := &Store{
		path: path, write: write, read: read, ckpt: ckpt, st: st, pending: pendingStmt, wal: wal,
		ops: make(chan *writeOp, maxBatch), stop: make(chan struct{}), writerDone: make(chan struct{}), ckptDone: make(chan struct{}),
		syncs: make(chan syncJob, syncQueue), syncDone: make(chan struct{}),
	}
	go s.writeLoop()
	go s.syncLoop()
	go s.checkpointLoop()
	return s, nil
}

// Path returns the file the store was opened on.
func (s *Store) Path() string { return s.path }

// Close closes the store; later calls fail with store.ErrClosed. It is
// idempotent.
func (s *Store) Close() error {
	s.submitMu.Lock()
	if s.closed.Swap(true) {
		s.submitMu.Unlock()
		return nil
	}
	close(s.stop)
	s.submitMu.Unlock()
	<-s.writerDone
	<-s.syncDone
	<-s.ckptDone
	s.wal.Close()
	s.st.close()
	s.pending.Close()
	werr := s.write.Close()
	rerr := s.read.Close()
	cerr := s.ckpt.Close()
	if err := errors.Join(werr, rerr, cerr); err != nil {
		return fmt.Errorf("close sqlite store %s: %w", s.path, err)
	}
	return nil
}

// usable fails with store.ErrClosed once the store is closed.
func (s *Store) usable(op string) error {
	if s.closed.Load() {
		return fmt.Errorf("%s: %w", op, store.ErrClosed)
	}
	return nil
}

// writable is usable for writes that must be durable: it also fails once
// a sync of the WAL has failed.
func (s *Store) writable(op string) error {
	if err := s.usable(op); err != nil {
		return err
	}
	if p := s.syncFailed.Load(); p != nil {
		return fmt.Errorf("%s: the store could not sync its write-ahead log, so it takes no more writes until the relay restarts: %w", op, *p)
	}
	return nil
}

// fail wraps err for op, reporting store.ErrClosed if the store was closed
// while op ran.
func (s *Store) fail(op string, err error) error {
	if s.closed.Load() {
		return fmt.Errorf("%s: %w (%w)", op, store.ErrClosed, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
