package storeutil

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
)

func TestExpirySecondsRoundsUp(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		in   time.Time
		want int64
	}{
		{base, 1_700_000_000},
		{base.Add(time.Nanosecond), 1_700_000_001},
		{base.Add(999 * time.Millisecond), 1_700_000_001},
		{base.Add(-time.Nanosecond), 1_700_000_000},
	} {
		if got := ExpirySeconds(tc.in); got != tc.want {
			t.Errorf("ExpirySeconds(%v) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestCursorSaturates(t *testing.T) {
	for in, want := range map[uint64]int64{0: 0, 42: 42, math.MaxInt64: math.MaxInt64, math.MaxInt64 + 1: math.MaxInt64, math.MaxUint64: math.MaxInt64} {
		if got := Cursor(in); got != want {
			t.Errorf("Cursor(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestUniqueDevices(t *testing.T) {
	a, b := [16]byte{1}, [16]byte{2}
	got := UniqueDevices([][16]byte{a, b, a, a, b})
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("UniqueDevices = %x, want [%x %x]", got, a, b)
	}
	if got := UniqueDevices(nil); len(got) != 0 {
		t.Fatalf("UniqueDevices(nil) = %x", got)
	}
}

func TestChecks(t *testing.T) {
	if err := CheckLimit(1); err != nil {
		t.Errorf("CheckLimit(1) = %v", err)
	}
	if err := CheckLimit(0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("CheckLimit(0) = %v, want ErrInvalid", err)
	}
	if err := CheckDirectoryEntry("org-cert", []byte{1}); err != nil {
		t.Errorf("CheckDirectoryEntry = %v", err)
	}
	if err := CheckEnvelope(store.Envelope{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("CheckEnvelope(zero) = %v, want ErrInvalid", err)
	}
	if got := UnixUTC(0); !got.Equal(time.Unix(0, 0)) || got.Location() != time.UTC {
		t.Errorf("UnixUTC(0) = %v", got)
	}
}

func TestAwaitPut(t *testing.T) {
	// committed, then done: stored runs once, before the answer.
	committed, done := make(chan struct{}, 1), make(chan int, 1)
	committed <- struct{}{}
	done <- 7
	calls := 0
	if r, ok := AwaitPut(committed, done, nil, func() { calls++ }); r != 7 || !ok || calls != 1 {
		t.Fatalf("committed put: %d, %v, stored called %d times", r, ok, calls)
	}
	// refused: done without committed, stored never runs.
	done <- 8
	if r, ok := AwaitPut(make(chan struct{}), done, nil, func() { t.Error("stored called for a refused put") }); r != 8 || !ok {
		t.Fatalf("refused put: %d, %v", r, ok)
	}
	// the store closes while the put waits for its answer.
	committed <- struct{}{}
	closed := make(chan struct{})
	close(closed)
	if _, ok := AwaitPut(committed, make(chan int), closed, nil); ok {
		t.Fatal("AwaitPut on a closed store reported an answer")
	}
}
