package casestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// messageSummariser summarises a case as its messages' bodies, in order,
// and counts its calls.
func messageSummariser(calls *int) Summariser {
	return func(ctx context.Context, tx *Tx, id [16]byte) ([]byte, error) {
		*calls++
		es, err := tx.EntriesOf(ctx, id, KindMessage)
		if err != nil {
			return nil, err
		}
		var parts []string
		for _, e := range es {
			parts = append(parts, string(e.Body))
		}
		return []byte(strings.Join(parts, "|")), nil
	}
}

func listOf(t *testing.T, s *Store, id [16]byte) []byte {
	t.Helper()
	got, err := s.Find(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range got {
		if sm.ID == id {
			return sm.List
		}
	}
	t.Fatalf("case %x not listed", id)
	return nil
}

// TestSummaryFollowsCase: every transaction that changes a case stores its
// summary again before it commits (a deleted entry leaves it at once), a
// transaction that fails stores nothing, and Find returns it opened.
func TestSummaryFollowsCase(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openTemp(t)
	calls := 0
	s.SetSummariser(messageSummariser(&calls))
	id, org := newID(t), newID(t)
	putCase(t, s, &Case{ID: id, Status: StatusCirculated, Organisations: [][16]byte{org}, Updated: time.Unix(100, 0)})
	if got := listOf(t, s, id); len(got) != 0 {
		t.Fatalf("new case summary %q, want empty", got)
	}
	add := func(env byte, text string) {
		t.Helper()
		err := s.Update(ctx, func(tx *Tx) error {
			return tx.AddEntry(ctx, &Entry{Envelope: [16]byte{env}, Case: id, Kind: KindMessage, Direction: DirectionReceived,
				At: time.Unix(int64(100+env), 0), SenderOrg: org, Body: []byte(text)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(1, "first")
	add(2, "second")
	if got := listOf(t, s, id); string(got) != "first|second" {
		t.Fatalf("summary %q", got)
	}
	if err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.DeleteEntry(ctx, id, [16]byte{1}, org)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := listOf(t, s, id); string(got) != "second" {
		t.Fatalf("summary after the first message was deleted: %q", got)
	}
	boom := errors.New("boom")
	if err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.AddEntry(ctx, &Entry{Envelope: [16]byte{3}, Case: id, Kind: KindMessage, Direction: DirectionReceived,
			At: time.Unix(200, 0), SenderOrg: org, Body: []byte("never")}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if got := listOf(t, s, id); string(got) != "second" {
		t.Fatalf("summary after a failed transaction: %q", got)
	}
	before := calls
	if err := s.Update(ctx, func(tx *Tx) error { return tx.MarkProcessed(ctx, [16]byte{9}, OutcomeStored, 1) }); err != nil {
		t.Fatal(err)
	}
	if calls != before {
		t.Error("a transaction that changed no case summarised one")
	}
	// A summariser that fails refuses the change.
	s.SetSummariser(func(context.Context, *Tx, [16]byte) ([]byte, error) { return nil, boom })
	if err := s.Update(ctx, func(tx *Tx) error { return tx.SetState(ctx, id, []byte("{}")) }); !errors.Is(err, boom) {
		t.Fatalf("update with a failing summariser: %v", err)
	}
}

// TestMigrateToSummaries opens a store written at schema version 5 (no
// cases.summary column): the column is added, its cases have no summary
// until Resummarise stores one, and the store records version 6.
func TestMigrateToSummaries(t *testing.T) {
	ctx := context.Background()
	s, path, key := openTemp(t)
	org := newID(t)
	var cases [][16]byte
	for i := range 3 {
		id := newID(t)
		cases = append(cases, id)
		putCase(t, s, &Case{ID: id, Status: StatusCirculated, Reference: fmt.Sprintf("KMR-2026-000%d", i),
			Organisations: [][16]byte{org}, Updated: time.Unix(100, 0)})
		if err := s.Update(ctx, func(tx *Tx) error {
			return tx.AddEntry(ctx, &Entry{Envelope: newID(t), Case: id, Kind: KindMessage, Direction: DirectionReceived,
				At: time.Unix(100, 0), SenderOrg: org, Body: []byte(fmt.Sprintf("message %d", i))})
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{`ALTER TABLE cases DROP COLUMN summary`, `PRAGMA user_version = 5`} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()
	s2, err := Open(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var v int
	if err := s2.db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil || v != 6 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	got, err := s2.Find(ctx, Filter{})
	if err != nil || len(got) != 3 {
		t.Fatalf("after migration: %v, %v", got, err)
	}
	for _, sm := range got {
		if sm.List != nil {
			t.Errorf("case %x has a summary before one was stored: %q", sm.ID, sm.List)
		}
	}
	calls := 0
	s2.SetSummariser(messageSummariser(&calls))
	if err := s2.Resummarise(ctx, cases); err != nil {
		t.Fatal(err)
	}
	for i, id := range cases {
		if got := listOf(t, s2, id); !bytes.Equal(got, []byte(fmt.Sprintf("message %d", i))) {
			t.Errorf("case %d summary %q", i, got)
		}
	}
}
