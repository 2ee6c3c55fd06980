// Package enrolment is the request a new device hands its organisation
// admin: the device's ids, name and public keys, self-signed with the
// device's identity key. It is a leaf package so that the admin tools can
// read and approve requests without the device core and its case store.
package enrolment

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"filippo.io/age"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/detcbor"
)

// MaxSize bounds a request file, in bytes.
const MaxSize = 64 << 10

// signedCodec encodes the signed part of a request deterministically.
var signedCodec = detcbor.Must(detcbor.Limits{MaxNesting: 4, MaxArrayElements: 16, MaxMapPairs: 16})

// Type is the "type" of an enrolment request file.
const Type = "saferef-enrolment-request/v1"

// enrolmentContext domain-separates the request's self-signature.
const enrolmentContext = "saferef/v1/enrolment-request\x00"

// ErrBadRequest means an enrolment request file is malformed or
// its self-signature does not verify.
var ErrBadRequest = errors.New("bad enrolment request")

// MaxDeviceNameLen bounds a device's display name, in bytes.
const MaxDeviceNameLen = 200

// Request asks an organisation admin to approve a device. The
// device signs it with its own identity key, proving it holds the key.
type Request struct {
	Device     crypto.DeviceID
	Org        crypto.OrgID
	Name       string
	SigningKey ed25519.PublicKey
	Recipient  string // age1pq1...
	Created    time.Time
	Signature  []byte
}

type requestJSON struct {
	Type       string `json:"type"`
	Device     string `json:"device"`
	Org        string `json:"org"`
	Name       string `json:"name"`
	SigningKey string `json:"signing_key"`
	Recipient  string `json:"recipient"`
	Created    string `json:"created"`
	Signature  string `json:"signature"`
}

// signedBytes is what the device signs: the context string followed by
// the deterministic CBOR array [device, org, name, signing key, recipient,
// created (Unix seconds)].
func (r *Request) signedBytes() ([]byte, error) {
	body, err := signedCodec.Marshal([]any{r.Device[:], r.Org[:], r.Name, []byte(r.SigningKey), r.Recipient, r.Created.Unix()})
	if err != nil {
		return nil, fmt.Errorf("encode enrolment request: %w", err)
	}
	return append([]byte(enrolmentContext), body...), nil
}

// New builds and self-signs a request for the device whose
// secrets are given.
func New(s *crypto.DeviceSecrets, now time.Time) (*Request, error) {
	rcpt, err := s.Recipient()
	if err != nil {
		return nil, fmt.Errorf("enrolment request: %w", err)
	}
	r := &Request{
		Device: s.Device, Org: s.Org, Name: s.Name,
		SigningKey: s.SigningKey(), Recipient: rcpt, Created: now.UTC().Truncate(time.Second),
	}
	msg, err := r.signedBytes()
	if err != nil {
		return nil, err
	}
	r.Signature = ed25519.Sign(ed25519.NewKeyFromSeed(s.SigningSeed), msg)
	return r, nil
}

// Marshal returns the request file's JSON.
func (r *Request) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(requestJSON{
		Type: Type, Device: r.Device.String(), Org: r.Org.String(), Name: r.Name,
		SigningKey: crypto.EncodePublicKey(r.SigningKey), Recipient: r.Recipient,
		Created: r.Created.UTC().Format(time.RFC3339), Signature: base64.StdEncoding.EncodeToString(r.Signature),
	}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal enrolment request: %w", err)
	}
	return append(b, '\n'), nil
}

// Fingerprint returns the device's safety number, to be read out to the admin.
func (r *Request) Fingerprint() string { return crypto.DeviceFingerprint(r.SigningKey) }

// Parse reads a request file strictly and verifies its
// self-signature. Errors wrap ErrBadRequest.
func Parse(b []byte) (*Request, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadRequest, fmt.Sprintf(format, args...))
	}
	if len(b) > MaxSize {
		return nil, bad("%d bytes is too large", len(b))
	}
	var j requestJSON
	if err := decodeStrictJSON(b, &j); err != nil {
		return nil, bad("%v", err)
	}
	if j.Type != Type {
		return nil, bad("type is %q, want %q", j.Type, Type)
	}
	var (
		r   Request
		err error
	)
	if r.Device, err = crypto.ParseDeviceID(j.Device); err != nil {
		return nil, bad("device: %v", err)
	}
	if r.Org, err = crypto.ParseOrgID(j.Org); err != nil {
		return nil, bad("org: %v", err)
	}
	if err := CheckDeviceName(j.Name); err != nil {
		return nil, bad("%v", err)
	}
	r.Name = j.Name
	if r.SigningKey, err = crypto.ParsePublicKey(j.SigningKey); err != nil {
		return nil, bad("signing_key: %v", err)
	}
	if len(j.Recipient) > crypto.MaxRecipientLen {
		return nil, bad("recipient too long")
	}
	if _, err := age.ParseHybridRecipient(j.Recipient); err != nil {
		return nil, bad("recipient: %v", err)
	}
	r.Recipient = j.Recipient
	if r.Created, err = time.Parse(time.RFC3339, j.Created); err != nil {
		return nil, bad("created: %v", err)
	}
	r.Created = r.Created.UTC()
	if r.Created.Nanosecond() != 0 {
		return nil, bad("created has fractional seconds")
	}
	if r.Signature, err = base64.StdEncoding.Strict().DecodeString(j.Signature); err != nil || len(r.Signature) != ed25519.SignatureSize {
		return nil, bad("signature is not %d bytes of base64", ed25519.SignatureSize)
	}
	msg, err := r.signedBytes()
	if err != nil {
		return nil, bad("%v", err)
	}
	if !ed25519.Verify(r.SigningKey, msg, r.Signature) {
		return nil, bad("self-signature does not verify: the file was changed or not made by this device")
	}
	return &r, nil
}

// DeviceCert returns the certificate an admin signs to approve the
// request, valid from notBefore for the given lifetime.
func (r *Request) DeviceCert(notBefore time.Time, lifetime time.Duration) *crypto.DeviceCert {
	return &crypto.DeviceCert{
		Device: r.Device, Org: r.Org, Name: r.Name, SigningKey: r.SigningKey, Recipient: r.Recipient,
		NotBefore: notBefore.UTC().Truncate(time.Second), NotAfter: notBefore.Add(lifetime).UTC().Truncate(time.Second),
		Issued: notBefore.UTC().Truncate(time.Second),
	}
}

// CheckDeviceName refuses a device display name that is empty, longer than
// MaxDeviceNameLen bytes or holds control characters.
func CheckDeviceName(name string) error {
	if name == "" || len(name) > MaxDeviceNameLen {
		return fmt.Errorf("name must be 1 to %d bytes", MaxDeviceNameLen)
	}
	for _, c := range name {
		if c < ' ' || c == 0x7f {
			return errors.New("name has control characters")
		}
	}
	return nil
}

// decodeStrictJSON decodes exactly one JSON object with no unknown fields.
func decodeStrictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the json object")
	}
	return nil
}
