package crypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"filippo.io/age"
)

// MaxPayloadTypeLen bounds Packet.PayloadType.
const MaxPayloadTypeLen = 64

// DefaultEnvelopeTTL is the envelope lifetime when SealOptions.TTL is zero
// (the scheme's default mailbox TTL).
const DefaultEnvelopeTTL = DefaultMailboxTTLDays * 24 * time.Hour

// Recipient is one device an envelope is sealed to, with its age key.
type Recipient struct {
	Device DeviceID
	Key    string // age1pq1...; in Opened.Recipients, KeyHash of it
}

// Packet is what a sender puts in an envelope.
type Packet struct {
	PayloadType string // e.g. "referral"; interpreted by the protocol package
	Payload     []byte
	Checkpoint  []byte // sender's latest transparency-log checkpoint, may be empty
	CertIndex   uint64 // log index of the sender's device certificate
}

// SealOptions tunes Seal.
type SealOptions struct {
	Rand io.Reader     // for the envelope id; nil means crypto/rand
	Now  time.Time     // creation time; zero means time.Now()
	TTL  time.Duration // lifetime on the relay; zero means DefaultEnvelopeTTL
}

// envelopeBody is the signed inner envelope. It repeats the outer id,
// mailbox and expiry so that the relay cannot move or re-date an envelope.
type envelopeBody struct {
	V    int             `cbor:"v"`
	ID   EnvelopeID      `cbor:"id"`
	To   OrgID           `cbor:"to"`
	Exp  int64           `cbor:"exp"`
	From DeviceID        `cbor:"from"`
	Cert uint64          `cbor:"cert"`
	Rcpt []recipientWire `cbor:"rcpt"`
	At   int64           `cbor:"at"`
	CP   []byte          `cbor:"cp"`
	PT   string          `cbor:"pt"`
	P    []byte          `cbor:"p"`
}

type recipientWire struct {
	Device DeviceID `cbor:"d"`
	Key    [16]byte `cbor:"k"`
}

// keyHash is the first 16 bytes of SHA-256 of an age recipient string.
func keyHash(recipient string) [16]byte {
	h := sha256.Sum256([]byte(recipient))
	var k [16]byte
	copy(k[:], h[:16])
	return k
}

// KeyHash returns, as 32 hex digits, the hash of an age recipient that an
// envelope's signed recipient list holds (first 16 bytes of SHA-256 of the
// age1pq1... string). Opened.Recipients carry keys in this form.
func KeyHash(recipient string) string {
	k := keyHash(recipient)
	return hex.EncodeToString(k[:])
}

// expiryFor rounds now+ttl up to the next whole hour.
func expiryFor(now time.Time, ttl time.Duration) time.Time {
	e := now.Add(ttl).UTC()
	if t := e.Truncate(time.Hour); !t.Equal(e) {
		return t.Add(time.Hour)
	}
	return e
}

// Seal signs p for the listed recipient devices and encrypts it to them,
// for mailbox. It refuses no recipients, more than MaxRecipients, a
// duplicate device or a key that is not an age hybrid recipient, and a
// result larger than MaxEnvelopeSize.
func Seal(sender *DeviceKeys, mailbox OrgID, to []Recipient, p *Packet, opt SealOptions) (*Envelope, error) {
	id, err := NewEnvelopeID(opt.Rand)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	if len(to) > MaxRecipients {
		return nil, fmt.Errorf("seal envelope %s: %w: %d", id, ErrTooManyRecipients, len(to))
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	ttl := opt.TTL
	if ttl == 0 {
		ttl = DefaultEnvelopeTTL
	}
	if ttl < 0 {
		return nil, fmt.Errorf("seal envelope %s: negative TTL", id)
	}
	recips := make([]age.Recipient, 0, len(to))
	for _, r := range to {
		hr, err := age.ParseHybridRecipient(r.Key)
		if err != nil {
			return nil, fmt.Errorf("seal envelope %s: device %s: %w: %v", id, r.Device, ErrInvalidRecipients, err)
		}
		recips = append(recips, hr)
	}
	e := &Envelope{ID: id, Mailbox: mailbox, Expiry: expiryFor(now, ttl)}
	inner, err := signInner(sender, e, to, p, now)
	if err != nil {
		return nil, fmt.Errorf("seal envelope %s: %w", id, err)
	}
	var ct bytes.Buffer
	w, err := age.Encrypt(&ct, recips...)
	if err != nil {
		return nil, fmt.Errorf("seal envelope %s: %w", id, err)
	}
	if _, err := w.Write(pad(inner)); err != nil {
		return nil, fmt.Errorf("seal envelope %s: %w", id, err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("seal envelope %s: %w", id, err)
	}
	e.Ciphertext = ct.Bytes()
	e.Inner = inner
	if _, err := e.Marshal(); err != nil { // enforces MaxEnvelopeSize
		return nil, fmt.Errorf("seal: %w", err)
	}
	return e, nil
}

// signInner builds and signs the inner envelope (the bytes that are then
// padded and encrypted). It is deterministic, which the test vectors use.
func signInner(sender *DeviceKeys, e *Envelope, to []Recipient, p *Packet, now time.Time) ([]byte, error) {
	if len(to) == 0 {
		return nil, fmt.Errorf("%w: no recipients", ErrInvalidRecipients)
	}
	if len(to) > MaxRecipients {
		return nil, fmt.Errorf("%w: %d", ErrTooManyRecipients, len(to))
	}
	if e.Mailbox.IsZero() {
		return nil, fmt.Errorf("zero mailbox")
	}
	if err := checkText("payload type", p.PayloadType, MaxPayloadTypeLen, true); err != nil {
		return nil, err
	}
	if len(sender.Signing) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("sender %s has no signing key", sender.Device)
	}
	body := &envelopeBody{
		V: envelopeVersion, ID: e.ID, To: e.Mailbox, Exp: e.Expiry.Unix(),
		From: sender.Device, Cert: p.CertIndex, At: now.Unix(),
		CP: p.Checkpoint, PT: p.PayloadType, P: p.Payload,
	}
	seen := make(map[DeviceID]bool, len(to))
	for _, r := range to {
		if seen[r.Device] {
			return nil, fmt.Errorf("%w: device %s listed twice", ErrInvalidRecipients, r.Device)
		}
		seen[r.Device] = true
		body.Rcpt = append(body.Rcpt, recipientWire{Device: r.Device, Key: keyHash(r.Key)})
	}
	return signObject(TypeEnvelope, body, []ed25519.PrivateKey{sender.Signing})
}
