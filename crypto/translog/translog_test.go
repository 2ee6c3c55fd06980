package translog

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

func TestCheckpointRoundTrip(t *testing.T) {
	l := testLog(t, 5, 0x42)
	raw := mustCheckpoint(t, l, 5)
	v, err := ParseVerifierKey(l.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	cp, err := OpenCheckpoint(raw, v)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	root, _ := RootOf([][]byte{record(0), record(1), record(2), record(3), record(4)})
	if cp.Size != 5 || cp.Root != root || cp.Origin != testOrigin || !bytes.Equal(cp.Raw, raw) {
		t.Fatalf("checkpoint %v, want size 5 root %x", cp, root)
	}
	if !strings.HasPrefix(string(raw), testOrigin+"\n5\n") {
		t.Fatalf("checkpoint text:\n%s", raw)
	}
	// Signing is deterministic: asking again gives the same bytes.
	if again := mustCheckpoint(t, l, 5); !bytes.Equal(again, raw) {
		t.Fatal("second checkpoint for the same size differs")
	}
	// An older size can be signed too, and differs.
	if old := mustCheckpoint(t, l, 3); bytes.Equal(old, raw) {
		t.Fatal("checkpoint for size 3 equals the one for 5")
	}
	if _, err := l.Checkpoint(6); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("checkpoint beyond the log: %v", err)
	}
}

func TestOpenCheckpointRejects(t *testing.T) {
	l := testLog(t, 3, 0x42)
	raw := mustCheckpoint(t, l, 3)
	v, _ := ParseVerifierKey(l.VerifierKey())
	s, _ := testKey(t, 0x42)
	text := textOf(raw)
	many := bytes.Clone(raw)
	for i := range 11 {
		k, _ := testKey(t, byte(0x50+i))
		many = append(many, resign(t, k, text)[len(text)+1:]...)
	}
	root, _ := l.tree.Root(3)
	tests := []struct {
		name string
		raw  []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"too large", make([]byte, MaxCheckpointSize+1), ErrMalformed},
		{"not a note", []byte("hello\n"), ErrMalformed},
		{"another key", mustCheckpoint(t, testLog(t, 3, 0x43), 3), ErrBadCheckpoint},
		{"flipped signature", flipLast(raw), ErrBadCheckpoint},
		{"changed size", bytes.Replace(raw, []byte("\n3\n"), []byte("\n4\n"), 1), ErrBadCheckpoint},
		{"extension line", resign(t, s, text+"extra\n"), ErrMalformed},
		{"leading zero size", resign(t, s, strings.Replace(text, "\n3\n", "\n03\n", 1)), ErrMalformed},
		{"negative size", resign(t, s, strings.Replace(text, "\n3\n", "\n-3\n", 1)), ErrMalformed},
		{"short hash", resign(t, s, testOrigin+"\n3\nAAAA\n"), ErrMalformed},
		{"too many cosignatures", many, ErrMalformed},
		{"wrong origin", resign(t, s, string(FormatCheckpoint("saferef-relay/ffff", 3, root))), ErrBadCheckpoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cp, err := OpenCheckpoint(tc.raw, v)
			if !errors.Is(err, tc.want) {
				t.Fatalf("OpenCheckpoint = %v, %v; want %v", cp, err, tc.want)
			}
		})
	}
}

func flipLast(raw []byte) []byte {
	b := bytes.Clone(raw)
	// The byte before the final newline is base64 of the signature; change
	// it to another valid base64 digit.
	i := len(b) - 3
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return b
}

// TestTreeProofs checks every inclusion and consistency proof of small
// trees, and that a wrong record or root fails.
func TestTreeProofs(t *testing.T) {
	const n = 33
	l := testLog(t, n, 0x42)
	v, _ := ParseVerifierKey(l.VerifierKey())
	cps := make([]*Checkpoint, n+1)
	for size := int64(0); size <= n; size++ {
		cp, err := OpenCheckpoint(mustCheckpoint(t, l, size), v)
		if err != nil {
			t.Fatal(err)
		}
		cps[size] = cp
		var objs [][]byte
		for i := range size {
			objs = append(objs, record(int(i)))
		}
		if err := VerifyRecords(cp, objs); err != nil {
			t.Fatalf("replay of %d records: %v", size, err)
		}
	}
	for size := int64(1); size <= n; size++ {
		for i := int64(0); i < size; i++ {
			p, err := l.ProveInclusion(i, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyInclusion(cps[size], i, record(int(i)), p); err != nil {
				t.Fatalf("record %d in %d: %v", i, size, err)
			}
			if err := VerifyInclusion(cps[size], i, record(int(i)+1), p); !errors.Is(err, ErrBadProof) {
				t.Fatalf("wrong record %d in %d verified: %v", i, size, err)
			}
			if i+1 < size {
				if err := VerifyInclusion(cps[size], i+1, record(int(i)), p); !errors.Is(err, ErrBadProof) {
					t.Fatalf("record %d proved at index %d in %d: %v", i, i+1, size, err)
				}
			}
		}
		for old := int64(0); old <= size; old++ {
			p, err := l.ProveConsistency(old, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyConsistency(cps[old], cps[size], p); err != nil {
				t.Fatalf("%d extends %d: %v", size, old, err)
			}
			if old > 0 && old < size {
				if err := VerifyConsistency(cps[old-1], cps[size], p); old > 1 && !errors.Is(err, ErrSplitView) {
					t.Fatalf("proof for %d->%d accepted for %d: %v", old, size, old-1, err)
				}
			}
		}
	}
	if _, err := l.ProveInclusion(n, n); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("proof beyond the log: %v", err)
	}
	if _, err := l.ProveConsistency(2, n+1); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("consistency beyond the log: %v", err)
	}
	if err := VerifyRecords(cps[3], [][]byte{record(0), record(9), record(2)}); !errors.Is(err, ErrTreeMismatch) {
		t.Fatalf("substituted record replayed: %v", err)
	}
	if err := VerifyInclusion(cps[3], 0, record(0), make([][32]byte, MaxProofHashes+1)); !errors.Is(err, ErrBadProof) {
		t.Fatalf("oversized proof: %v", err)
	}
}

func TestRootOfEmpty(t *testing.T) {
	got, err := RootOf(nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := tlog.TreeHash(0, tlog.HashReaderFunc(func([]int64) ([]tlog.Hash, error) { return nil, nil }))
	if got != want {
		t.Fatalf("empty root %x, want %x", got, want)
	}
}

func TestKeys(t *testing.T) {
	s, vkey := testKey(t, 0x42)
	if err := CheckKeyPair(s, vkey); err != nil {
		t.Fatalf("key pair: %v", err)
	}
	_, other := testKey(t, 0x43)
	if err := CheckKeyPair(s, other); !errors.Is(err, ErrWrongLogKey) {
		t.Fatalf("mismatched key pair: %v", err)
	}
	if _, err := NewLog(s, other); !errors.Is(err, ErrWrongLogKey) {
		t.Fatalf("NewLog with mismatched key: %v", err)
	}
	for _, bad := range []string{"", "PRIVATE+KEY+x", "not a key", strings.Replace(vkey, "+", "-", 1)} {
		if _, _, err := ParseSignerKey(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseSignerKey(%q) = %v", bad, err)
		}
	}
	if _, err := ParseVerifierKey("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"); !errors.Is(err, ErrMalformed) {
		t.Errorf("a non-Saferef key name was accepted: %v", err)
	}
}

func TestPinnedKey(t *testing.T) {
	_, a := testKey(t, 0x42)
	_, b := testKey(t, 0x43)
	plain := schemeWithKey(t, "")
	withKey := schemeWithKey(t, a)
	tests := []struct {
		name           string
		scheme         string
		pinned, served string
		want           string
		err            error
	}{
		{"first use", "", "", a, a, nil},
		{"pinned, same served", "", a, a, a, nil},
		{"pinned, other served", "", a, b, "", ErrWrongLogKey},
		{"pinned, none served", "", a, "", a, nil},
		{"nothing at all", "", "", "", "", ErrWrongLogKey},
		{"scheme key, first use of other", "k", "", b, "", ErrWrongLogKey},
		{"scheme key, served same", "k", "", a, a, nil},
		{"scheme key overrides other pin", "k", b, a, "", ErrWrongLogKey},
		{"garbage served on first use", "", "", "garbage", "", ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := plain
			if tc.scheme != "" {
				s = withKey
			}
			got, err := PinnedKey(s, tc.pinned, tc.served)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("PinnedKey = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
}
