package casestore

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func newKey(t testing.TB) []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func newID(t testing.TB) [16]byte {
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		t.Fatal(err)
	}
	return id
}

func openTemp(t *testing.T) (*Store, string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cases.db")
	key := newKey(t)
	s, err := Open(context.Background(), path, key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path, key
}

func TestCaseRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, path, key := openTemp(t)
	caseID, orgA, orgB, env := newID(t), newID(t), newID(t), newID(t)
	now := time.Unix(1767225600, 0).UTC()
	err := s.Apply(ctx, env, OutcomeStored, now.Unix(), func(tx *Tx) error {
		if err := tx.PutCase(ctx, &Case{ID: caseID, Status: StatusCirculated, Reference: "KMR-2026-0001",
			Organisations: [][16]byte{orgB, orgA, orgB}, Created: now, Updated: now}); err != nil {
			return err
		}
		return tx.AddEntry(ctx, &Entry{Envelope: env, Case: caseID, Kind: KindReferral, Direction: DirectionReceived,
			At: now.Add(time.Minute), SenderOrg: orgA, SenderDevice: newID(t), SenderOrgName: "Harbour Refuge",
			SenderDeviceName: "office laptop", Body: []byte("payload bytes")})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Reopen from disk to be sure it is all durable.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Case(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Reference != "KMR-2026-0001" || c.Status != StatusCirculated || len(c.Organisations) != 2 {
		t.Fatalf("case = %+v", c)
	}
	if !c.Updated.Equal(now.Add(time.Minute)) {
		t.Errorf("last activity = %v, want %v", c.Updated, now.Add(time.Minute))
	}
	es, err := s.Entries(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || string(es[0].Body) != "payload bytes" || es[0].SenderOrgName != "Harbour Refuge" || es[0].SenderDeviceName != "office laptop" {
		t.Fatalf("entries = %+v", es)
	}
	cs, err := s.Cases(ctx)
	if err != nil || len(cs) != 1 || cs[0].ID != caseID {
		t.Fatalf("cases = %v, %v", cs, err)
	}
	if o, ok, err := s.Processed(ctx, env); err != nil || !ok || o != OutcomeStored {
		t.Fatalf("processed = %v %v %v", o, ok, err)
	}
}

func TestPutCaseMergesOrganisations(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openTemp(t)
	id, a, b := newID(t), newID(t), newID(t)
	now := time.Now().Truncate(time.Second)
	for _, c := range []*Case{
		{ID: id, Status: StatusOpen, Organisations: [][16]byte{a}, Updated: now},
		{ID: id, Status: StatusCirculated, Reference: "KMR-2026-0002", Organisations: [][16]byte{b}, Updated: now.Add(-time.Hour)},
	} {
		if err := s.Update(ctx, func(tx *Tx) error { return tx.PutCase(ctx, c) }); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Organisations) != 2 || c.Status != StatusCirculated || c.Reference != "KMR-2026-0002" || !c.Updated.Equal(now) {
		t.Fatalf("case = %+v", c)
	}
}

func TestApplyDeduplicates(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openTemp(t)
	env := newID(t)
	runs := 0
	for i := 0; i < 2; i++ {
		err := s.Apply(ctx, env, OutcomeRejected, 1, func(*Tx) error { runs++; return nil })
		if i == 1 && !errors.Is(err, ErrAlreadyProcessed) {
			t.Fatalf("second apply: err = %v, want ErrAlreadyProcessed", err)
		}
		if i == 0 && err != nil {
			t.Fatal(err)
		}
	}
	if runs != 1 {
		t.Fatalf("fn ran %d times, want 1", runs)
	}
}

func TestApplyRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openTemp(t)
	env, caseID := newID(t), newID(t)
	boom := errors.New("boom")
	err := s.Apply(ctx, env, OutcomeStored, 1, func(tx *Tx) error {
		if err := tx.PutCase(ctx, &Case{ID: caseID, Status: StatusOpen, Updated: time.Now()}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if _, ok, _ := s.Processed(ctx, env); ok {
		t.Fatal("envelope recorded as processed after a failed apply")
	}
	if _, err := s.Case(ctx, caseID); !errors.Is(err, ErrNoCase) {
		t.Fatalf("case after rollback: %v", err)
	}
	// Adding an entry to an unknown case fails.
	err = s.Update(ctx, func(tx *Tx) error {
		return tx.AddEntry(ctx, &Entry{Envelope: env, Case: newID(t), Kind: KindMessage, Direction: DirectionSent, At: time.Now()})
	})
	if !errors.Is(err, ErrNoCase) {
		t.Fatalf("entry in unknown case: %v", err)
	}
}

func TestWrongDataKey(t *testing.T) {
	ctx := context.Background()
	s, path, _ := openTemp(t)
	id := newID(t)
	if err := s.Update(ctx, func(tx *Tx) error {
		return tx.PutCase(ctx, &Case{ID: id, Status: StatusOpen, Reference: "KMR-2026-0009", Updated: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s2, err := Open(ctx, path, newKey(t)); !errors.Is(err, ErrWrongKey) {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("open with another key: %v, want ErrWrongKey", err)
	}
}

// TestNoPlaintextOnDisk checks that a marker in a sealed column never
// reaches the database file or its WAL.
func TestNoPlaintextOnDisk(t *testing.T) {
	ctx := context.Background()
	s, path, _ := openTemp(t)
	const marker = "CANARY-7f3a9c-orchard-row"
	const refMarker = "KMR-2026-9137"
	id, env := newID(t), newID(t)
	err := s.Apply(ctx, env, OutcomeStored, 1, func(tx *Tx) error {
		if err := tx.PutCase(ctx, &Case{ID: id, Status: StatusCirculated, Reference: refMarker, Updated: time.Now()}); err != nil {
			return err
		}
		return tx.AddEntry(ctx, &Entry{Envelope: env, Case: id, Kind: KindReferral, Direction: DirectionSent, At: time.Now(),
			SenderOrgName: marker + "-org", SenderDeviceName: marker + "-device", Body: []byte(`{"notes":"` + marker + `"}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil {
				if os.IsNotExist(err) {
					continue
				}
				t.Fatal(err)
			}
			for _, m := range []string{marker, refMarker} {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("%s: %s contains %q", when, filepath.Base(p), m)
				}
			}
		}
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("expected a WAL file while open: %v", err)
	}
	check("open")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cases.db mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestShred(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openTemp(t)
	id, env := newID(t), newID(t)
	if err := s.Apply(ctx, env, OutcomeStored, 1, func(tx *Tx) error {
		if err := tx.PutCase(ctx, &Case{ID: id, Status: StatusOpen, Updated: time.Now()}); err != nil {
			return err
		}
		if err := tx.AddReceipt(ctx, &Receipt{Envelope: newID(t), Case: id, For: env, ReadAt: time.Now(), Received: time.Now()}); err != nil {
			return err
		}
		return tx.AddEntry(ctx, &Entry{Envelope: env, Case: id, Kind: KindMessage, Direction: DirectionReceived, At: time.Now(), Body: []byte("x")})
	}); err != nil {
		t.Fatal(err)
	}
	if rs, err := s.Receipts(ctx, id); err != nil || len(rs) != 1 || rs[0].For != env {
		t.Fatalf("receipts = %v, %v", rs, err)
	}
	if err := s.Shred(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Case(ctx, id); !errors.Is(err, ErrNoCase) {
		t.Fatalf("case after shred: %v", err)
	}
	if _, err := s.Entries(ctx, id); !errors.Is(err, ErrNoCase) {
		t.Fatalf("entries after shred: %v", err)
	}
	if err := s.Shred(ctx, id); !errors.Is(err, ErrNoCase) {
		t.Fatalf("second shred: %v", err)
	}
	// The envelope stays processed so it is never applied again.
	if _, ok, _ := s.Processed(ctx, env); !ok {
		t.Fatal("processed id lost by shred")
	}
}

func TestOutboxAndDirectory(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openTemp(t)
	a, b := newID(t), newID(t)
	if err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.QueueOutbox(ctx, &OutboxItem{Envelope: a, Mailbox: b, Data: []byte("one"), Created: time.Unix(10, 0)}); err != nil {
			return err
		}
		return tx.QueueOutbox(ctx, &OutboxItem{Envelope: b, Mailbox: a, Data: []byte("two"), Created: time.Unix(20, 0)})
	}); err != nil {
		t.Fatal(err)
	}
	out, err := s.Outbox(ctx)
	if err != nil || len(out) != 2 || string(out[0].Data) != "one" || out[1].Mailbox != a {
		t.Fatalf("outbox = %v, %v", out, err)
	}
	if err := s.RemoveOutbox(ctx, a); err != nil {
		t.Fatal(err)
	}
	if out, _ := s.Outbox(ctx); len(out) != 1 || out[0].Envelope != b {
		t.Fatalf("outbox after remove = %v", out)
	}

	objs := []DirectoryObject{{Index: 1, Object: []byte("b")}, {Index: 0, Object: []byte("a")}}
	if err := s.AppendDirectory(ctx, objs); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendDirectory(ctx, objs[:1]); err != nil {
		t.Fatal(err)
	}
	got, err := s.Directory(ctx)
	if err != nil || len(got) != 2 || got[0].Index != 0 || string(got[1].Object) != "b" {
		t.Fatalf("directory = %v, %v", got, err)
	}
}

func TestOpenRejectsShortDataKey(t *testing.T) {
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), make([]byte, 16)); err == nil {
		t.Fatal("opened with a 16-byte data key")
	}
}
