package casestore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRetentionSetting(t *testing.T) {
	ctx := context.Background()
	s, path, key := openTemp(t)
	if d, err := s.Retention(ctx); err != nil || d != DefaultRetention {
		t.Fatalf("default retention = %v, %v", d, err)
	}
	if err := s.SetRetention(ctx, 0); !errors.Is(err, ErrRetention) {
		t.Fatalf("zero retention: %v", err)
	}
	if err := s.SetRetention(ctx, 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if d, err := s2.Retention(ctx); err != nil || d != 30*24*time.Hour {
		t.Fatalf("retention after reopen = %v, %v", d, err)
	}
}

// TestShredExpiredLeavesNothing writes a marker into a case, closes it,
// lets its retention pass and shreds it; then neither the database file
// nor its WAL or shared-memory file holds the marker, the per-case key,
// the wrapped key or the sealed payload, and the other cases still open.
func TestShredExpiredLeavesNothing(t *testing.T) {
	ctx := context.Background()
	s, path, dataKey := openTemp(t)
	const marker = "SHRED-MARKER-4b1d-larkspur"
	if err := s.SetRetention(ctx, 7*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	closedAt := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	doomed, keptOpen, keptRecent := [16]byte{0xd0}, [16]byte{0xa0}, [16]byte{0xb0}
	org := newID(t)
	for _, c := range []*Case{
		{ID: doomed, Status: "moved", Reference: "KMR-2026-0100", Organisations: [][16]byte{org}, Districts: []string{"Thanet"}, Updated: closedAt.Add(-time.Hour)},
		{ID: keptOpen, Status: "circulated", Reference: "KMR-2026-0101", Updated: closedAt.Add(-30 * 24 * time.Hour)},
		{ID: keptRecent, Status: StatusWithdrawn, Reference: "KMR-2026-0102", Updated: closedAt.Add(3 * 24 * time.Hour)},
	} {
		putCase(t, s, c)
	}
	env := newID(t)
	if err := s.Apply(ctx, env, OutcomeStored, closedAt.Unix(), func(tx *Tx) error {
		if err := tx.AddEntry(ctx, &Entry{Envelope: env, Case: doomed, Kind: KindMessage, Direction: DirectionReceived, At: closedAt,
			SenderOrg: org, SenderOrgName: marker, SenderDeviceName: marker, Body: []byte(marker + " lives at 4 Orchard Row")}); err != nil {
			return err
		}
		if err := tx.AddReceipt(ctx, &Receipt{Envelope: newID(t), Case: doomed, For: env, ReaderOrg: org, ReadAt: closedAt, Received: closedAt}); err != nil {
			return err
		}
		if err := tx.QueueOutbox(ctx, &OutboxItem{Envelope: newID(t), Mailbox: org, Data: []byte("ciphertext"), Created: closedAt, Case: doomed}); err != nil {
			return err
		}
		return tx.PutCase(ctx, &Case{ID: doomed, Status: StatusClosed, Updated: closedAt})
	}); err != nil {
		t.Fatal(err)
	}
	// Secrets of the doomed case as they sit in the database now.
	var wrapped, sealedBody []byte
	if err := s.db.QueryRowContext(ctx, `SELECT wrapped_key FROM cases WHERE id = ?`, doomed[:]).Scan(&wrapped); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT body FROM entries WHERE envelope = ?`, env[:]).Scan(&sealedBody); err != nil {
		t.Fatal(err)
	}
	caseKey, err := UnwrapCaseKey(dataKey, doomed, wrapped)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string][]byte{"marker": []byte(marker), "case key": caseKey, "wrapped key": wrapped, "sealed body": sealedBody[24:56]}

	// Not yet expired: nothing happens.
	if n, err := s.ShredExpired(ctx, closedAt.Add(7*24*time.Hour-time.Second)); err != nil || n != 0 {
		t.Fatalf("early shred: %d, %v", n, err)
	}
	if _, err := s.Case(ctx, doomed); err != nil {
		t.Fatalf("case shredded early: %v", err)
	}
	n, err := s.ShredExpired(ctx, closedAt.Add(7*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("shred: %d, %v", n, err)
	}
	if _, err := s.Case(ctx, doomed); !errors.Is(err, ErrNoCase) {
		t.Fatalf("shredded case: %v", err)
	}
	for _, q := range []string{`SELECT count(*) FROM entries`, `SELECT count(*) FROM receipts`, `SELECT count(*) FROM case_districts`,
		`SELECT count(*) FROM outbox`, `SELECT count(*) FROM case_orgs`} {
		var c int
		if err := s.db.QueryRowContext(ctx, q).Scan(&c); err != nil || c != 0 {
			t.Errorf("%s = %d, %v", q, c, err)
		}
	}
	check := func(when string) {
		t.Helper()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			b, err := os.ReadFile(p)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, secret := range secrets {
				if bytes.Contains(b, secret) {
					t.Errorf("%s: %s holds the shredded case's %s", when, filepath.Base(p), name)
				}
			}
		}
	}
	check("open")
	for _, id := range [][16]byte{keptOpen, keptRecent} {
		if c, err := s.Case(ctx, id); err != nil || c.Reference == "" {
			t.Errorf("kept case %x: %v", id, err)
		}
	}
	if _, ok, _ := s.Processed(ctx, env); !ok {
		t.Error("processed id dropped: the shredded envelope could be applied again")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed")
	s2, err := Open(ctx, path, dataKey)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if cs, err := s2.Cases(ctx); err != nil || len(cs) != 2 {
		t.Fatalf("after reopen: %d cases, %v", len(cs), err)
	}
	// The recent withdrawal goes once its own retention has passed.
	if n, err := s2.ShredExpired(ctx, closedAt.Add(10*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("second shred: %d, %v", n, err)
	}
}

// TestClosedTime checks when the retention clock starts.
func TestClosedTime(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openTemp(t)
	id := [16]byte{1}
	t1 := time.Unix(1000, 0).UTC()
	putCase(t, s, &Case{ID: id, Status: "circulated", Updated: t1})
	if c, _ := s.Case(ctx, id); !c.Closed.IsZero() {
		t.Fatalf("open case has closing time %v", c.Closed)
	}
	putCase(t, s, &Case{ID: id, Status: StatusFilled, Updated: t1.Add(time.Hour)})
	putCase(t, s, &Case{ID: id, Status: StatusFilled, Updated: t1.Add(2 * time.Hour)})
	if c, _ := s.Case(ctx, id); !c.Closed.Equal(t1.Add(time.Hour)) {
		t.Fatalf("closing time = %v, want the first final update", c.Closed)
	}
	explicit := t1.Add(30 * time.Minute)
	putCase(t, s, &Case{ID: [16]byte{2}, Status: StatusClosed, Updated: t1, Closed: explicit})
	if c, _ := s.Case(ctx, [16]byte{2}); !c.Closed.Equal(explicit) {
		t.Fatalf("explicit closing time = %v", c.Closed)
	}
}
