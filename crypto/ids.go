package crypto

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
)

// DeviceID identifies one enrolled device (a caseworker's laptop).
type DeviceID [16]byte

// OrgID identifies one organisation (landlord, provider or coordinator).
// An organisation's mailbox on the relay is named by its OrgID.
type OrgID [16]byte

// EnvelopeID identifies one sealed envelope; recipients deduplicate by it.
type EnvelopeID [16]byte

// String returns the identifier as 32 lowercase hex digits.
func (id DeviceID) String() string { return hex.EncodeToString(id[:]) }

// String returns the identifier as 32 lowercase hex digits.
func (id OrgID) String() string { return hex.EncodeToString(id[:]) }

// String returns the identifier as 32 lowercase hex digits.
func (id EnvelopeID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether the identifier is all zero bytes.
func (id DeviceID) IsZero() bool { return id == DeviceID{} }

// IsZero reports whether the identifier is all zero bytes.
func (id OrgID) IsZero() bool { return id == OrgID{} }

// ParseDeviceID parses the 32 lowercase hex digit form of a DeviceID.
func ParseDeviceID(s string) (DeviceID, error) {
	var id DeviceID
	err := parseID(id[:], "device id", s)
	return id, err
}

// ParseOrgID parses the 32 lowercase hex digit form of an OrgID.
func ParseOrgID(s string) (OrgID, error) {
	var id OrgID
	err := parseID(id[:], "organisation id", s)
	return id, err
}

// ParseEnvelopeID parses the 32 lowercase hex digit form of an EnvelopeID.
func ParseEnvelopeID(s string) (EnvelopeID, error) {
	var id EnvelopeID
	err := parseID(id[:], "envelope id", s)
	return id, err
}

// NewDeviceID returns a random DeviceID read from rand (crypto/rand if nil).
func NewDeviceID(rand io.Reader) (DeviceID, error) {
	var id DeviceID
	err := readID(rand, id[:], "device id")
	return id, err
}

// NewOrgID returns a random OrgID read from rand (crypto/rand if nil).
func NewOrgID(rand io.Reader) (OrgID, error) {
	var id OrgID
	err := readID(rand, id[:], "organisation id")
	return id, err
}

// NewEnvelopeID returns a random EnvelopeID read from rand (crypto/rand if nil).
func NewEnvelopeID(rand io.Reader) (EnvelopeID, error) {
	var id EnvelopeID
	err := readID(rand, id[:], "envelope id")
	return id, err
}

func parseID(dst []byte, what, s string) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("parse %s %q: %w: want %d hex digits", what, s, ErrMalformed, 2*len(dst))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("parse %s %q: %w: not lowercase hex", what, s, ErrMalformed)
		}
	}
	if _, err := hex.Decode(dst, []byte(s)); err != nil {
		return fmt.Errorf("parse %s %q: %w: %v", what, s, ErrMalformed, err)
	}
	return nil
}

func readID(r io.Reader, dst []byte, what string) error {
	if _, err := io.ReadFull(randOrDefault(r), dst); err != nil {
		return fmt.Errorf("new %s: %w", what, err)
	}
	return nil
}

// randOrDefault returns r, or crypto/rand.Reader when r is nil.
func randOrDefault(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}
