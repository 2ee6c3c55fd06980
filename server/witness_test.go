package server_test

import (
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/internal/witnesstest"
)

// witnessLog returns a relay log of n records ("entry 0", ...), with fork
// replacing record forkAt (if >= 0) by other bytes.
func witnessLog(t *testing.T, skey string, n, forkAt int) *translog.Log {
	t.Helper()
	signer, vkey, err := translog.ParseSignerKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := translog.NewLog(signer, vkey)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		rec := "entry " + string(rune('0'+i))
		if i == forkAt {
			rec = "forged entry"
		}
		if _, err := l.Append([]byte(rec)); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func proofLines(t *testing.T, l *translog.Log, old, size int64) []string {
	t.Helper()
	p, err := l.ProveConsistency(old, size)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range p {
		out = append(out, translog.HashString(h))
	}
	return out
}

// TestWitnessRefusesInconsistentCheckpoint runs the real litewitness
// against Saferef's own checkpoints: it cosigns them (timestamped, and
// again for an unchanged size), and after a restart it still refuses a
// checkpoint smaller than the one it cosigned or one that forks from it.
func TestWitnessRefusesInconsistentCheckpoint(t *testing.T) {
	skey, vkey, err := translog.GenerateKey(rand.Reader, "saferef-relay/0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	w := witnesstest.Start(t, "witness.test/coordinator", vkey)
	ws, err := crypto.NewWitness(w.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	set := &crypto.WitnessSet{Seq: 1, LogKey: vkey, Witnesses: []crypto.Witness{ws}, Quorum: 1,
		Freshness: time.Hour, ReleaseFreshness: time.Hour}
	witnesses, err := translog.NewWitnesses(set)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := translog.ParseVerifierKey(vkey)
	if err != nil {
		t.Fatal(err)
	}
	honest := witnessLog(t, skey, 5, -1)
	cp := func(l *translog.Log, n int64) []byte {
		b, err := l.Checkpoint(n)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cosign := func(old int64, proof []string, raw []byte) {
		t.Helper()
		code, body, err := w.AddCheckpoint(old, proof, raw)
		if err != nil || code != http.StatusOK {
			t.Fatalf("add-checkpoint: %d %q %v\n%s", code, body, err, w.Log())
		}
		c, err := translog.OpenWitnessed(translog.AddCosignatures(raw, []byte(body)), verifier, witnesses)
		if err != nil {
			t.Fatal(err)
		}
		if err := witnesses.CheckFresh(c, time.Now(), time.Minute); err != nil {
			t.Fatalf("fresh cosignature expected: %v (%q)", err, body)
		}
	}
	cosign(0, nil, cp(honest, 3))

	w.Stop()
	w.Restart()

	// Smaller than what it cosigned: refused with the size it holds.
	if code, body, _ := w.AddCheckpoint(0, nil, cp(honest, 2)); code != http.StatusConflict || strings.TrimSpace(body) != "3" {
		t.Fatalf("smaller checkpoint after restart: %d %q, want 409 \"3\"", code, body)
	}
	// A fork of record 1, extended to 4 records: its proof from 3 cannot
	// verify against the root the witness holds.
	fork := witnessLog(t, skey, 4, 1)
	if code, body, _ := w.AddCheckpoint(3, proofLines(t, fork, 3, 4), cp(fork, 4)); code == http.StatusOK {
		t.Fatalf("forked checkpoint cosigned after restart: %d %q", code, body)
	}
	// The same size again: cosigned afresh (what keeps a quiet log fresh).
	cosign(3, nil, cp(honest, 3))
	// And an honest extension.
	cosign(3, proofLines(t, honest, 3, 5), cp(honest, 5))
}
