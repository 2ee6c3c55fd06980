package sqlite_test

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/sqlite"
)

// TestRefusesNewerSchemaWithAdvice checks that a store written by a newer relay is
// refused by Open and Inspect with store.ErrSchemaNewer and words that say
// what to do, and is left untouched.
func TestRefusesNewerSchemaWithAdvice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relay.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	newer := sqlite.SchemaVersion() + 1
	if err := s.Exec(t, fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = sqlite.Open(t.Context(), path)
	if !errors.Is(err, store.ErrSchemaNewer) || !strings.Contains(err.Error(), "newer release") {
		t.Fatalf("Open of a newer store: %v, want ErrSchemaNewer with advice", err)
	}
	if _, err := sqlite.Inspect(t.Context(), path); !errors.Is(err, store.ErrSchemaNewer) {
		t.Fatalf("Inspect of a newer store: %v", err)
	}
	// The refusal changed nothing.
	in, _ := sqlite.Inspect(t.Context(), path)
	if in == nil || in.SchemaVersion != newer {
		t.Fatalf("schema version after refusal: %+v, want %d", in, newer)
	}
}

// TestMigratesAtOpen checks that an empty (version 0) file is migrated to
// SchemaVersion by Open, and that Inspect reports without migrating.
func TestMigratesAtOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relay.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := sqlite.Inspect(t.Context(), path)
	if err != nil || in.SchemaVersion != 0 {
		t.Fatalf("Inspect of an empty file: %+v, %v", in, err)
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Fatalf("Inspect wrote %d bytes", fi.Size())
	}
	openAt(t, path)
	in, err = sqlite.Inspect(t.Context(), path)
	if err != nil || in.SchemaVersion != sqlite.SchemaVersion() {
		t.Fatalf("after Open: %+v, %v; want version %d", in, err, sqlite.SchemaVersion())
	}
}

// TestBackupWhileWriting takes a backup while another goroutine keeps
// storing envelopes, and checks the snapshot is consistent and holds every
// envelope whose PutEnvelope returned before the backup began.
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "relay.db")
	s := openAt(t, path)
	ctx := t.Context()
	if _, err := s.AppendDirectory(ctx, "org-cert", []byte("an org certificate")); err != nil {
		t.Fatal(err)
	}
	mailbox := randomID(t)
	var acked atomic.Int64
	put := func() error {
		e := store.Envelope{ID: randomID(t), Mailbox: mailbox, Expiry: time.Now().Add(time.Hour), Body: make([]byte, 512)}
		if err := s.PutEnvelope(ctx, e, [][16]byte{randomID(t)}, store.Quota{}, nil); err != nil {
			return err
		}
		acked.Add(1)
		return nil
	}
	for range 50 {
		if err := put(); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var putErr error
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := put(); err != nil {
				putErr = err
				return
			}
		}
	})
	before := acked.Load()
	out := filepath.Join(dir, "backup.db")
	in, err := sqlite.Backup(ctx, path, out)
	after := acked.Load()
	close(stop)
	wg.Wait()
	if err != nil || putErr != nil {
		t.Fatalf("Backup: %v; writer: %v", err, putErr)
	}
	if in.Envelopes < before || in.Envelopes > after || in.Directory != 1 || in.SchemaVersion != sqlite.SchemaVersion() {
		t.Fatalf("snapshot %+v: want %d..%d envelopes, 1 directory entry", in, before, after)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v; want mode 600", fi, err)
	}
	// The snapshot opens as a store, with the acknowledged envelopes.
	restored := openAt(t, out)
	st, err := restored.Stats(ctx)
	if err != nil || st.Envelopes != in.Envelopes {
		t.Fatalf("restored stats %+v, %v; want %d envelopes", st, err, in.Envelopes)
	}
	// An existing file is never overwritten.
	if _, err := sqlite.Backup(ctx, path, out); err == nil {
		t.Fatal("Backup overwrote an existing file")
	}
	// A missing store is an error, and creates nothing.
	if _, err := sqlite.Backup(ctx, filepath.Join(dir, "missing.db"), filepath.Join(dir, "b2.db")); err == nil {
		t.Fatal("Backup of a missing store succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Backup created the missing store: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "b2.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("failed Backup left a file: %v", err)
	}
}

func randomID(t testing.TB) [16]byte {
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		t.Fatal(err)
	}
	return id
}
