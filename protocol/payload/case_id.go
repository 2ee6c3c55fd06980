package payload

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
)

// caseIDDomain separates case id derivation from every other use of
// SHA-256 in Saferef.
const caseIDDomain = "saferef/v1/case-id\x00"

// CaseIDFor returns the case id bound to a nominating organisation and a
// case nonce: the first 16 bytes of
// SHA-256("saferef/v1/case-id\x00" || org || nonce). A case id is derived,
// never chosen, so that no other organisation can open a case under an id
// it has seen: a receiver recomputes it from the verified sender
// organisation and the referral's CaseNonce and refuses a mismatch.
func CaseIDFor(org, nonce [16]byte) ID {
	h := sha256.New()
	h.Write([]byte(caseIDDomain))
	h.Write(org[:])
	h.Write(nonce[:])
	var id ID
	copy(id[:], h.Sum(nil))
	return id
}

// NewCaseNonce returns a fresh case nonce read from r (crypto/rand if nil).
// It is never all zeros.
func NewCaseNonce(r io.Reader) (ID, error) {
	if r == nil {
		r = rand.Reader
	}
	for {
		var n ID
		if _, err := io.ReadFull(r, n[:]); err != nil {
			return ID{}, fmt.Errorf("new case nonce: %w", err)
		}
		if !n.IsZero() {
			return n, nil
		}
	}
}
