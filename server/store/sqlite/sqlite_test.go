package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/sqlite"
	"github.com/saferef/saferef/server/store/storetest"
)

// openAt opens a store at path and closes it when the test ends.
func openAt(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t,
		func(t *testing.T) store.Store {
			return openAt(t, filepath.Join(t.TempDir(), "relay.db"))
		},
		storetest.WithReopen(func(t *testing.T, closed store.Store) store.Store {
			return openAt(t, closed.(*sqlite.Store).Path())
		}))
}

func TestFileModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relay.db")
	s := openAt(t, path)
	if _, err := s.AppendDirectory(t.Context(), "org-cert", []byte("x")); err != nil {
		t.Fatalf("AppendDirectory: %v", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("stat %s: %v", p, err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(p), mode)
		}
	}
}

func TestPragmas(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "relay.db"))
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"synchronous":  "2", // FULL
		"foreign_keys": "1",
		"user_version": "1",
	} {
		if got := s.Pragma(t, pragma); got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

func TestDirectoryAppendOnly(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "relay.db"))
	if _, err := s.AppendDirectory(t.Context(), "org-cert", []byte("x")); err != nil {
		t.Fatalf("AppendDirectory: %v", err)
	}
	for _, stmt := range []string{
		`UPDATE directory SET kind = 'revocation'`,
		`DELETE FROM directory`,
	} {
		if err := s.Exec(t, stmt); err == nil {
			t.Errorf("%s succeeded on the append-only directory", stmt)
		}
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relay.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Exec(t, `PRAGMA user_version = 99`); err != nil {
		t.Fatalf("set user_version: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if s, err := sqlite.Open(t.Context(), path); err == nil {
		s.Close()
		t.Fatal("Open accepted a schema newer than it knows")
	}
}

func TestOpenRejectsBadPath(t *testing.T) {
	for _, path := range []string{"", filepath.Join(t.TempDir(), "a?b.db")} {
		if s, err := sqlite.Open(t.Context(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

// TestSynchronousFullAfterAcks: a batch of acknowledgements alone commits
// with synchronous=NORMAL (no fsync), and the write connection is back at
// FULL afterwards, so the puts that follow are durable when they return.
func TestSynchronousFullAfterAcks(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "relay.db"))
	ctx := t.Context()
	device := [16]byte{1}
	for i := range 3 {
		e := store.Envelope{ID: [16]byte{2, byte(i)}, Mailbox: [16]byte{3}, Expiry: time.Now().Add(time.Hour), Body: []byte("ciphertext")}
		if err := s.PutEnvelope(ctx, e, [][16]byte{device}, store.Quota{}, nil); err != nil {
			t.Fatalf("PutEnvelope: %v", err)
		}
		if n, err := s.AckBatch(ctx, []store.Acks{{Device: device, IDs: [][16]byte{e.ID}}}); err != nil || n != 1 {
			t.Fatalf("AckBatch = %d, %v; want 1, nil", n, err)
		}
		if got := s.Pragma(t, "synchronous"); got != "2" {
			t.Fatalf("after an acknowledgement batch, PRAGMA synchronous = %s, want 2 (FULL)", got)
		}
	}
}

// TestDeliveriesForManyDevices: an envelope for n devices is pending for
// each of them, whatever n (the deliveries are inserted in multi-row
// chunks), and is deleted once the last acknowledges it.
func TestDeliveriesForManyDevices(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "relay.db"))
	ctx := t.Context()
	for _, n := range []int{1, 2, 3, 10, 64, 65, 127, 200} {
		devices := make([][16]byte, n)
		for i := range devices {
			devices[i] = [16]byte{byte(n), byte(i), byte(i >> 8), 9}
		}
		e := store.Envelope{ID: [16]byte{7, byte(n)}, Mailbox: [16]byte{8}, Expiry: time.Now().Add(time.Hour), Body: []byte("ciphertext")}
		if err := s.PutEnvelope(ctx, e, devices, store.Quota{}, nil); err != nil {
			t.Fatalf("PutEnvelope to %d devices: %v", n, err)
		}
		for i, d := range devices {
			got, err := s.Pending(ctx, d, 0, 10, time.Now())
			if err != nil || len(got) != 1 || got[0].ID != e.ID {
				t.Fatalf("%d devices: Pending for device %d = %d envelopes, %v; want the envelope", n, i, len(got), err)
			}
			want := 0
			if i == n-1 {
				want = 1
			}
			if k, err := s.Ack(ctx, d, [][16]byte{e.ID}); err != nil || k != want {
				t.Fatalf("%d devices: Ack by device %d = %d, %v; want %d", n, i, k, err, want)
			}
		}
	}
}

// TestWriterPageCache: the write connection keeps a page cache large
// enough for the envelopes in flight (writerCacheKiB), not SQLite's 2 MiB.
func TestWriterPageCache(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "relay.db"))
	if got := s.Pragma(t, "cache_size"); got != "-65536" {
		t.Fatalf("write connection's PRAGMA cache_size = %s, want -65536 (64 MiB)", got)
	}
}
