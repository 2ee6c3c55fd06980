package payload

import (
	"bytes"
	"testing"
)

// TestCaseIDForVector pins the case id derivation to a fixed vector
// (computed independently as SHA-256("saferef/v1/case-id\x00" || org ||
// nonce)[:16]) and checks that the id depends on both inputs.
func TestCaseIDForVector(t *testing.T) {
	var org, nonce [16]byte
	for i := range org {
		org[i] = 0x10 + byte(i)
		nonce[i] = 0xa0 + byte(i)
	}
	const want = "43d4256ef87625a57af144ceeaf7cfe5"
	if got := CaseIDFor(org, nonce); got.String() != want {
		t.Fatalf("CaseIDFor = %s, want %s", got, want)
	}
	other := org
	other[15] ^= 1
	if CaseIDFor(other, nonce) == CaseIDFor(org, nonce) {
		t.Error("case id does not depend on the organisation")
	}
	if CaseIDFor(org, other) == CaseIDFor(org, nonce) {
		t.Error("case id does not depend on the nonce")
	}
	// Swapping org and nonce gives another id (fixed-length fields, no
	// ambiguity).
	if CaseIDFor(nonce, org) == CaseIDFor(org, nonce) {
		t.Error("org and nonce are interchangeable")
	}
}

func TestNewCaseNonce(t *testing.T) {
	// An all-zero draw is skipped: a zero nonce means "not assigned".
	src := bytes.NewReader(append(make([]byte, 16), bytes.Repeat([]byte{7}, 16)...))
	n, err := NewCaseNonce(src)
	if err != nil || n != (ID{7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7}) {
		t.Fatalf("NewCaseNonce = %s, %v", n, err)
	}
	if _, err := NewCaseNonce(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Error("short read accepted")
	}
	a, err1 := NewCaseNonce(nil)
	b, err2 := NewCaseNonce(nil)
	if err1 != nil || err2 != nil || a == b || a.IsZero() {
		t.Errorf("NewCaseNonce(nil) = %s, %s (%v, %v)", a, b, err1, err2)
	}
}

// TestNewIDRandom checks that NewID draws fresh random ids, never zero.
func TestNewIDRandom(t *testing.T) {
	seen := map[ID]bool{}
	for range 64 {
		id := NewID()
		if id.IsZero() || seen[id] {
			t.Fatalf("NewID returned %s twice or zero", id)
		}
		seen[id] = true
	}
}
