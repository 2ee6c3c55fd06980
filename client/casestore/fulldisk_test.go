package casestore

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// TestFullDiskLeavesStoreReadable (issue 12, item 7): when nothing can be
// written beside the store (here: the WAL and its index cannot be created,
// as on a full disk), it still opens, for reading, and a write says why it
// failed.
func TestFullDiskLeavesStoreReadable(t *testing.T) {
	ctx := context.Background()
	s, path, key := openTemp(t)
	id := newID(t)
	now := time.Unix(1767225600, 0).UTC()
	putCase(t, s, &Case{ID: id, Status: StatusCirculated, Reference: "KMR-2026-0009", Organisations: [][16]byte{newID(t)}, Created: now, Updated: now})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path + "-wal", path + "-shm"} {
		os.Remove(f)
		if err := os.Mkdir(f, 0o700); err != nil { // nothing can be created there
			t.Fatal(err)
		}
	}
	s, err := Open(ctx, path, key)
	if err != nil {
		t.Fatalf("a store on a disk that cannot be written does not open: %v", err)
	}
	defer s.Close()
	cs, err := s.Cases(ctx)
	if err != nil || len(cs) != 1 || cs[0].Reference != "KMR-2026-0009" {
		t.Fatalf("cases = %+v, %v", cs, err)
	}
	if !s.ReadOnly() {
		t.Fatal("not reported read-only")
	}
	err = s.Update(ctx, func(tx *Tx) error { return nil })
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write on a read-only store: %v", err)
	}
}
