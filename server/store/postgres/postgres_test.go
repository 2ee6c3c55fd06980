package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/saferef/saferef/internal/pgtest"
	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/postgres"
	"github.com/saferef/saferef/server/store/storetest"
)

// testDSN and freshSchema come from internal/pgtest, shared with the
// relay's multi-node tests.
var (
	testDSN     = pgtest.DSN
	freshSchema = pgtest.FreshSchema
)

// openIn opens a store in schema and closes it when the test ends.
func openIn(t testing.TB, dsn, schema string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn, postgres.WithSchema(schema))
	if err != nil {
		t.Fatalf("Open schema %s: %v", schema, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	dsn := testDSN(t)
	storetest.Run(t,
		func(t *testing.T) store.Store { return openIn(t, dsn, freshSchema(t, dsn)) },
		storetest.WithReopen(func(t *testing.T, closed store.Store) store.Store {
			return openIn(t, dsn, closed.(*postgres.Store).Schema())
		}))
}

func TestNotifier(t *testing.T) {
	dsn := testDSN(t)
	storetest.RunNotifier(t, func(t *testing.T) (store.Store, store.Store) {
		schema := freshSchema(t, dsn)
		return openIn(t, dsn, schema), openIn(t, dsn, schema)
	})
}

func TestSchemasAreIsolated(t *testing.T) {
	dsn := testDSN(t)
	a := openIn(t, dsn, freshSchema(t, dsn))
	b := openIn(t, dsn, freshSchema(t, dsn))
	ctx := t.Context()
	if _, err := a.AppendDirectory(ctx, "org-cert", []byte("only in a")); err != nil {
		t.Fatalf("AppendDirectory: %v", err)
	}
	if n, err := b.DirectorySize(ctx); err != nil || n != 0 {
		t.Fatalf("other schema's DirectorySize = %d, %v; want 0", n, err)
	}
}

func TestConcurrentOpen(t *testing.T) {
	dsn := testDSN(t)
	schema := freshSchema(t, dsn)
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			s, err := postgres.Open(t.Context(), dsn, postgres.WithSchema(schema))
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent Open of a new schema: %v", err)
		}
	}
}

func TestDirectoryAppendOnly(t *testing.T) {
	dsn := testDSN(t)
	schema := freshSchema(t, dsn)
	s := openIn(t, dsn, schema)
	if _, err := s.AppendDirectory(t.Context(), "org-cert", []byte("x")); err != nil {
		t.Fatalf("AppendDirectory: %v", err)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	table := pgx.Identifier{schema, "directory"}.Sanitize()
	for _, stmt := range []string{
		"UPDATE " + table + " SET kind = 'revocation'",
		"DELETE FROM " + table,
		"TRUNCATE " + table,
	} {
		if _, err := conn.Exec(t.Context(), stmt); err == nil {
			t.Errorf("%s succeeded on the append-only directory", stmt)
		}
	}
}

func TestWithSchemaRejectsBadNames(t *testing.T) {
	dsn := testDSN(t)
	for _, name := range []string{"", "Upper", "semi;colon", "1digit", "a-b", "x23456789012345678901234567890123456789012"} {
		s, err := postgres.Open(t.Context(), dsn, postgres.WithSchema(name))
		if err == nil {
			s.Close()
			t.Errorf("WithSchema(%q) accepted", name)
			continue
		}
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("WithSchema(%q): %v, want ErrInvalid", name, err)
		}
	}
}

// TestPutFlushedBeforeReturn: puts commit without waiting for their WAL
// flush (their recipients get them then), so PutEnvelope must not return
// before a flush covers them: the WAL position read when stored runs
// (past the put's commit) is flushed by the time PutEnvelope returns. The
// flush is held until that position has been read, so that it cannot
// have run, and stopped short, before.
func TestPutFlushedBeforeReturn(t *testing.T) {
	dsn := testDSN(t)
	s := openIn(t, dsn, freshSchema(t, dsn))
	read := make(chan struct{}, 1)
	s.BeforeFlush(func() { <-read })
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for i := range 20 {
		e := store.Envelope{ID: [16]byte{1, byte(i)}, Mailbox: [16]byte{2}, Expiry: time.Now().Add(time.Hour), Body: []byte("ciphertext")}
		var inserted string
		stored := func() {
			if err := conn.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&inserted); err != nil {
				t.Errorf("read WAL insert position: %v", err)
			}
			read <- struct{}{}
		}
		if err := s.PutEnvelope(ctx, e, [][16]byte{{3}}, store.Quota{}, stored); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
		var flushed bool
		var at string
		if err := conn.QueryRow(ctx, `SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn, pg_current_wal_flush_lsn()::text`, inserted).Scan(&flushed, &at); err != nil {
			t.Fatal(err)
		}
		if !flushed {
			t.Fatalf("put %d returned with the WAL flushed to %s, short of %s where it was committed", i, at, inserted)
		}
	}
}
