package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
)

func testQuotaEnvelopes(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	quota := store.Quota{MaxEnvelopes: 2}
	mailbox, device := newID(t), newID(t)
	var stored []store.Envelope
	for range 2 {
		e := newEnvelope(t, mailbox, now.Add(time.Hour), 100)
		if err := s.PutEnvelope(ctx, e, [][16]byte{device}, quota, nil); err != nil {
			t.Fatalf("put under quota: %v", err)
		}
		stored = append(stored, e)
	}
	over := newEnvelope(t, mailbox, now.Add(time.Hour), 100)
	if err := s.PutEnvelope(ctx, over, [][16]byte{device}, quota, nil); !errors.Is(err, store.ErrMailboxFull) {
		t.Fatalf("third put: %v, want ErrMailboxFull", err)
	}
	wantIDs(t, "after refusal", pending(t, s, device, now), stored...)
	// Another mailbox has its own quota.
	if err := s.PutEnvelope(ctx, newEnvelope(t, newID(t), now.Add(time.Hour), 100), [][16]byte{device}, quota, nil); err != nil {
		t.Fatalf("put to another mailbox: %v", err)
	}
	// Acknowledging makes room.
	if n, err := s.Ack(ctx, device, [][16]byte{stored[0].ID}); err != nil || n != 1 {
		t.Fatalf("Ack = %d, %v; want 1, nil", n, err)
	}
	if err := s.PutEnvelope(ctx, over, [][16]byte{device}, quota, nil); err != nil {
		t.Fatalf("put after ack: %v", err)
	}
}

func testQuotaBytes(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := clock()
	quota := store.Quota{MaxBytes: 10000}
	mailbox, device := newID(t), newID(t)
	try := func(size int) error {
		return s.PutEnvelope(ctx, newEnvelope(t, mailbox, now.Add(time.Hour), size), [][16]byte{device}, quota, nil)
	}
	for i := range 2 {
		if err := try(4096); err != nil {
			t.Fatalf("put %d of 4096 bytes: %v", i, err)
		}
	}
	if err := try(4096); !errors.Is(err, store.ErrMailboxFull) {
		t.Fatalf("put taking the mailbox to 12288 bytes: %v, want ErrMailboxFull", err)
	}
	if err := try(10000 - 2*4096); err != nil {
		t.Fatalf("put filling the mailbox exactly: %v", err)
	}
	if err := try(1); !errors.Is(err, store.ErrMailboxFull) {
		t.Fatalf("put of 1 byte into a full mailbox: %v, want ErrMailboxFull", err)
	}
	if err := s.PutEnvelope(ctx, newEnvelope(t, newID(t), now.Add(time.Hour), 10001), [][16]byte{device}, quota, nil); !errors.Is(err, store.ErrMailboxFull) {
		t.Fatalf("envelope larger than the quota: %v, want ErrMailboxFull", err)
	}
	wantStats(t, s, store.Stats{Envelopes: 3, Bytes: 10000, Deliveries: 3})
}

func testQuotaUnlimited(t *testing.T, s store.Store) {
	now := clock()
	mailbox, device := newID(t), newID(t)
	for i := range 20 {
		e := newEnvelope(t, mailbox, now.Add(time.Hour), 1000)
		if err := s.PutEnvelope(t.Context(), e, [][16]byte{device}, store.Quota{MaxEnvelopes: 0, MaxBytes: -1}, nil); err != nil {
			t.Fatalf("put %d without quota: %v", i, err)
		}
	}
	wantStats(t, s, store.Stats{Envelopes: 20, Bytes: 20000, Deliveries: 20})
}
