package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
)

func testConcurrentPut(t *testing.T, s store.Store) {
	const writers, each = 6, 8
	now := clock()
	mailbox, device := newID(t), newID(t)
	envelopes := make([][]store.Envelope, writers)
	for w := range envelopes {
		for range each {
			envelopes[w] = append(envelopes[w], newEnvelope(t, mailbox, now.Add(time.Hour), 512))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+writers)
	for w := range writers {
		wg.Go(func() {
			for _, e := range envelopes[w] {
				if err := s.PutEnvelope(t.Context(), e, [][16]byte{device}, store.Quota{}, nil); err != nil {
					errs <- err
				}
			}
		})
		// Readers run beside the writers.
		wg.Go(func() {
			var last uint64
			for range each {
				got, err := s.Pending(t.Context(), device, 0, 1000, now)
				if err != nil {
					errs <- err
					return
				}
				if len(got) > 0 && got[len(got)-1].Seq < last {
					t.Errorf("a later read saw Seq %d after %d", got[len(got)-1].Seq, last)
				}
				if len(got) > 0 {
					last = got[len(got)-1].Seq
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent use: %v", err)
	}
	got := pending(t, s, device, now)
	if len(got) != writers*each {
		t.Fatalf("Pending = %d envelopes, want %d", len(got), writers*each)
	}
	seen := make(map[[16]byte]bool)
	for i, e := range got {
		if i > 0 && e.Seq <= got[i-1].Seq {
			t.Fatalf("Seq %d follows %d", e.Seq, got[i-1].Seq)
		}
		seen[e.ID] = true
	}
	for w := range envelopes {
		// Each writer's envelopes arrive in the order it stored them.
		var last uint64
		for _, e := range envelopes[w] {
			if !seen[e.ID] {
				t.Fatalf("envelope %x missing", e.ID)
			}
			for _, g := range got {
				if g.ID == e.ID {
					if g.Seq <= last {
						t.Fatalf("writer %d: Seq %d after %d", w, g.Seq, last)
					}
					last = g.Seq
				}
			}
		}
	}
}

func testConcurrentAck(t *testing.T, s store.Store) {
	const n = 24
	now := clock()
	mailbox := newID(t)
	devices := [][16]byte{newID(t), newID(t), newID(t)}
	var all [][16]byte
	for range n {
		e := newEnvelope(t, mailbox, now.Add(time.Hour), 64)
		put(t, s, e, devices...)
		all = append(all, e.ID)
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		deleted int
	)
	for _, d := range devices {
		wg.Go(func() {
			// Acknowledge one by one so that the devices interleave.
			for _, id := range all {
				k, err := s.Ack(t.Context(), d, [][16]byte{id})
				if err != nil {
					t.Errorf("Ack: %v", err)
					return
				}
				mu.Lock()
				deleted += k
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if deleted != n {
		t.Fatalf("concurrent acks deleted %d envelopes, want %d", deleted, n)
	}
	wantStats(t, s, store.Stats{})
}

// testConcurrentDuplicatePut: puts of one id racing each other (and landing
// in one group commit, where the store has one) store it exactly once; every
// other put is refused with ErrDuplicate, and puts of other ids in the same
// moment are unaffected.
func testConcurrentDuplicatePut(t *testing.T, s store.Store) {
	const racers = 8
	now := clock()
	mailbox, device := newID(t), newID(t)
	same := newEnvelope(t, mailbox, now.Add(time.Hour), 64)
	others := make([]store.Envelope, racers)
	for i := range others {
		others[i] = newEnvelope(t, mailbox, now.Add(time.Hour), 64)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ok   int
		dups int
	)
	for i := range racers {
		wg.Go(func() {
			err := s.PutEnvelope(t.Context(), same, [][16]byte{device}, store.Quota{}, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrDuplicate):
				dups++
			default:
				t.Errorf("racing put: %v", err)
			}
		})
		wg.Go(func() {
			if err := s.PutEnvelope(t.Context(), others[i], [][16]byte{device}, store.Quota{}, nil); err != nil {
				t.Errorf("put beside the race: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 1 || dups != racers-1 {
		t.Fatalf("racing puts of one id: %d stored, %d refused as duplicates; want 1 and %d", ok, dups, racers-1)
	}
	if got := pending(t, s, device, now); len(got) != racers+1 {
		t.Fatalf("Pending = %d envelopes, want %d", len(got), racers+1)
	}
}
