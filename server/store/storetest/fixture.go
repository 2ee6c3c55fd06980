package storetest

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
)

// newID returns a random 16-byte id.
func newID(t testing.TB) [16]byte {
	t.Helper()
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		t.Fatalf("random id: %v", err)
	}
	return id
}

// newBody returns size random bytes standing in for envelope ciphertext.
func newBody(t testing.TB, size int) []byte {
	t.Helper()
	b := make([]byte, size)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random body: %v", err)
	}
	return b
}

// clock returns the present in whole seconds, UTC: the suite's "now".
func clock() time.Time {
	return time.Now().UTC().Truncate(time.Second)
}

// newEnvelope returns an envelope for mailbox with a random id and body.
func newEnvelope(t testing.TB, mailbox [16]byte, expiry time.Time, size int) store.Envelope {
	t.Helper()
	return store.Envelope{ID: newID(t), Mailbox: mailbox, Expiry: expiry, Body: newBody(t, size)}
}

// put stores e for devices with no quota, failing the test on error.
func put(t testing.TB, s store.Store, e store.Envelope, devices ...[16]byte) {
	t.Helper()
	if err := s.PutEnvelope(t.Context(), e, devices, store.Quota{}, nil); err != nil {
		t.Fatalf("PutEnvelope %x: %v", e.ID, err)
	}
}

// pending returns everything waiting for device at now, failing on error.
func pending(t testing.TB, s store.Store, device [16]byte, now time.Time) []store.Envelope {
	t.Helper()
	got, err := s.Pending(t.Context(), device, 0, 10000, now)
	if err != nil {
		t.Fatalf("Pending %x: %v", device, err)
	}
	return got
}

// ids returns the ids of envelopes, in order.
func ids(envelopes []store.Envelope) [][16]byte {
	out := make([][16]byte, len(envelopes))
	for i, e := range envelopes {
		out[i] = e.ID
	}
	return out
}

// wantIDs fails the test unless got holds exactly the envelopes want, in
// that order.
func wantIDs(t testing.TB, what string, got []store.Envelope, want ...store.Envelope) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d envelopes %x, want %d %x", what, len(got), ids(got), len(want), ids(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID {
			t.Fatalf("%s: envelope %d is %x, want %x", what, i, got[i].ID, want[i].ID)
		}
	}
}

// stats returns s.Stats, failing on error.
func stats(t testing.TB, s store.Store) store.Stats {
	t.Helper()
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return st
}

// wantStats fails the test unless s holds exactly want.
func wantStats(t testing.TB, s store.Store, want store.Stats) {
	t.Helper()
	if got := stats(t, s); got != want {
		t.Fatalf("Stats = %+v, want %+v", got, want)
	}
}
