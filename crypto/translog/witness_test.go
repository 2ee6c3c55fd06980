package translog

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"github.com/saferef/saferef/crypto"
)

// testWitness is a witness key for tests: torchwood's cosignature signer.
type testWitness struct {
	signer *torchwood.CosignatureSigner
}

func newTestWitness(t testing.TB, name string) *testWitness {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := torchwood.NewCosignatureSigner(name, priv)
	if err != nil {
		t.Fatal(err)
	}
	return &testWitness{signer: s}
}

func (w *testWitness) vkey() string { return w.signer.Verifier().String() }

// cosign returns w's cosignature line on the signed checkpoint raw (as a
// witness answers add-checkpoint), timestamped now.
func (w *testWitness) cosign(t testing.TB, raw []byte) []byte {
	t.Helper()
	text, _, ok := strings.Cut(string(raw), "\n\n")
	if !ok {
		t.Fatal("not a note")
	}
	signed, err := note.Sign(&note.Note{Text: text + "\n"}, w.signer)
	if err != nil {
		t.Fatal(err)
	}
	return signed[len(text)+2:]
}

func testWitnesses(t testing.TB, logKey string, quorum int, ws ...*testWitness) *Witnesses {
	t.Helper()
	set := &crypto.WitnessSet{Seq: 1, LogKey: logKey, Quorum: quorum, Freshness: 24 * time.Hour, ReleaseFreshness: time.Hour}
	for _, w := range ws {
		wi, err := crypto.NewWitness(w.vkey())
		if err != nil {
			t.Fatal(err)
		}
		set.Witnesses = append(set.Witnesses, wi)
	}
	out, err := NewWitnesses(set)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWitnessedCheckpoint(t *testing.T) {
	l := testLog(t, 5, 0x42)
	v, _ := ParseVerifierKey(l.VerifierKey())
	a, b, stranger := newTestWitness(t, "witness.test/a"), newTestWitness(t, "witness.test/b"), newTestWitness(t, "witness.test/c")
	w := testWitnesses(t, l.VerifierKey(), 2, a, b)
	raw := mustCheckpoint(t, l, 5)
	now := time.Now()

	open := func(lines ...[]byte) *Checkpoint {
		t.Helper()
		cp, err := OpenWitnessed(AddCosignatures(raw, lines...), v, w)
		if err != nil {
			t.Fatal(err)
		}
		return cp
	}
	// One of two: no quorum. A stranger's cosignature does not count.
	if _, err := w.QuorumTime(open(a.cosign(t, raw), stranger.cosign(t, raw)), now); !errors.Is(err, ErrUnwitnessed) {
		t.Fatalf("one witness of a quorum of two: %v", err)
	}
	// A cosignature of another checkpoint, pasted on, does not verify.
	other := mustCheckpoint(t, l, 4)
	if _, err := w.QuorumTime(open(a.cosign(t, raw), b.cosign(t, other)), now); !errors.Is(err, ErrUnwitnessed) {
		t.Fatalf("cosignature of another size counted: %v", err)
	}
	both := open(a.cosign(t, raw), b.cosign(t, raw))
	if err := w.CheckFresh(both, now, time.Hour); err != nil {
		t.Fatalf("fresh quorum: %v", err)
	}
	if err := w.CheckFresh(both, now.Add(2*time.Hour), time.Hour); !errors.Is(err, ErrStale) {
		t.Fatalf("two hours on, a one-hour window: %v", err)
	}
	// Cosignatures dated well after the device's clock are not counted.
	if _, err := w.QuorumTime(both, now.Add(-time.Hour)); !errors.Is(err, ErrUnwitnessed) {
		t.Fatalf("future cosignatures counted: %v", err)
	}
	// Without witnesses (nil) nothing is counted, and the checkpoint opens.
	if cp, err := OpenWitnessed(AddCosignatures(raw, a.cosign(t, raw)), v, nil); err != nil || len(cp.Cosignatures) != 0 {
		t.Fatalf("no witnesses: %v %v", cp, err)
	}
}

func TestMonitorKeepsWitnessedView(t *testing.T) {
	l := testLog(t, 6, 0x42)
	a := newTestWitness(t, "witness.test/a")
	w := testWitnesses(t, l.VerifierKey(), 1, a)
	m, err := NewMonitor(l.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	m.SetWitnesses(w)
	if err := m.CheckFresh(time.Now(), time.Hour); !errors.Is(err, ErrUnwitnessed) {
		t.Fatalf("no checkpoint yet: %v", err)
	}
	raw4 := mustCheckpoint(t, l, 4)
	if _, err := m.Update(AddCosignatures(raw4, a.cosign(t, raw4)), nil); err != nil {
		t.Fatal(err)
	}
	// A newer checkpoint the witness has not cosigned yet: the latest
	// moves on, the witnessed view stays at 4.
	p, _ := l.ProveConsistency(4, 6)
	if _, err := m.Update(mustCheckpoint(t, l, 6), p); err != nil {
		t.Fatal(err)
	}
	if m.Latest().Size != 6 || m.Witnessed() == nil || m.Witnessed().Size != 4 {
		t.Fatalf("latest %v, witnessed %v", m.Latest(), m.Witnessed())
	}
	if err := m.CheckFresh(time.Now(), time.Hour); err != nil {
		t.Fatalf("fresh: %v", err)
	}
	state, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	again, err := UnmarshalMonitor(state)
	if err != nil {
		t.Fatal(err)
	}
	again.SetWitnesses(w)
	if again.Witnessed() == nil || again.Witnessed().Size != 4 || again.CheckFresh(time.Now(), time.Hour) != nil {
		t.Fatalf("witnessed view lost across Marshal: %v", again.Witnessed())
	}
	// A peer's copy of the same tree with a fresh cosignature is the same
	// tree: CheckPeer accepts it without a proof.
	raw6 := mustCheckpoint(t, l, 6)
	if err := again.CheckPeer(AddCosignatures(raw6, a.cosign(t, raw6)), nil); err != nil {
		t.Fatalf("same tree, other cosignatures: %v", err)
	}
}

// FuzzOpenWitnessed checks that cosignature lines, whatever they hold,
// never make OpenWitnessed panic, and that only the scheme's witnesses
// are counted.
func FuzzOpenWitnessed(f *testing.F) {
	l := testLog(f, 3, 0x42)
	v, _ := ParseVerifierKey(l.VerifierKey())
	a := newTestWitness(f, "witness.test/a")
	w := testWitnesses(f, l.VerifierKey(), 1, a)
	raw := mustCheckpoint(f, l, 3)
	f.Add(AddCosignatures(raw, a.cosign(f, raw)))
	f.Add(AddCosignatures(raw, []byte("— witness.test/a AAAA\n")))
	f.Add(raw)
	f.Fuzz(func(t *testing.T, b []byte) {
		cp, err := OpenWitnessed(b, v, w)
		if err != nil {
			return
		}
		for _, c := range cp.Cosignatures {
			if c.Witness != "witness.test/a" {
				t.Fatalf("counted a cosignature by %q", c.Witness)
			}
		}
	})
}

func ExampleWitnesses_CheckFresh() {
	skey, vkey, _ := GenerateKey(rand.Reader, "saferef-relay/0123456789abcdef")
	signer, _, _ := ParseSignerKey(skey)
	l, _ := NewLog(signer, vkey)
	l.Append([]byte("org-cert ..."))
	raw, _ := l.Checkpoint(1)

	// A witness (litewitness in production) cosigns the checkpoint.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	ws, _ := torchwood.NewCosignatureSigner("witness.example/coordinator", priv)
	text, _, _ := strings.Cut(string(raw), "\n\n")
	signed, _ := note.Sign(&note.Note{Text: text + "\n"}, ws)
	cosig := signed[len(text)+2:]

	w, _ := NewWitnesses(&crypto.WitnessSet{Seq: 1, LogKey: vkey, Quorum: 1, Freshness: 24 * time.Hour, ReleaseFreshness: time.Hour,
		Witnesses: []crypto.Witness{{Name: "witness.example/coordinator", Key: ws.Verifier().String()}}})
	v, _ := ParseVerifierKey(vkey)
	cp, _ := OpenWitnessed(AddCosignatures(raw, cosig), v, w)
	fmt.Println(w.CheckFresh(cp, time.Now(), time.Hour) == nil)
	fmt.Println(errors.Is(w.CheckFresh(cp, time.Now().Add(2*time.Hour), time.Hour), ErrStale))
	// Output:
	// true
	// true
}
