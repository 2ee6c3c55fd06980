package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
)

func testCanceledContext(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	now := clock()
	device := newID(t)
	e := newEnvelope(t, newID(t), now.Add(time.Hour), 10)
	if err := s.PutEnvelope(ctx, e, [][16]byte{device}, store.Quota{}, nil); err == nil {
		t.Fatal("PutEnvelope with a canceled context succeeded")
	}
	if _, err := s.AppendDirectory(ctx, "org-cert", []byte("x")); err == nil {
		t.Fatal("AppendDirectory with a canceled context succeeded")
	}
	if _, err := s.Pending(ctx, device, 0, 10, now); err == nil {
		t.Fatal("Pending with a canceled context succeeded")
	}
	wantStats(t, s, store.Stats{})
}

func testClose(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	device := newID(t)
	e := newEnvelope(t, newID(t), now.Add(time.Hour), 10)
	put(t, s, e, device)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	calls := map[string]func() error{
		"AppendDirectory": func() error { _, err := s.AppendDirectory(ctx, "org-cert", []byte("x")); return err },
		"Directory":       func() error { _, err := s.Directory(ctx, 0, 10); return err },
		"DirectorySize":   func() error { _, err := s.DirectorySize(ctx); return err },
		"PutEnvelope": func() error {
			return s.PutEnvelope(ctx, newEnvelope(t, newID(t), now.Add(time.Hour), 10), [][16]byte{device}, store.Quota{}, nil)
		},
		"Pending":    func() error { _, err := s.Pending(ctx, device, 0, 10, now); return err },
		"Ack":        func() error { _, err := s.Ack(ctx, device, [][16]byte{e.ID}); return err },
		"Expire":     func() error { _, err := s.Expire(ctx, now); return err },
		"DropDevice": func() error { _, err := s.DropDevice(ctx, device); return err },
		"Stats":      func() error { _, err := s.Stats(ctx); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

func testReopen(t *testing.T, s store.Store, reopen func(t *testing.T, closed store.Store) store.Store) {
	ctx := t.Context()
	now := clock()
	mailbox, d1, d2 := newID(t), newID(t), newID(t)
	e := newEnvelope(t, mailbox, now.Add(time.Hour), 4096)
	put(t, s, e, d1, d2)
	object := []byte("org certificate")
	if _, err := s.AppendDirectory(ctx, "org-cert", object); err != nil {
		t.Fatalf("AppendDirectory: %v", err)
	}
	if _, err := s.Ack(ctx, d1, [][16]byte{e.ID}); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	oldSeq := pending(t, s, d2, now)[0].Seq
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = reopen(t, s)
	wantStats(t, s, store.Stats{Envelopes: 1, Bytes: 4096, Deliveries: 1, DirectoryEntries: 1})
	wantIDs(t, "acked device after reopen", pending(t, s, d1, now))
	got := pending(t, s, d2, now)
	wantIDs(t, "other device after reopen", got, e)
	if !bytes.Equal(got[0].Body, e.Body) || got[0].Seq != oldSeq {
		t.Fatalf("envelope changed across reopen: Seq %d (was %d)", got[0].Seq, oldSeq)
	}
	if idx, err := s.AppendDirectory(ctx, "org-cert", object); err != nil || idx != 0 {
		t.Fatalf("re-append after reopen = %d, %v; want 0, nil", idx, err)
	}
	if idx, err := s.AppendDirectory(ctx, "org-cert", []byte("another")); err != nil || idx != 1 {
		t.Fatalf("append after reopen = %d, %v; want 1, nil", idx, err)
	}
	if n, err := s.Ack(ctx, d2, [][16]byte{e.ID}); err != nil || n != 1 {
		t.Fatalf("Ack after reopen = %d, %v; want 1, nil", n, err)
	}
	put(t, s, newEnvelope(t, mailbox, now.Add(time.Hour), 10), d2)
	if got := pending(t, s, d2, now); len(got) != 1 || got[0].Seq <= oldSeq {
		t.Fatalf("Seq after reopen: %+v, want one envelope with Seq > %d", got, oldSeq)
	}
}
