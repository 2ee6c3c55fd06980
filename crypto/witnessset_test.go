package crypto

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// testLogKey is a relay log verifier key for these tests.
var testLogKey = func() string {
	_, vkey, err := note.GenerateKey(detRand(9), "saferef-relay/0123456789abcdef")
	if err != nil {
		panic(err)
	}
	return vkey
}()

func testWitnessKey(t testing.TB, seed byte, name string) string {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	priv = ed25519.NewKeyFromSeed(append([]byte{seed}, priv.Seed()[1:]...))
	s, err := torchwood.NewCosignatureSigner(name, priv)
	if err != nil {
		t.Fatal(err)
	}
	return s.Verifier().String()
}

func TestWitnessSet(t *testing.T) {
	f := newFixture(t)
	a, b := testWitnessKey(t, 1, "witness.test/a"), testWitnessKey(t, 2, "witness.test/b")
	wa, err := NewWitness(a)
	if err != nil {
		t.Fatal(err)
	}
	wb, _ := NewWitness(b)
	set := &WitnessSet{Seq: 1, LogKey: testLogKey, Witnesses: []Witness{wa, wb}, Quorum: 2, Issued: time.Unix(1800000000, 0)}

	// Below the roots' threshold (one of two needed): refused.
	one, err := SignWitnessSet(set, f.roots[:1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.scheme.VerifyWitnessSet(one); !errors.Is(err, ErrBelowThreshold) {
		t.Fatalf("one root of two: %v", err)
	}
	signed, err := SignWitnessSet(set, f.roots[:2])
	if err != nil {
		t.Fatal(err)
	}
	s := *f.scheme
	if err := s.SetWitnesses(signed); err != nil {
		t.Fatal(err)
	}
	got, err := s.WitnessSet()
	if err != nil || got.Quorum != 2 || len(got.Witnesses) != 2 || got.Freshness != DefaultFreshness ||
		got.ReleaseFreshness != DefaultReleaseFreshness || got.LogKey != testLogKey {
		t.Fatalf("witness set: %+v %v", got, err)
	}
	// The scheme file carries it and parses back.
	js, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseScheme(js); err != nil {
		t.Fatalf("scheme with witnesses: %v", err)
	}
	// Only a later set replaces it.
	if err := s.SetWitnesses(signed); !errors.Is(err, ErrSchemeChain) {
		t.Fatalf("same seq again: %v", err)
	}
	// Changed by hand (not signed by the roots): the scheme file is refused.
	tampered := s
	raw, _ := base64.StdEncoding.DecodeString(s.Witnesses)
	raw[len(raw)-1] ^= 1
	tampered.Witnesses = base64.StdEncoding.EncodeToString(raw)
	if _, err := tampered.WitnessSet(); err == nil {
		t.Fatal("tampered witness set accepted")
	}

	bad := []struct {
		name string
		set  WitnessSet
	}{
		{"quorum above witnesses", WitnessSet{Seq: 1, LogKey: testLogKey, Witnesses: []Witness{wa}, Quorum: 2}},
		{"no witnesses", WitnessSet{Seq: 1, LogKey: testLogKey, Quorum: 1}},
		{"release window above ordinary", WitnessSet{Seq: 1, LogKey: testLogKey, Witnesses: []Witness{wa}, Quorum: 1, Freshness: time.Hour, ReleaseFreshness: 2 * time.Hour}},
		{"name not the key's", WitnessSet{Seq: 1, LogKey: testLogKey, Witnesses: []Witness{{Name: "other", Key: a}}, Quorum: 1}},
		{"twice", WitnessSet{Seq: 1, LogKey: testLogKey, Witnesses: []Witness{wa, wa}, Quorum: 1}},
		{"no log key", WitnessSet{Seq: 1, Witnesses: []Witness{wa}, Quorum: 1}},
	}
	for _, tc := range bad {
		if _, err := SignWitnessSet(&tc.set, f.roots[:2]); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrWitnessKey) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// A log signing key is not a witness key (wrong algorithm byte).
	if _, err := ParseWitnessKey(testLogKey); !errors.Is(err, ErrWitnessKey) {
		t.Fatalf("log key taken for a witness key: %v", err)
	}
}

func FuzzVerifyWitnessSet(f *testing.F) {
	fx := newFixture(f)
	wa, err := NewWitness(testWitnessKey(f, 1, "witness.test/a"))
	if err != nil {
		f.Fatal(err)
	}
	signed, err := SignWitnessSet(&WitnessSet{Seq: 1, LogKey: testLogKey, Witnesses: []Witness{wa}, Quorum: 1}, fx.roots[:2])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		ws, err := fx.scheme.VerifyWitnessSet(b)
		if err != nil {
			return
		}
		if ws.Quorum < 1 || ws.Quorum > len(ws.Witnesses) || ws.ReleaseFreshness > ws.Freshness {
			t.Fatalf("accepted an unusable set: %+v", ws)
		}
	})
}

func ExampleSignWitnessSet() {
	root := ed25519.NewKeyFromSeed(make([]byte, 32))
	s := &Scheme{Name: "Kent and Medway", Roots: []string{EncodePublicKey(root.Public().(ed25519.PublicKey))}, Threshold: 1}
	priv := ed25519.NewKeyFromSeed(append([]byte{7}, make([]byte, 31)...))
	cs, _ := torchwood.NewCosignatureSigner("witness.example/coordinator", priv)
	w, _ := NewWitness(cs.Verifier().String())
	signed, _ := SignWitnessSet(&WitnessSet{Seq: 1, LogKey: testLogKey, Witnesses: []Witness{w}, Quorum: 1}, []ed25519.PrivateKey{root})
	if err := s.SetWitnesses(signed); err != nil {
		fmt.Println(err)
	}
	ws, _ := s.WitnessSet()
	fmt.Println(ws.Witnesses[0].Name, ws.Quorum, ws.Freshness, ws.ReleaseFreshness)
	// Output: witness.example/coordinator 1 24h0m0s 1h0m0s
}
