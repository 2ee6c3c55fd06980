package payload

import (
	"encoding/hex"
	"errors"
	"fmt"
)

// Digest is a SHA-256 digest. In CBOR it is a 32-byte byte string; in JSON
// and text it is 64 lowercase hex digits.
type Digest [32]byte

// ErrBadDigest is returned (wrapped) when text is not 64 lowercase hex digits.
var ErrBadDigest = errors.New("digest must be 64 lowercase hex digits")

// ParseDigest parses 64 lowercase hex digits.
func ParseDigest(s string) (Digest, error) {
	var d Digest
	if len(s) != 2*len(d) {
		return Digest{}, fmt.Errorf("parse digest %q: %w", s, ErrBadDigest)
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return Digest{}, fmt.Errorf("parse digest %q: %w", s, ErrBadDigest)
		}
	}
	if _, err := hex.Decode(d[:], []byte(s)); err != nil {
		return Digest{}, fmt.Errorf("parse digest %q: %w", s, ErrBadDigest)
	}
	return d, nil
}

// String returns the digest as 64 lowercase hex digits.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// IsZero reports whether every byte of the digest is zero (not set).
func (d Digest) IsZero() bool { return d == Digest{} }

// MarshalText returns the digest as 64 lowercase hex digits.
func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses 64 lowercase hex digits.
func (d *Digest) UnmarshalText(b []byte) error {
	v, err := ParseDigest(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON returns the digest as a JSON string of 64 lowercase hex digits.
func (d Digest) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads a JSON string of 64 lowercase hex digits.
func (d *Digest) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("parse digest %s: %w", b, ErrBadDigest)
	}
	return d.UnmarshalText(b[1 : len(b)-1])
}
