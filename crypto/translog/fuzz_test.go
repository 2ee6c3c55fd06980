package translog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// FuzzOpenCheckpoint checks that OpenCheckpoint never panics, returns only
// typed errors, and accepts only the canonical form signed by the key.
func FuzzOpenCheckpoint(f *testing.F) {
	l := testLog(f, 7, 0x42)
	v, err := ParseVerifierKey(l.VerifierKey())
	if err != nil {
		f.Fatal(err)
	}
	for size := int64(0); size <= 7; size++ {
		f.Add(mustCheckpoint(f, l, size))
	}
	f.Add([]byte{})
	f.Add([]byte("saferef-relay/0123456789abcdef\n7\nAAAA\n\n— x y\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cp, err := OpenCheckpoint(raw, v)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadCheckpoint) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if cp.Origin != v.Name() || cp.Size < 0 {
			t.Fatalf("accepted %v", cp)
		}
		// The text and the log key's signature line are exactly what the
		// key signs; other lines are cosignatures, ignored here.
		again, err := SignCheckpoint(l.signer, cp.Size, cp.Root)
		text := FormatCheckpoint(cp.Origin, cp.Size, cp.Root)
		sigLine := again[len(text)+1:]
		if err != nil || !bytes.HasPrefix(raw, append(bytes.Clone(text), '\n')) || !bytes.Contains(raw[len(text):], sigLine) {
			t.Fatalf("accepted checkpoint is not the one the key signs:\n%q\n%q", raw, again)
		}
	})
}

// FuzzParseCheckpointText checks that whatever parses formats back to the
// same bytes.
func FuzzParseCheckpointText(f *testing.F) {
	f.Add([]byte("saferef-relay/0123456789abcdef\n7\nZlCXn2yHiq2F84Dsicnip68Q0qZKqWqJGKp/UHsg+Y4=\n"))
	f.Add([]byte("o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"))
	f.Add([]byte("o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nx\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		origin, size, root, err := ParseCheckpointText(text)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if got := FormatCheckpoint(origin, size, root); !bytes.Equal(got, text) {
			t.Fatalf("parsed %q, formats as %q", text, got)
		}
	})
}

// FuzzProofs feeds arbitrary proofs, indexes and records to the
// verification functions: they must never panic, and must accept only
// true statements about the fixed log.
func FuzzProofs(f *testing.F) {
	const n = 13
	l := testLog(f, n, 0x42)
	v, _ := ParseVerifierKey(l.VerifierKey())
	cps := make([]*Checkpoint, n+1)
	for s := range int64(n + 1) {
		cp, err := OpenCheckpoint(mustCheckpoint(f, l, s), v)
		if err != nil {
			f.Fatal(err)
		}
		cps[s] = cp
	}
	flat := func(p [][32]byte) []byte {
		var b []byte
		for _, h := range p {
			b = append(b, h[:]...)
		}
		return b
	}
	inc, _ := l.ProveInclusion(5, n)
	con, _ := l.ProveConsistency(6, n)
	f.Add(flat(inc), int64(5), uint8(6), uint8(n), []byte("record 5"))
	f.Add(flat(con), int64(0), uint8(6), uint8(n), []byte("record 0"))
	f.Add([]byte{}, int64(-1), uint8(0), uint8(0), []byte{})
	f.Fuzz(func(t *testing.T, proof []byte, index int64, old, size uint8, object []byte) {
		var p [][32]byte
		for len(proof) >= 32 {
			p = append(p, [32]byte(proof[:32]))
			proof = proof[32:]
		}
		o, s := cps[int(old)%(n+1)], cps[int(size)%(n+1)]
		if err := VerifyInclusion(s, index, object, p); err == nil {
			if index < 0 || index >= s.Size || tlog.RecordHash(object) != tlog.RecordHash(record(int(index))) {
				t.Fatalf("false inclusion of %q at %d in %d accepted", object, index, s.Size)
			}
		} else if !errors.Is(err, ErrBadProof) {
			t.Fatalf("untyped error: %v", err)
		}
		// Every pair of checkpoints of one log is consistent; the proof
		// only has to be right.
		if err := VerifyConsistency(o, s, p); err != nil && !errors.Is(err, ErrSplitView) {
			t.Fatalf("untyped error: %v", err)
		}
	})
}

// FuzzAuditEntries checks that an audit of a log holding arbitrary entries
// never panics and reports each bad entry.
func FuzzAuditEntries(f *testing.F) {
	s := newAuditScheme(f)
	for _, o := range s.Objects {
		f.Add(o)
	}
	f.Add([]byte{0xa0})
	f.Add([]byte("junk"))
	// Root rotation, admin re-issue and policy objects (of the crypto
	// vectors' scheme), so the fuzzer reaches their descriptions.
	for _, n := range []string{"scheme-update.cbor", "org-policy.cbor", "admin-org-cert.cbor"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	signer, vkey := testKey(f, 0x42)
	f.Fuzz(func(t *testing.T, obj []byte) {
		l, err := NewLog(signer, vkey)
		if err != nil {
			t.Fatal(err)
		}
		objs := [][]byte{s.Objects[0], obj}
		for _, o := range objs {
			l.Append(o)
		}
		rep, err := Audit(s.Scheme.Scheme, vkey, mustCheckpoint(t, l, 2), objs)
		if err != nil {
			t.Fatalf("audit: %v", err)
		}
		if len(rep.Entries) != 2 || (rep.Entries[1].Err == nil) != (rep.Failed == 0) {
			t.Fatalf("report inconsistent: %+v", rep)
		}
	})
}

// FuzzUnmarshalMonitor checks that loading a monitor state never panics
// and that whatever loads marshals and loads again to the same state.
func FuzzUnmarshalMonitor(f *testing.F) {
	l := testLog(f, 3, 0x42)
	m := mustMonitor(f, l.VerifierKey())
	b, _ := m.Marshal()
	f.Add(b)
	m.Update(mustCheckpoint(f, l, 3), nil)
	b, _ = m.Marshal()
	f.Add(b)
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := UnmarshalMonitor(in)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		m2, err := UnmarshalMonitor(out)
		if err != nil || !bytes.Equal(m2.LatestRaw(), m.LatestRaw()) || m2.VerifierKey() != m.VerifierKey() {
			t.Fatalf("round trip: %v", err)
		}
	})
}
