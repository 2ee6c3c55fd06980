package sqlite_test

import (
	"crypto/rand"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/saferef/saferef/server/store/storetest"
)

// envelopeSize is the benchmarks' envelope body: 4 KiB, a referral with a
// few recipient devices.
const envelopeSize = 4 << 10

// BenchmarkDelivery is one envelope's PutEnvelope, Pending and Ack.
func BenchmarkDelivery(b *testing.B) {
	s := openAt(b, filepath.Join(b.TempDir(), "relay.db"))
	storetest.BenchmarkDelivery(b, s, envelopeSize)
}

// BenchmarkRawInsertDelete is the baseline: the same bytes inserted and
// deleted in two autocommit statements on a bare table with the store's
// durability settings (WAL, synchronous=FULL), so two fsyncs per iteration
// like the store's two write transactions.
func BenchmarkRawInsertDelete(b *testing.B) {
	db, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "raw.db")+
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := b.Context()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id BLOB PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		b.Fatalf("create: %v", err)
	}
	body := make([]byte, envelopeSize)
	rand.Read(body)
	b.SetBytes(envelopeSize)
	b.ReportAllocs()
	id := make([]byte, 16)
	for b.Loop() {
		rand.Read(id)
		if _, err := db.ExecContext(ctx, `INSERT INTO t (id, body) VALUES (?, ?)`, id, body); err != nil {
			b.Fatalf("insert: %v", err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM t WHERE id = ?`, id); err != nil {
			b.Fatalf("delete: %v", err)
		}
	}
}
