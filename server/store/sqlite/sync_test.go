package sqlite_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
)

// TestPutAnsweredOnlyAfterWALSync freezes the WAL sync: the put is
// committed (stored is called, Pending returns it) but PutEnvelope does not
// return, so the relay cannot send SendOK, until the sync has run.
func TestPutAnsweredOnlyAfterWALSync(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "relay.db"))
	release := make(chan struct{})
	syncing := make(chan struct{}, 16)
	s.BeforeSync(func() error {
		syncing <- struct{}{}
		<-release
		return nil
	})
	device := [16]byte{1}
	e := store.Envelope{ID: [16]byte{2}, Mailbox: [16]byte{3}, Expiry: time.Now().Add(time.Hour), Body: []byte("ciphertext")}
	stored := make(chan struct{})
	returned := make(chan error, 1)
	go func() {
		returned <- s.PutEnvelope(context.Background(), e, [][16]byte{device}, store.Quota{}, func() { close(stored) })
	}()
	<-stored
	got, err := s.Pending(t.Context(), device, 0, 10, time.Now())
	if err != nil || len(got) != 1 {
		t.Fatalf("Pending while the sync is frozen = %d envelopes, %v; want the committed envelope", len(got), err)
	}
	<-syncing
	select {
	case err := <-returned:
		t.Fatalf("PutEnvelope returned %v before the WAL was synced", err)
	case <-time.After(200 * time.Millisecond):
	}
	// A resend of the same id while the first copy is unsynced is not
	// answered either: ErrDuplicate means "already durable" to a sender.
	dup := make(chan error, 1)
	go func() { dup <- s.PutEnvelope(context.Background(), e, [][16]byte{device}, store.Quota{}, nil) }()
	select {
	case err := <-dup:
		t.Fatalf("duplicate put answered %v before the first copy was synced", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-returned; err != nil {
		t.Fatalf("PutEnvelope after the sync: %v", err)
	}
	if err := <-dup; !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("duplicate put after the sync = %v, want ErrDuplicate", err)
	}
}

// TestPutFailsWhenWALSyncFails: a put whose sync fails is answered with an
// error, not success, though it was committed and handed over (stored);
// so is a duplicate of it, since its first copy is not known durable. After
// that the store takes no more puts, even when a later fsync "succeeds"
// (Linux may have dropped the pages that failed), and its write probe
// fails, so the relay reports itself unhealthy.
func TestPutFailsWhenWALSyncFails(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "relay.db"))
	broken := errors.New("disk on fire")
	var syncs int
	s.BeforeSync(func() error {
		syncs++
		if syncs == 1 {
			return broken
		}
		return nil
	})
	e := store.Envelope{ID: [16]byte{4}, Mailbox: [16]byte{5}, Expiry: time.Now().Add(time.Hour), Body: []byte("ciphertext")}
	called := false
	err := s.PutEnvelope(t.Context(), e, [][16]byte{{6}}, store.Quota{}, func() { called = true })
	if err == nil || errors.Is(err, store.ErrDuplicate) || !errors.Is(err, broken) {
		t.Fatalf("PutEnvelope with a failing sync = %v, want the sync's error", err)
	}
	if !called {
		t.Fatal("stored not called for a committed put")
	}
	if err := s.PutEnvelope(t.Context(), e, [][16]byte{{6}}, store.Quota{}, nil); err == nil || errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("resend after a failed sync = %v, want a failure, not ErrDuplicate", err)
	}
	other := store.Envelope{ID: [16]byte{5}, Mailbox: [16]byte{5}, Expiry: time.Now().Add(time.Hour), Body: []byte("ciphertext")}
	if err := s.PutEnvelope(t.Context(), other, [][16]byte{{6}}, store.Quota{}, nil); !errors.Is(err, broken) {
		t.Fatalf("new put after a failed sync = %v, want it refused with the sync's error", err)
	}
	if err := s.ProbeWrite(t.Context()); !errors.Is(err, broken) {
		t.Fatalf("ProbeWrite after a failed sync = %v, want the sync's error", err)
	}
}

// TestWALHoldsThePut checks that the file syncLoop syncs is the one the
// put's bytes are written to: the envelope's body is in "<path>-wal" when
// PutEnvelope returns.
func TestWALHoldsThePut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relay.db")
	s := openAt(t, path)
	body := make([]byte, 512)
	rand.Read(body)
	e := store.Envelope{ID: [16]byte{7}, Mailbox: [16]byte{8}, Expiry: time.Now().Add(time.Hour), Body: body}
	if err := s.PutEnvelope(t.Context(), e, [][16]byte{{9}}, store.Quota{}, nil); err != nil {
		t.Fatal(err)
	}
	wal, err := os.ReadFile(path + "-wal")
	if err != nil {
		t.Fatalf("read the WAL: %v", err)
	}
	if !bytes.Contains(wal, body) {
		t.Fatalf("the envelope's body is not in %s-wal (%d bytes): syncing that file would not make it durable", path, len(wal))
	}
}

// TestWALFollowsSymlinkedPath: opened through a symbolic link, the store
// syncs the WAL SQLite writes, beside the file the link names, not a
// "-wal" beside the link.
func TestWALFollowsSymlinkedPath(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "data", "relay.db")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "relay.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, link)
	body := make([]byte, 512)
	rand.Read(body)
	e := store.Envelope{ID: [16]byte{10}, Mailbox: [16]byte{11}, Expiry: time.Now().Add(time.Hour), Body: body}
	if err := s.PutEnvelope(t.Context(), e, [][16]byte{{12}}, store.Quota{}, nil); err != nil {
		t.Fatalf("put through a symlinked path: %v", err)
	}
	wal, err := os.ReadFile(real + "-wal")
	if err != nil || !bytes.Contains(wal, body) {
		t.Fatalf("the body is not in %s-wal (%v)", real, err)
	}
}
