package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
)

// notifyTimeout bounds how long a notification may take to arrive.
const notifyTimeout = 10 * time.Second

// RunNotifier runs the Notifier conformance suite. pair must return two
// stores over the same data, as two relay nodes would have; both must
// implement store.Notifier.
func RunNotifier(t *testing.T, pair func(t *testing.T) (store.Store, store.Store)) {
	t.Run("OtherNodeHears", func(t *testing.T) {
		writer, listener := pair(t)
		testNotified(t, writer, notifier(t, listener), false)
	})
	t.Run("SameNodeHears", func(t *testing.T) {
		s, _ := pair(t)
		testNotified(t, s, notifier(t, s), true)
	})
	t.Run("CancelEndsListen", func(t *testing.T) {
		_, s := pair(t)
		ctx, cancel := context.WithCancel(t.Context())
		done := listen(ctx, notifier(t, s), func([16]byte, bool) {})
		time.Sleep(100 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Listen after cancel = %v, want nil", err)
			}
		case <-time.After(notifyTimeout):
			t.Fatal("Listen did not return after its context was canceled")
		}
	})
	t.Run("CloseEndsListen", func(t *testing.T) {
		_, s := pair(t)
		done := listen(t.Context(), notifier(t, s), func([16]byte, bool) {})
		time.Sleep(100 * time.Millisecond)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		select {
		case err := <-done:
			if !errors.Is(err, store.ErrClosed) {
				t.Fatalf("Listen after Close = %v, want ErrClosed", err)
			}
		case <-time.After(notifyTimeout):
			t.Fatal("Listen did not return after the store was closed")
		}
		if err := notifier(t, s).Listen(t.Context(), func([16]byte, bool) {}); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("Listen on a closed store = %v, want ErrClosed", err)
		}
	})
}

// notifier returns s as a store.Notifier or fails the test.
func notifier(t *testing.T, s store.Store) store.Notifier {
	t.Helper()
	n, ok := s.(store.Notifier)
	if !ok {
		t.Fatalf("%T does not implement store.Notifier", s)
	}
	return n
}

// listen runs n.Listen in a goroutine and returns where its result arrives.
func listen(ctx context.Context, n store.Notifier, fn func([16]byte, bool)) <-chan error {
	done := make(chan error, 1)
	go func() { done <- n.Listen(ctx, fn) }()
	return done
}

// testNotified stores envelopes through writer until listener reports their
// mailbox. Notification is at-most-once and LISTEN starts asynchronously, so
// it keeps storing until one is heard.
func testNotified(t *testing.T, writer store.Store, listener store.Notifier, wantOwn bool) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	mailbox := newID(t)
	type heardPut struct {
		mailbox [16]byte
		own     bool
	}
	heard := make(chan heardPut, 100)
	done := listen(ctx, listener, func(m [16]byte, own bool) {
		select {
		case heard <- heardPut{m, own}:
		default:
		}
	})
	deadline := time.After(notifyTimeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	now := clock()
	for {
		put(t, writer, newEnvelope(t, mailbox, now.Add(time.Hour), 10), newID(t))
		select {
		case h := <-heard:
			if h.mailbox != mailbox {
				t.Fatalf("heard mailbox %x, want %x", h.mailbox, mailbox)
			}
			if h.own != wantOwn {
				t.Fatalf("notification own = %v, want %v", h.own, wantOwn)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("Listen returned %v after cancel, want nil", err)
			}
			return
		case err := <-done:
			t.Fatalf("Listen returned early: %v", err)
		case <-deadline:
			t.Fatal("no notification within the timeout")
		case <-tick.C:
		}
	}
}
