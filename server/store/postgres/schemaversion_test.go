package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/postgres"
)

// TestRefusesNewerSchemaWithAdvice checks that a store written by a newer
// relay is refused by Open and Inspect with store.ErrSchemaNewer and words
// that say what to do, and that Inspect reports an unmigrated schema
// without creating anything.
func TestRefusesNewerSchemaWithAdvice(t *testing.T) {
	dsn := testDSN(t)
	schema := freshSchema(t, dsn)
	ctx := t.Context()
	in, err := postgres.Inspect(ctx, dsn, postgres.WithSchema(schema))
	if err != nil || in.SchemaVersion != 0 {
		t.Fatalf("Inspect before any Open: %+v, %v", in, err)
	}
	s := openIn(t, dsn, schema)
	if _, err := s.AppendDirectory(ctx, "org-cert", []byte("an org certificate")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	in, err = postgres.Inspect(ctx, dsn, postgres.WithSchema(schema))
	if err != nil || in.SchemaVersion != postgres.SchemaVersion() || in.Directory != 1 {
		t.Fatalf("Inspect after Open: %+v, %v", in, err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `UPDATE `+pgx.Identifier{schema, "schema_version"}.Sanitize()+` SET version = $1`, postgres.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	if s, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema)); !errors.Is(err, store.ErrSchemaNewer) || !strings.Contains(err.Error(), "newer release") {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a newer store: %v, want ErrSchemaNewer with advice", err)
	}
	if _, err := postgres.Inspect(ctx, dsn, postgres.WithSchema(schema)); !errors.Is(err, store.ErrSchemaNewer) {
		t.Fatalf("Inspect of a newer store: %v", err)
	}
}
