// Package pgtest gives tests a real PostgreSQL database: the one on
// 127.0.0.1:5432 (database test, trust authentication) that every developer
// and CI machine runs, or SAFEREF_TEST_POSTGRES. It fails, never skips, when
// the database cannot be reached.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultDSN is the test database used when SAFEREF_TEST_POSTGRES is unset.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// DSN returns the test database's DSN, failing the test if the database
// cannot be reached.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("SAFEREF_TEST_POSTGRES")
	if dsn == "" {
		dsn = DefaultDSN
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("PostgreSQL unreachable at %s (set SAFEREF_TEST_POSTGRES): %v", dsn, err)
	}
	conn.Close(ctx)
	return dsn
}

// FreshSchema returns the name of a new random schema, dropped when the test
// ends.
func FreshSchema(t testing.TB, dsn string) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random schema name: %v", err)
	}
	schema := "saferef_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}
