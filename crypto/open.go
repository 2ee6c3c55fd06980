package crypto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"filippo.io/age"
)

// Opened is a verified, decrypted envelope.
type Opened struct {
	ID          EnvelopeID
	Mailbox     OrgID
	Sender      *DeviceCert
	SenderOrg   *OrgCert
	Created     time.Time
	Expiry      time.Time   // as signed (equal to the outer expiry)
	Recipients  []Recipient // as signed: Key holds KeyHash of each recipient's age key
	PayloadType string
	Payload     []byte
	Checkpoint  []byte
	CertIndex   uint64
	// Inner is the signed inner envelope exactly as received: what a
	// device keeps to hand the packet over to a colleague's new device
	// (VerifyHandedOver).
	Inner []byte
}

// SenderDirectory finds the sender of an envelope as it stood at the
// envelope's creation time. *Directory implements it.
type SenderDirectory interface {
	SenderAt(id DeviceID, at time.Time) (*DeviceCert, *OrgCert, error)
}

// ageIntro is the first line of every age file.
const ageIntro = "age-encryption.org/v1\n"

// countStanzas counts the recipient stanzas of an age header by scanning
// its lines, without any cryptography, so that a hostile header is refused
// before any decryption is attempted. It stops after limit+1 stanzas.
func countStanzas(ct []byte, limit int) (int, error) {
	rest, ok := bytes.CutPrefix(ct, []byte(ageIntro))
	if !ok {
		return 0, fmt.Errorf("%w: not an age file", ErrMalformed)
	}
	n := 0
	for {
		line, after, found := bytes.Cut(rest, []byte{'\n'})
		if !found {
			return 0, fmt.Errorf("%w: unterminated age header", ErrMalformed)
		}
		switch {
		case bytes.HasPrefix(line, []byte("---")):
			return n, nil
		case bytes.HasPrefix(line, []byte("-> ")):
			n++
			if n > limit {
				return n, nil
			}
		}
		rest = after
	}
}

// Open decrypts and verifies an envelope addressed to device me, trying
// each of ids (the device's encryption identities). In order it checks the
// caps (ErrTooLarge, ErrTooManyRecipients), decrypts (ErrNotForMe when no
// identity matches, ErrMalformed for a damaged file), unpads and parses the
// inner envelope, checks it names the outer id, mailbox and expiry
// (ErrMismatchedOuter), looks the sender up as of the signed creation time
// (ErrUnknownSender wrapping the directory's error, or ErrSenderRevoked),
// verifies the signature (ErrBadSignature) and checks that me is in the
// signed recipient list (ErrNotARecipient). It never returns plaintext
// unless every check passed.
func Open(e *Envelope, me DeviceID, ids []age.Identity, dir SenderDirectory) (*Opened, error) {
	if len(e.Ciphertext) > MaxEnvelopeSize {
		return nil, fmt.Errorf("open envelope %s: %w: %d bytes", e.ID, ErrTooLarge, len(e.Ciphertext))
	}
	n, err := countStanzas(e.Ciphertext, MaxRecipients)
	if err != nil {
		return nil, fmt.Errorf("open envelope %s: %w", e.ID, err)
	}
	if n > MaxRecipients {
		return nil, fmt.Errorf("open envelope %s: %w: more than %d stanzas", e.ID, ErrTooManyRecipients, MaxRecipients)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("open envelope %s: %w: no identities", e.ID, ErrNotForMe)
	}
	r, err := age.Decrypt(bytes.NewReader(e.Ciphertext), ids...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, fmt.Errorf("open envelope %s: %w", e.ID, ErrNotForMe)
		}
		return nil, fmt.Errorf("open envelope %s: %w: %v", e.ID, ErrMalformed, err)
	}
	padded, err := io.ReadAll(io.LimitReader(r, MaxEnvelopeSize))
	if err != nil {
		return nil, fmt.Errorf("open envelope %s: %w: %v", e.ID, ErrMalformed, err)
	}
	inner, err := unpad(padded)
	if err != nil {
		return nil, fmt.Errorf("open envelope %s: %w", e.ID, err)
	}
	sd, body, err := parseInner(inner)
	if err != nil {
		return nil, fmt.Errorf("open envelope %s: %w", e.ID, err)
	}
	if body.ID != e.ID || body.To != e.Mailbox || body.Exp != e.Expiry.Unix() {
		return nil, fmt.Errorf("open envelope %s: %w", e.ID, ErrMismatchedOuter)
	}
	if len(body.Rcpt) != n {
		return nil, fmt.Errorf("open envelope %s: %w: %d stanzas for %d signed recipients", e.ID, ErrMalformed, n, len(body.Rcpt))
	}
	created := unix(body.At)
	dev, org, err := dir.SenderAt(body.From, created)
	if err != nil {
		if errors.Is(err, ErrRevoked) {
			return nil, fmt.Errorf("open envelope %s: %w: %w", e.ID, ErrSenderRevoked, err)
		}
		return nil, fmt.Errorf("open envelope %s: %w: %w", e.ID, ErrUnknownSender, err)
	}
	if dev.Device != body.From {
		return nil, fmt.Errorf("open envelope %s: %w: directory returned device %s for %s", e.ID, ErrUnknownSender, dev.Device, body.From)
	}
	if _, err := sd.verifyBy([]ed25519.PublicKey{dev.SigningKey}); err != nil {
		return nil, fmt.Errorf("open envelope %s from %s: %w", e.ID, body.From, err)
	}
	o := &Opened{
		ID: body.ID, Mailbox: body.To, Sender: dev, SenderOrg: org, Created: created, Expiry: unix(body.Exp),
		PayloadType: body.PT, Payload: body.P, Checkpoint: body.CP, CertIndex: body.Cert, Inner: inner,
	}
	listed := false
	for _, rc := range body.Rcpt {
		listed = listed || rc.Device == me
		o.Recipients = append(o.Recipients, Recipient{Device: rc.Device, Key: hex.EncodeToString(rc.Key[:])})
	}
	if !listed {
		return nil, fmt.Errorf("open envelope %s from %s: %w: %s", e.ID, body.From, ErrNotARecipient, me)
	}
	return o, nil
}

// parseInner decodes the signed inner envelope without verifying it.
func parseInner(b []byte) (*Signed, *envelopeBody, error) {
	sd, err := ParseSigned(b, TypeEnvelope)
	if err != nil {
		return nil, nil, fmt.Errorf("inner: %w", err)
	}
	if len(sd.Sigs) != 1 {
		return nil, nil, fmt.Errorf("inner: %w: %d signatures", ErrMalformed, len(sd.Sigs))
	}
	var body envelopeBody
	if err := unmarshal(sd.Body, &body); err != nil {
		return nil, nil, fmt.Errorf("inner: %w", err)
	}
	if body.V != envelopeVersion {
		return nil, nil, fmt.Errorf("inner: %w: version %d", ErrMalformed, body.V)
	}
	if len(body.Rcpt) == 0 || len(body.Rcpt) > MaxRecipients {
		return nil, nil, fmt.Errorf("inner: %w: %d recipients", ErrMalformed, len(body.Rcpt))
	}
	seen := make(map[DeviceID]bool, len(body.Rcpt))
	for _, r := range body.Rcpt {
		if seen[r.Device] {
			return nil, nil, fmt.Errorf("inner: %w: recipient %s listed twice", ErrMalformed, r.Device)
		}
		seen[r.Device] = true
	}
	if err := checkText("payload type", body.PT, MaxPayloadTypeLen, true); err != nil {
		return nil, nil, fmt.Errorf("inner: %w", err)
	}
	return sd, &body, nil
}

// VerifyHandedOver verifies a packet handed over by a colleague's device:
// inner is an original signed inner envelope (Opened.Inner or
// Envelope.Inner on the colleague's device), and mailbox is the receiving
// device's organisation. It checks everything Open checks that does not
// need the ciphertext: the inner envelope parses, was addressed to mailbox
// (ErrMismatchedOuter otherwise), its sender was current at its creation
// time in dir (ErrUnknownSender, ErrSenderRevoked) and its signature
// verifies (ErrBadSignature). It does not require the receiving device to
// be a listed recipient: the packet was sealed to the organisation's
// devices of the time, and Opened.Recipients says which. The caller must
// have verified that the packet came from a current device of its own
// organisation (the handover envelope's sender).
func VerifyHandedOver(inner []byte, mailbox OrgID, dir SenderDirectory) (*Opened, error) {
	if len(inner) > MaxEnvelopeSize {
		return nil, fmt.Errorf("handed-over packet: %w: %d bytes", ErrTooLarge, len(inner))
	}
	sd, body, err := parseInner(inner)
	if err != nil {
		return nil, fmt.Errorf("handed-over packet: %w", err)
	}
	if body.To != mailbox {
		return nil, fmt.Errorf("handed-over packet %s: %w: addressed to %s, not %s", body.ID, ErrMismatchedOuter, body.To, mailbox)
	}
	created := unix(body.At)
	dev, org, err := dir.SenderAt(body.From, created)
	if err != nil {
		if errors.Is(err, ErrRevoked) {
			return nil, fmt.Errorf("handed-over packet %s: %w: %w", body.ID, ErrSenderRevoked, err)
		}
		return nil, fmt.Errorf("handed-over packet %s: %w: %w", body.ID, ErrUnknownSender, err)
	}
	if dev.Device != body.From {
		return nil, fmt.Errorf("handed-over packet %s: %w", body.ID, ErrUnknownSender)
	}
	if _, err := sd.verifyBy([]ed25519.PublicKey{dev.SigningKey}); err != nil {
		return nil, fmt.Errorf("handed-over packet %s from %s: %w", body.ID, body.From, err)
	}
	o := &Opened{
		ID: body.ID, Mailbox: body.To, Sender: dev, SenderOrg: org, Created: created, Expiry: unix(body.Exp),
		PayloadType: body.PT, Payload: body.P, Checkpoint: body.CP, CertIndex: body.Cert, Inner: bytes.Clone(inner),
	}
	for _, rc := range body.Rcpt {
		o.Recipients = append(o.Recipients, Recipient{Device: rc.Device, Key: hex.EncodeToString(rc.Key[:])})
	}
	return o, nil
}

// InnerSummary reads a signed inner envelope's id and recipient devices
// without verifying it (the handing device uses it to describe a packet it
// verified when it received it; the receiving device verifies it again
// with VerifyHandedOver).
func InnerSummary(inner []byte) (EnvelopeID, []DeviceID, error) {
	_, body, err := parseInner(inner)
	if err != nil {
		return EnvelopeID{}, nil, err
	}
	devs := make([]DeviceID, len(body.Rcpt))
	for i, r := range body.Rcpt {
		devs[i] = r.Device
	}
	return body.ID, devs, nil
}
