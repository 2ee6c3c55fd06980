package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
)

func testDirectoryEmpty(t *testing.T, s store.Store) {
	ctx := t.Context()
	n, err := s.DirectorySize(ctx)
	if err != nil || n != 0 {
		t.Fatalf("DirectorySize = %d, %v; want 0, nil", n, err)
	}
	got, err := s.Directory(ctx, 0, 10)
	if err != nil || len(got) != 0 {
		t.Fatalf("Directory(0, 10) = %d entries, %v; want none", len(got), err)
	}
}

func testDirectoryDenseIndexes(t *testing.T, s store.Store) {
	ctx := t.Context()
	kinds := []string{"org-cert", "device-cert", "device-cert", "key-update", "revocation"}
	objects := make([][]byte, len(kinds))
	before := time.Now().Add(-time.Second)
	for i, kind := range kinds {
		objects[i] = []byte(fmt.Sprintf("signed %s object %d", kind, i))
		idx, err := s.AppendDirectory(ctx, kind, objects[i])
		if err != nil {
			t.Fatalf("AppendDirectory %d: %v", i, err)
		}
		if idx != uint64(i) {
			t.Fatalf("AppendDirectory %d returned index %d", i, idx)
		}
	}
	after := time.Now().Add(time.Second)
	if n, err := s.DirectorySize(ctx); err != nil || n != uint64(len(kinds)) {
		t.Fatalf("DirectorySize = %d, %v; want %d", n, err, len(kinds))
	}
	all, err := s.Directory(ctx, 0, 100)
	if err != nil {
		t.Fatalf("Directory: %v", err)
	}
	if len(all) != len(kinds) {
		t.Fatalf("Directory returned %d entries, want %d", len(all), len(kinds))
	}
	for i, e := range all {
		if e.Index != uint64(i) || e.Kind != kinds[i] || !bytes.Equal(e.Object, objects[i]) {
			t.Fatalf("entry %d = {%d %s %q}, want {%d %s %q}", i, e.Index, e.Kind, e.Object, i, kinds[i], objects[i])
		}
		if e.Added.Before(before) || e.Added.After(after) {
			t.Fatalf("entry %d added at %v, not between %v and %v", i, e.Added, before, after)
		}
	}
	page, err := s.Directory(ctx, 2, 2)
	if err != nil {
		t.Fatalf("Directory(2, 2): %v", err)
	}
	if len(page) != 2 || page[0].Index != 2 || page[1].Index != 3 {
		t.Fatalf("Directory(2, 2) = %+v, want indexes 2 and 3", page)
	}
	for _, since := range []uint64{5, 6, math.MaxInt64, math.MaxUint64} {
		if rest, err := s.Directory(ctx, since, 10); err != nil || len(rest) != 0 {
			t.Fatalf("Directory(%d, 10) = %d entries, %v; want none", since, len(rest), err)
		}
	}
}

func testDirectoryIdempotent(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := []byte("org certificate A"), []byte("org certificate B")
	for i, step := range []struct {
		object []byte
		want   uint64
	}{{a, 0}, {b, 1}, {a, 0}, {b, 1}, {bytes.Clone(a), 0}} {
		idx, err := s.AppendDirectory(ctx, "org-cert", step.object)
		if err != nil || idx != step.want {
			t.Fatalf("append %d: index %d, %v; want %d, nil", i, idx, err, step.want)
		}
	}
	if n, err := s.DirectorySize(ctx); err != nil || n != 2 {
		t.Fatalf("DirectorySize = %d, %v; want 2", n, err)
	}
}

func testDirectoryConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	object := []byte("one signed object")
	if _, err := s.AppendDirectory(ctx, "org-cert", object); err != nil {
		t.Fatalf("AppendDirectory: %v", err)
	}
	_, err := s.AppendDirectory(ctx, "device-cert", object)
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("same bytes under another kind: %v, want ErrConflict", err)
	}
	if n, err := s.DirectorySize(ctx); err != nil || n != 1 {
		t.Fatalf("DirectorySize = %d, %v; want 1", n, err)
	}
}

func testDirectoryLargeObject(t *testing.T, s store.Store) {
	ctx := t.Context()
	// A device certificate carries an age hybrid public key of about 2 KB;
	// make sure much larger objects are stored and deduplicated intact.
	object := newBody(t, 64<<10)
	for range 2 {
		idx, err := s.AppendDirectory(ctx, "device-cert", object)
		if err != nil || idx != 0 {
			t.Fatalf("AppendDirectory = %d, %v; want 0, nil", idx, err)
		}
	}
	got, err := s.Directory(ctx, 0, 1)
	if err != nil || len(got) != 1 || !bytes.Equal(got[0].Object, object) {
		t.Fatalf("Directory did not return the 64 KiB object intact (err %v)", err)
	}
}

func testDirectoryInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.AppendDirectory(ctx, "", []byte("x")); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("empty kind: %v, want ErrInvalid", err)
	}
	if _, err := s.AppendDirectory(ctx, "org-cert", nil); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("empty object: %v, want ErrInvalid", err)
	}
	for _, limit := range []int{0, -1} {
		if _, err := s.Directory(ctx, 0, limit); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("Directory limit %d: %v, want ErrInvalid", limit, err)
		}
	}
	if n, err := s.DirectorySize(ctx); err != nil || n != 0 {
		t.Fatalf("DirectorySize = %d, %v; want 0", n, err)
	}
}
