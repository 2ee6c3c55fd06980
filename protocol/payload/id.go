package payload

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
)

// ID is a 16-byte identifier named in a payload: a case, offer,
// attachment or outcome id, or an envelope or organisation a payload
// refers to. It is also the client core's case id type. In CBOR it is a
// 16-byte byte string; in JSON and text it is 32 lowercase hex digits.
type ID [16]byte

// ErrBadID is returned (wrapped) when text is not 32 lowercase hex digits.
var ErrBadID = errors.New("id must be 32 lowercase hex digits")

// ParseID parses 32 lowercase hex digits.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 2*len(id) {
		return ID{}, fmt.Errorf("parse id %q: %w", s, ErrBadID)
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return ID{}, fmt.Errorf("parse id %q: %w", s, ErrBadID)
		}
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return ID{}, fmt.Errorf("parse id %q: %w", s, ErrBadID)
	}
	return id, nil
}

// NewID returns a random id from crypto/rand: for an offer, an attachment
// or an outcome. A case id is derived instead (CaseIDFor).
func NewID() ID {
	var id ID
	rand.Read(id[:]) // never fails (crypto/rand, Go 1.24+)
	return id
}

// String returns the id as 32 lowercase hex digits.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether every byte of the id is zero (no id).
func (id ID) IsZero() bool { return id == ID{} }

// MarshalText returns the id as 32 lowercase hex digits.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses 32 lowercase hex digits.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// MarshalJSON returns the id as a JSON string of 32 lowercase hex digits.
func (id ID) MarshalJSON() ([]byte, error) {
	return []byte(`"` + id.String() + `"`), nil
}

// UnmarshalJSON reads a JSON string of 32 lowercase hex digits.
func (id *ID) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("parse id %s: %w", b, ErrBadID)
	}
	return id.UnmarshalText(b[1 : len(b)-1])
}
