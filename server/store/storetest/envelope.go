package storetest

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
)

func testPutPendingRoundTrip(t *testing.T, s store.Store) {
	now := clock()
	mailbox, d1, d2 := newID(t), newID(t), newID(t)
	e := newEnvelope(t, mailbox, now.Add(30*24*time.Hour), 4096)
	e.Seq, e.Received = 999, now.Add(-time.Hour) // ignored: the store assigns them
	before := time.Now().Add(-time.Second)
	put(t, s, e, d1, d2)
	after := time.Now().Add(time.Second)
	for _, d := range [][16]byte{d1, d2} {
		got := pending(t, s, d, now)
		if len(got) != 1 {
			t.Fatalf("Pending(%x) = %d envelopes, want 1", d, len(got))
		}
		g := got[0]
		if g.ID != e.ID || g.Mailbox != e.Mailbox || !bytes.Equal(g.Body, e.Body) {
			t.Fatalf("Pending returned id %x mailbox %x body of %d bytes; want %x %x %d", g.ID, g.Mailbox, len(g.Body), e.ID, e.Mailbox, len(e.Body))
		}
		if !g.Expiry.Equal(e.Expiry) {
			t.Fatalf("Expiry = %v, want %v", g.Expiry, e.Expiry)
		}
		if g.Seq == 0 || g.Seq == 999 {
			t.Fatalf("Seq = %d: not assigned by the store", g.Seq)
		}
		if g.Received.Before(before) || g.Received.After(after) {
			t.Fatalf("Received = %v, not between %v and %v", g.Received, before, after)
		}
	}
	if got := pending(t, s, newID(t), now); len(got) != 0 {
		t.Fatalf("an unlisted device sees %d envelopes", len(got))
	}
}

func testPendingOrderAndCursor(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	mailbox, device := newID(t), newID(t)
	var want []store.Envelope
	for range 5 {
		e := newEnvelope(t, mailbox, now.Add(time.Hour), 100)
		put(t, s, e, device)
		want = append(want, e)
	}
	got := pending(t, s, device, now)
	wantIDs(t, "Pending", got, want...)
	for i := 1; i < len(got); i++ {
		if got[i].Seq <= got[i-1].Seq {
			t.Fatalf("Seq not increasing: %d then %d", got[i-1].Seq, got[i].Seq)
		}
	}
	page, err := s.Pending(ctx, device, got[1].Seq, 2, now)
	if err != nil {
		t.Fatalf("Pending after %d: %v", got[1].Seq, err)
	}
	wantIDs(t, "Pending after the second, limit 2", page, want[2], want[3])
	page, err = s.Pending(ctx, device, got[4].Seq, 10, now)
	if err != nil || len(page) != 0 {
		t.Fatalf("Pending after the last = %d envelopes, %v; want none", len(page), err)
	}
	for _, after := range []uint64{math.MaxInt64, math.MaxUint64} {
		page, err = s.Pending(ctx, device, after, 10, now)
		if err != nil || len(page) != 0 {
			t.Fatalf("Pending after %d = %d envelopes, %v; want none", after, len(page), err)
		}
	}
	page, err = s.Pending(ctx, device, 0, 1, now)
	if err != nil {
		t.Fatalf("Pending limit 1: %v", err)
	}
	wantIDs(t, "Pending limit 1", page, want[0])
	for _, limit := range []int{0, -5} {
		if _, err := s.Pending(ctx, device, 0, limit, now); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("Pending limit %d: %v, want ErrInvalid", limit, err)
		}
	}
}

func testPendingSkipsExpired(t *testing.T, s store.Store) {
	now := clock()
	mailbox, device := newID(t), newID(t)
	early := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	late := newEnvelope(t, mailbox, now.Add(3*time.Hour), 10)
	put(t, s, early, device)
	put(t, s, late, device)
	wantIDs(t, "1 s before the first expiry", pending(t, s, device, now.Add(time.Hour-time.Second)), early, late)
	wantIDs(t, "at the first expiry", pending(t, s, device, now.Add(time.Hour)), late)
	wantIDs(t, "between the expiries", pending(t, s, device, now.Add(2*time.Hour)), late)
	wantIDs(t, "after both expiries", pending(t, s, device, now.Add(4*time.Hour)))
	// Skipping is not deleting.
	wantIDs(t, "back at the start", pending(t, s, device, now), early, late)
}

func testExpiryRoundsUp(t *testing.T, s store.Store) {
	now := clock()
	mailbox, device := newID(t), newID(t)
	e := newEnvelope(t, mailbox, now.Add(time.Hour+500*time.Millisecond), 10)
	put(t, s, e, device)
	got := pending(t, s, device, now)
	if len(got) != 1 || !got[0].Expiry.Equal(now.Add(time.Hour+time.Second)) {
		t.Fatalf("Pending = %+v, want one envelope expiring at %v", got, now.Add(time.Hour+time.Second))
	}
	if got[0].Expiry.Location() != time.UTC {
		t.Fatalf("Expiry in %v, want UTC", got[0].Expiry.Location())
	}
	wantIDs(t, "just past the requested expiry", pending(t, s, device, now.Add(time.Hour+600*time.Millisecond)), e)
}

func testPutDuplicate(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	mailbox, device := newID(t), newID(t)
	e := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, e, device)
	again := e
	again.Body = []byte("different bytes")
	if err := s.PutEnvelope(ctx, again, [][16]byte{device}, store.Quota{}, nil); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("second put: %v, want ErrDuplicate", err)
	}
	elsewhere := e
	elsewhere.Mailbox = newID(t)
	if err := s.PutEnvelope(ctx, elsewhere, [][16]byte{newID(t)}, store.Quota{}, nil); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("same id to another mailbox: %v, want ErrDuplicate", err)
	}
	got := pending(t, s, device, now)
	wantIDs(t, "after duplicates", got, e)
	if !bytes.Equal(got[0].Body, e.Body) {
		t.Fatal("a duplicate put replaced the stored body")
	}
	wantStats(t, s, store.Stats{Envelopes: 1, Bytes: 10, Deliveries: 1})
}

func testPutDuplicateDevices(t *testing.T, s store.Store) {
	now := clock()
	mailbox, device := newID(t), newID(t)
	e := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, e, device, device, device)
	wantIDs(t, "Pending", pending(t, s, device, now), e)
	wantStats(t, s, store.Stats{Envelopes: 1, Bytes: 10, Deliveries: 1})
	if n, err := s.Ack(t.Context(), device, [][16]byte{e.ID}); err != nil || n != 1 {
		t.Fatalf("Ack = %d, %v; want 1, nil", n, err)
	}
}

func testPutWithoutDevices(t *testing.T, s store.Store) {
	now := clock()
	e := newEnvelope(t, newID(t), now.Add(time.Hour), 10)
	put(t, s, e)
	wantStats(t, s, store.Stats{Envelopes: 1, Bytes: 10})
	if n, err := s.Expire(t.Context(), now.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("Expire = %d, %v; want 1, nil", n, err)
	}
	wantStats(t, s, store.Stats{})
}

func testPutInvalid(t *testing.T, s store.Store) {
	e := newEnvelope(t, newID(t), time.Time{}, 10)
	if err := s.PutEnvelope(t.Context(), e, [][16]byte{newID(t)}, store.Quota{}, nil); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("zero expiry: %v, want ErrInvalid", err)
	}
	wantStats(t, s, store.Stats{})
}

func testStats(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	mailbox, d1, d2 := newID(t), newID(t), newID(t)
	put(t, s, newEnvelope(t, mailbox, now.Add(time.Hour), 4096), d1, d2)
	put(t, s, newEnvelope(t, mailbox, now.Add(time.Hour), 1000), d1)
	put(t, s, newEnvelope(t, newID(t), now.Add(time.Hour), 0), d2)
	for i := range 3 {
		if _, err := s.AppendDirectory(ctx, "org-cert", []byte{byte(i)}); err != nil {
			t.Fatalf("AppendDirectory: %v", err)
		}
	}
	wantStats(t, s, store.Stats{Envelopes: 3, Bytes: 5096, Deliveries: 4, DirectoryEntries: 3})
}

// testPutStoredReadableBeforeReturn checks PutEnvelope's stored callback:
// called exactly once, before PutEnvelope returns, and at that moment
// Pending already returns the envelope (the relay hands it to recipients
// then).
func testPutStoredReadableBeforeReturn(t *testing.T, s store.Store) {
	now := clock()
	device := newID(t)
	for i := range 3 {
		e := newEnvelope(t, newID(t), now.Add(time.Hour), 100)
		calls, returned := 0, false
		var seen []store.Envelope
		stored := func() {
			calls++
			if returned {
				t.Error("stored called after PutEnvelope returned")
			}
			got, err := s.Pending(t.Context(), device, 0, 100, now)
			if err != nil {
				t.Errorf("Pending inside stored: %v", err)
			}
			seen = got
		}
		if err := s.PutEnvelope(t.Context(), e, [][16]byte{device}, store.Quota{}, stored); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
		returned = true
		if calls != 1 {
			t.Fatalf("put %d: stored called %d times, want once", i, calls)
		}
		if len(seen) != i+1 || seen[i].ID != e.ID {
			t.Fatalf("put %d: Pending inside stored returned %d envelopes %v, want the new one last of %d", i, len(seen), ids(seen), i+1)
		}
	}
}

// testPutStoredNotForRefused checks that a put refused as a duplicate or
// for a full mailbox never calls stored: the relay must not hand such an
// envelope to anyone.
func testPutStoredNotForRefused(t *testing.T, s store.Store) {
	now := clock()
	mailbox, device := newID(t), newID(t)
	e := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, e, device)
	refused := func(what string) func() {
		return func() { t.Errorf("stored called for a put refused as %s", what) }
	}
	if err := s.PutEnvelope(t.Context(), e, [][16]byte{device}, store.Quota{}, refused("a duplicate")); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("duplicate put: %v, want ErrDuplicate", err)
	}
	full := store.Quota{MaxEnvelopes: 1}
	if err := s.PutEnvelope(t.Context(), newEnvelope(t, mailbox, now.Add(time.Hour), 10), [][16]byte{device}, full, refused("over quota")); !errors.Is(err, store.ErrMailboxFull) {
		t.Fatalf("put over quota: %v, want ErrMailboxFull", err)
	}
}
