package postgres_test

import (
	"crypto/rand"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/saferef/saferef/server/store/storetest"
)

// envelopeSize is the benchmarks' envelope body: 4 KiB, a referral with a
// few recipient devices.
const envelopeSize = 4 << 10

// BenchmarkDelivery is one envelope's PutEnvelope, Pending and Ack.
func BenchmarkDelivery(b *testing.B) {
	dsn := testDSN(b)
	s := openIn(b, dsn, freshSchema(b, dsn))
	storetest.BenchmarkDelivery(b, s, envelopeSize)
}

// BenchmarkRawInsertDelete is the baseline: the same bytes inserted and
// deleted in two autocommit statements on a bare table, so two commits per
// iteration like the store's two write transactions.
func BenchmarkRawInsertDelete(b *testing.B) {
	dsn := testDSN(b)
	schema := freshSchema(b, dsn)
	ctx := b.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	table := pgx.Identifier{schema, "t"}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		b.Fatalf("create schema: %v", err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE "+table+" (id BYTEA PRIMARY KEY, body BYTEA NOT NULL)"); err != nil {
		b.Fatalf("create table: %v", err)
	}
	body := make([]byte, envelopeSize)
	rand.Read(body)
	b.SetBytes(envelopeSize)
	b.ReportAllocs()
	id := make([]byte, 16)
	for b.Loop() {
		rand.Read(id)
		if _, err := conn.Exec(ctx, "INSERT INTO "+table+" (id, body) VALUES ($1, $2)", id, body); err != nil {
			b.Fatalf("insert: %v", err)
		}
		if _, err := conn.Exec(ctx, "DELETE FROM "+table+" WHERE id = $1", id); err != nil {
			b.Fatalf("delete: %v", err)
		}
	}
}
