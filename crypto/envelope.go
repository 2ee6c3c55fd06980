package crypto

import (
	"fmt"
	"time"
)

// Envelope caps, checked before any decryption is attempted.
const (
	MaxEnvelopeSize = 1 << 20 // bytes of the encoded outer envelope
	MaxRecipients   = 64      // recipient stanzas in the age header
)

// envelopeVersion is the only outer and inner version.
const envelopeVersion = 1

// Envelope is the outer envelope, all the relay sees: id, recipient
// mailbox, coarse expiry and ciphertext. Its version is fixed at 1 on the
// wire.
type Envelope struct {
	ID         EnvelopeID
	Mailbox    OrgID
	Expiry     time.Time // Unix seconds on the wire, rounded up to the hour by Seal
	Ciphertext []byte    // one age file
	// Inner is, after Seal, the signed inner envelope that was encrypted
	// (never on the wire): kept by the sender's device to hand over.
	Inner []byte
}

type envelopeWire struct {
	V   int        `cbor:"v"`
	ID  EnvelopeID `cbor:"id"`
	To  OrgID      `cbor:"to"`
	Exp int64      `cbor:"exp"`
	CT  []byte     `cbor:"ct"`
}

// Marshal encodes the outer envelope in deterministic CBOR.
func (e *Envelope) Marshal() ([]byte, error) {
	b, err := marshal(&envelopeWire{V: envelopeVersion, ID: e.ID, To: e.Mailbox, Exp: e.Expiry.Unix(), CT: e.Ciphertext})
	if err != nil {
		return nil, fmt.Errorf("marshal envelope %s: %w", e.ID, err)
	}
	if len(b) > MaxEnvelopeSize {
		return nil, fmt.Errorf("marshal envelope %s: %w: %d bytes", e.ID, ErrTooLarge, len(b))
	}
	return b, nil
}

// ParseEnvelope decodes an outer envelope: at most MaxEnvelopeSize bytes,
// strict canonical CBOR, version 1, non-zero id and mailbox, non-empty
// ciphertext.
func ParseEnvelope(b []byte) (*Envelope, error) {
	if len(b) > MaxEnvelopeSize {
		return nil, fmt.Errorf("parse envelope: %w: %d bytes", ErrTooLarge, len(b))
	}
	var w envelopeWire
	if err := unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("parse envelope: %w", err)
	}
	if w.V != envelopeVersion {
		return nil, fmt.Errorf("parse envelope %s: %w: version %d", w.ID, ErrMalformed, w.V)
	}
	if w.ID == (EnvelopeID{}) || w.To.IsZero() || len(w.CT) == 0 || w.Exp <= 0 {
		return nil, fmt.Errorf("parse envelope %s: %w: empty field", w.ID, ErrMalformed)
	}
	return &Envelope{ID: w.ID, Mailbox: w.To, Expiry: unix(w.Exp), Ciphertext: w.CT}, nil
}
