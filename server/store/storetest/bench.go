package storetest

import (
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
)

// BenchmarkDelivery measures one envelope's life in s: PutEnvelope of a
// size-byte body for one device, Pending for that device, Ack. Each
// iteration's bytes are size, so the result reads as envelope throughput.
func BenchmarkDelivery(b *testing.B, s store.Store, size int) {
	ctx := b.Context()
	now := clock()
	mailbox, device := newID(b), newID(b)
	body := newBody(b, size)
	devices := [][16]byte{device}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var after uint64
	for b.Loop() {
		e := store.Envelope{ID: newID(b), Mailbox: mailbox, Expiry: now.Add(time.Hour), Body: body}
		if err := s.PutEnvelope(ctx, e, devices, store.Quota{MaxEnvelopes: 1000, MaxBytes: 64 << 20}, nil); err != nil {
			b.Fatalf("PutEnvelope: %v", err)
		}
		got, err := s.Pending(ctx, device, after, 10, now)
		if err != nil || len(got) != 1 || got[0].ID != e.ID {
			b.Fatalf("Pending = %d envelopes, %v; want the one just stored", len(got), err)
		}
		after = got[0].Seq
		if n, err := s.Ack(ctx, device, [][16]byte{e.ID}); err != nil || n != 1 {
			b.Fatalf("Ack = %d, %v; want 1, nil", n, err)
		}
	}
}
