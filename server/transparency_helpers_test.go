package server

import (
	"crypto/sha256"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
)

// seedReader repeats a 32-byte seed, for deterministic log keys.
type seedReader [32]byte

func (r *seedReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r[i%32]
	}
	return len(p), nil
}

// testLogKey returns the log key every test relay of scheme s uses: derived
// from the scheme's fingerprint, so that relay nodes sharing a store (and
// a relay restarted on its store) share it, as in production.
func testLogKey(t testing.TB, s *crypto.Scheme) (note.Signer, string) {
	t.Helper()
	seed := seedReader(sha256.Sum256([]byte("test log key " + s.Fingerprint())))
	return otherLogKey(t, s, &seed)
}

// otherLogKey returns a log key for s from the given randomness.
func otherLogKey(t testing.TB, s *crypto.Scheme, rand *seedReader) (note.Signer, string) {
	t.Helper()
	skey, _, err := translog.GenerateKey(rand, translog.Origin(s))
	if err != nil {
		t.Fatal(err)
	}
	signer, vkey, err := translog.ParseSignerKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	return signer, vkey
}
