package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/saferef/saferef/server/store"
)

// defaultMaxConns is the pool size unless the DSN sets pool_max_conns.
const defaultMaxConns = 32

// Store is a store.Store and store.Notifier in a PostgreSQL database. It is
// safe for concurrent use.
type Store struct {
	pool    *pgxpool.Pool
	schema  string
	channel string
	keys    lockKeys
	// node tags this Store's notifications, so that its own Listen can
	// tell them from other nodes'.
	node [8]byte

	// puts feeds the group-commit writers (groupLoop); writers counts
	// them.
	puts    chan *putReq
	writers sync.WaitGroup
	// flushes feeds flushLoop (counted by writers) with committed groups.
	flushes chan flushJob
	// testBeforeFlush, set only by tests before the first put, runs in
	// flushLoop before each flush.
	testBeforeFlush func()
	// notices feeds notifyLoop, which the writers WaitGroup counts too.
	notices notices

	closed    atomic.Bool
	done      chan struct{} // closed by Close, stops Listen
	closeOnce sync.Once
}

var (
	_ store.Store    = (*Store)(nil)
	_ store.Notifier = (*Store)(nil)
)

// Open connects to the database at dsn (a PostgreSQL URL or keyword/value
// string) and creates the store's tables if missing.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("open postgres store: %w", err)
		}
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: parse dsn: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		// Puts to different mailboxes run in parallel, each in its own
		// transaction, and PostgreSQL flushes concurrent commits together:
		// throughput grows with the puts in flight, so allow more than
		// pgxpool's default (the number of CPUs, at least 4).
		cfg.MaxConns = defaultMaxConns
	}
	channel := "saferef_mailbox"
	if o.schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{o.schema}.Sanitize()
		channel += "_" + o.schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	keys := keysFor(o.schema)
	if err := migrate(ctx, pool, o.schema, keys); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	st := &Store{pool: pool, schema: o.schema, channel: channel, keys: keys, done: make(chan struct{}),
		puts: make(chan *putReq, maxGroup), flushes: make(chan flushJob, flushQueue)}
	if _, err := rand.Read(st.node[:]); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store: node tag: %w", err)
	}
	st.notices.kick = make(chan struct{}, 1)
	for range groupWriters {
		st.writers.Add(1)
		go st.groupLoop()
	}
	st.writers.Add(2)
	go st.notifyLoop()
	go st.flushLoop()
	return st, nil
}

// Schema returns the schema given with WithSchema, or "" for the default
// search_path.
func (s *Store) Schema() string { return s.schema }

// Close closes the pool and stops Listen; later calls fail with
// store.ErrClosed. It is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.done)
		s.writers.Wait()
		s.pool.Close()
	})
	return nil
}

// usable fails with store.ErrClosed once the store is closed.
func (s *Store) usable(op string) error {
	if s.closed.Load() {
		return fmt.Errorf("%s: %w", op, store.ErrClosed)
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

// rollback ends tx if it was not committed; its error is of no use then.
func rollback(ctx context.Context, tx pgx.Tx) {
	_ = tx.Rollback(context.WithoutCancel(ctx))
}

// byteSlices converts ids to what pgx sends as bytea[].
func byteSlices(ids [][16]byte) [][]byte {
	out := make([][]byte, len(ids))
	for i := range ids {
		out[i] = ids[i][:]
	}
	return out
}
