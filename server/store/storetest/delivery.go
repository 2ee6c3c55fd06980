package storetest

import (
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
)

func testAckDeletesWhenAllAcked(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	mailbox, d1, d2 := newID(t), newID(t), newID(t)
	e := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, e, d1, d2)
	if n, err := s.Ack(ctx, d1, [][16]byte{e.ID}); err != nil || n != 0 {
		t.Fatalf("first device's Ack = %d, %v; want 0, nil", n, err)
	}
	wantIDs(t, "first device after its ack", pending(t, s, d1, now))
	wantIDs(t, "second device before its ack", pending(t, s, d2, now), e)
	wantStats(t, s, store.Stats{Envelopes: 1, Bytes: 10, Deliveries: 1})
	if n, err := s.Ack(ctx, d1, [][16]byte{e.ID}); err != nil || n != 0 {
		t.Fatalf("repeated Ack = %d, %v; want 0, nil", n, err)
	}
	if n, err := s.Ack(ctx, d2, [][16]byte{e.ID}); err != nil || n != 1 {
		t.Fatalf("last device's Ack = %d, %v; want 1, nil", n, err)
	}
	wantStats(t, s, store.Stats{})
	if n, err := s.Ack(ctx, d2, [][16]byte{e.ID}); err != nil || n != 0 {
		t.Fatalf("Ack of a deleted envelope = %d, %v; want 0, nil", n, err)
	}
}

func testAckUnknownIgnored(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	mailbox, device, stranger := newID(t), newID(t), newID(t)
	e := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, e, device)
	for _, ack := range [][][16]byte{nil, {}, {newID(t)}, {newID(t), newID(t)}} {
		if n, err := s.Ack(ctx, device, ack); err != nil || n != 0 {
			t.Fatalf("Ack of %d unknown ids = %d, %v; want 0, nil", len(ack), n, err)
		}
	}
	// A device the envelope was not for cannot make it go away.
	if n, err := s.Ack(ctx, stranger, [][16]byte{e.ID}); err != nil || n != 0 {
		t.Fatalf("Ack by an unlisted device = %d, %v; want 0, nil", n, err)
	}
	wantIDs(t, "after stray acks", pending(t, s, device, now), e)
	wantStats(t, s, store.Stats{Envelopes: 1, Bytes: 10, Deliveries: 1})
}

func testAckMany(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	mailbox, device, other := newID(t), newID(t), newID(t)
	var batch [][16]byte
	for range 3 {
		e := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
		put(t, s, e, device)
		batch = append(batch, e.ID)
	}
	shared := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, shared, device, other)
	batch = append(batch, newID(t), shared.ID, batch[0])
	if n, err := s.Ack(ctx, device, batch); err != nil || n != 3 {
		t.Fatalf("Ack of a batch = %d, %v; want 3, nil", n, err)
	}
	wantIDs(t, "acking device", pending(t, s, device, now))
	wantIDs(t, "other device", pending(t, s, other, now), shared)
}

func testExpire(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	mailbox, d1, d2 := newID(t), newID(t), newID(t)
	first := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	second := newEnvelope(t, mailbox, now.Add(2*time.Hour), 10)
	third := newEnvelope(t, mailbox, now.Add(3*time.Hour), 10)
	put(t, s, first, d1, d2)
	put(t, s, second, d1)
	put(t, s, third, d1, d2)
	if n, err := s.Expire(ctx, now.Add(time.Hour-time.Second)); err != nil || n != 0 {
		t.Fatalf("Expire before any expiry = %d, %v; want 0, nil", n, err)
	}
	if n, err := s.Expire(ctx, now.Add(2*time.Hour)); err != nil || n != 2 {
		t.Fatalf("Expire = %d, %v; want 2, nil", n, err)
	}
	wantStats(t, s, store.Stats{Envelopes: 1, Bytes: 10, Deliveries: 2})
	wantIDs(t, "d1 after expiry", pending(t, s, d1, now), third)
	wantIDs(t, "d2 after expiry", pending(t, s, d2, now), third)
	if n, err := s.Expire(ctx, now.Add(2*time.Hour)); err != nil || n != 0 {
		t.Fatalf("repeated Expire = %d, %v; want 0, nil", n, err)
	}
}

func testDropDevice(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	mailbox, revoked, kept := newID(t), newID(t), newID(t)
	onlyRevoked := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	both := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	onlyKept := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, onlyRevoked, revoked)
	put(t, s, both, revoked, kept)
	put(t, s, onlyKept, kept)
	if n, err := s.DropDevice(ctx, revoked); err != nil || n != 1 {
		t.Fatalf("DropDevice = %d, %v; want 1, nil", n, err)
	}
	wantIDs(t, "revoked device", pending(t, s, revoked, now))
	wantIDs(t, "kept device", pending(t, s, kept, now), both, onlyKept)
	wantStats(t, s, store.Stats{Envelopes: 2, Bytes: 20, Deliveries: 2})
	if n, err := s.DropDevice(ctx, revoked); err != nil || n != 0 {
		t.Fatalf("repeated DropDevice = %d, %v; want 0, nil", n, err)
	}
	if n, err := s.DropDevice(ctx, newID(t)); err != nil || n != 0 {
		t.Fatalf("DropDevice of an unknown device = %d, %v; want 0, nil", n, err)
	}
}

func testSeqNeverReused(t *testing.T, s store.Store) {
	now := clock()
	mailbox, device := newID(t), newID(t)
	first := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, first, device)
	firstSeq := pending(t, s, device, now)[0].Seq
	if n, err := s.Ack(t.Context(), device, [][16]byte{first.ID}); err != nil || n != 1 {
		t.Fatalf("Ack = %d, %v; want 1, nil", n, err)
	}
	put(t, s, newEnvelope(t, mailbox, now.Add(time.Hour), 10), device)
	if got := pending(t, s, device, now); len(got) != 1 || got[0].Seq <= firstSeq {
		t.Fatalf("after deleting Seq %d the next envelope got %+v, want a larger Seq", firstSeq, got)
	}
}

// testAckBatch: one AckBatch of several devices acts as their Acks would one
// by one, deleting an envelope once, when the last of its devices is in the
// batch.
func testAckBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	mailbox, d1, d2, d3 := newID(t), newID(t), newID(t), newID(t)
	both := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, both, d1, d2)
	kept := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, kept, d1, d3)
	bare := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, bare)
	n, err := s.AckBatch(ctx, []store.Acks{
		{Device: d1, IDs: [][16]byte{both.ID, kept.ID, both.ID}},
		{Device: d2, IDs: [][16]byte{both.ID, newID(t)}},
		{Device: d3},
		{Device: d2, IDs: [][16]byte{bare.ID, kept.ID}}, // not d2's: ignored
	})
	if err != nil || n != 1 {
		t.Fatalf("AckBatch = %d, %v; want 1, nil", n, err)
	}
	wantIDs(t, "d1", pending(t, s, d1, now))
	wantIDs(t, "d2", pending(t, s, d2, now))
	wantIDs(t, "d3", pending(t, s, d3, now), kept)
	wantStats(t, s, store.Stats{Envelopes: 2, Bytes: 20, Deliveries: 1})
	if n, err := s.AckBatch(ctx, nil); err != nil || n != 0 {
		t.Fatalf("empty AckBatch = %d, %v; want 0, nil", n, err)
	}
}

// testAckBatchWholeOrganisation: every device of a large organisation
// acknowledges one envelope in one batch (as a relay's acker gathers them),
// some twice: the envelope stays for the one device that has not, and goes
// once that one has.
func testAckBatchWholeOrganisation(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	mailbox := newID(t)
	devices := make([][16]byte, 70) // more than the largest chunk of 64
	for i := range devices {
		devices[i] = newID(t)
	}
	e := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, e, devices...)
	other := newEnvelope(t, mailbox, now.Add(time.Hour), 10)
	put(t, s, other, devices[0])
	last := devices[len(devices)-1]
	var batch []store.Acks
	for i, d := range devices[:len(devices)-1] {
		batch = append(batch, store.Acks{Device: d, IDs: [][16]byte{e.ID}})
		if i%10 == 0 {
			batch = append(batch, store.Acks{Device: d, IDs: [][16]byte{e.ID}})
		}
	}
	if n, err := s.AckBatch(ctx, batch); err != nil || n != 0 {
		t.Fatalf("AckBatch by all but one device = %d, %v; want 0, nil", n, err)
	}
	for _, d := range devices[1 : len(devices)-1] {
		wantIDs(t, "a device that acknowledged", pending(t, s, d, now))
	}
	wantIDs(t, "the first device", pending(t, s, devices[0], now), other)
	wantIDs(t, "the device that did not acknowledge", pending(t, s, last, now), e)
	wantStats(t, s, store.Stats{Envelopes: 2, Bytes: 20, Deliveries: 2})
	if n, err := s.AckBatch(ctx, []store.Acks{{Device: last, IDs: [][16]byte{e.ID}}, {Device: devices[0], IDs: [][16]byte{e.ID}}}); err != nil || n != 1 {
		t.Fatalf("AckBatch by the last device = %d, %v; want 1, nil", n, err)
	}
	wantIDs(t, "the last device", pending(t, s, last, now))
	wantStats(t, s, store.Stats{Envelopes: 1, Bytes: 10, Deliveries: 1})
}
