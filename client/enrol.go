package client

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"
	"github.com/fxamacker/cbor/v2"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/vault"
)

// EnrolmentRequestType is the "type" of an enrolment request file.
const EnrolmentRequestType = "saferef-enrolment-request/v1"

// enrolmentContext domain-separates the request's self-signature.
const enrolmentContext = "saferef/v1/enrolment-request\x00"

// ErrBadEnrolmentRequest means an enrolment request file is malformed or
// its self-signature does not verify.
var ErrBadEnrolmentRequest = errors.New("bad enrolment request")

// MaxDeviceNameLen bounds a device's display name, in bytes.
const MaxDeviceNameLen = 200

// EnrolmentRequest asks an organisation admin to approve a device. The
// device signs it with its own identity key, proving it holds the key.
type EnrolmentRequest struct {
	Device     crypto.DeviceID
	Org        crypto.OrgID
	Name       string
	SigningKey ed25519.PublicKey
	Recipient  string // age1pq1...
	Created    time.Time
	Signature  []byte
}

type enrolmentRequestJSON struct {
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
func (r *EnrolmentRequest) signedBytes() ([]byte, error) {
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		return nil, err
	}
	body, err := em.Marshal([]any{r.Device[:], r.Org[:], r.Name, []byte(r.SigningKey), r.Recipient, r.Created.Unix()})
	if err != nil {
		return nil, fmt.Errorf("encode enrolment request: %w", err)
	}
	return append([]byte(enrolmentContext), body...), nil
}

// NewEnrolmentRequest builds and self-signs a request for the device whose
// secrets are given.
func NewEnrolmentRequest(s *crypto.DeviceSecrets, now time.Time) (*EnrolmentRequest, error) {
	rcpt, err := s.Recipient()
	if err != nil {
		return nil, fmt.Errorf("enrolment request: %w", err)
	}
	r := &EnrolmentRequest{
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
func (r *EnrolmentRequest) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(enrolmentRequestJSON{
		Type: EnrolmentRequestType, Device: r.Device.String(), Org: r.Org.String(), Name: r.Name,
		SigningKey: crypto.EncodePublicKey(r.SigningKey), Recipient: r.Recipient,
		Created: r.Created.UTC().Format(time.RFC3339), Signature: base64.StdEncoding.EncodeToString(r.Signature),
	}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal enrolment request: %w", err)
	}
	return append(b, '\n'), nil
}

// Fingerprint returns the device's safety number, to be read out to the admin.
func (r *EnrolmentRequest) Fingerprint() string { return crypto.DeviceFingerprint(r.SigningKey) }

// ParseEnrolmentRequest reads a request file strictly and verifies its
// self-signature. Errors wrap ErrBadEnrolmentRequest.
func ParseEnrolmentRequest(b []byte) (*EnrolmentRequest, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadEnrolmentRequest, fmt.Sprintf(format, args...))
	}
	if len(b) > maxEnrolmentRequestSz {
		return nil, bad("%d bytes is too large", len(b))
	}
	var j enrolmentRequestJSON
	if err := decodeStrictJSON(b, &j); err != nil {
		return nil, bad("%v", err)
	}
	if j.Type != EnrolmentRequestType {
		return nil, bad("type is %q, want %q", j.Type, EnrolmentRequestType)
	}
	var (
		r   EnrolmentRequest
		err error
	)
	if r.Device, err = crypto.ParseDeviceID(j.Device); err != nil {
		return nil, bad("device: %v", err)
	}
	if r.Org, err = crypto.ParseOrgID(j.Org); err != nil {
		return nil, bad("org: %v", err)
	}
	if err := checkDeviceName(j.Name); err != nil {
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
func (r *EnrolmentRequest) DeviceCert(notBefore time.Time, lifetime time.Duration) *crypto.DeviceCert {
	return &crypto.DeviceCert{
		Device: r.Device, Org: r.Org, Name: r.Name, SigningKey: r.SigningKey, Recipient: r.Recipient,
		NotBefore: notBefore.UTC().Truncate(time.Second), NotAfter: notBefore.Add(lifetime).UTC().Truncate(time.Second),
		Issued: notBefore.UTC().Truncate(time.Second),
	}
}

func checkDeviceName(name string) error {
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

// EnrolOptions are the inputs to Enrol.
type EnrolOptions struct {
	Home       string // created with mode 0700; must not already hold a device
	SchemeFile string // the scheme.json handed out by the coordinator
	Relay      string // relay base URL
	Org        crypto.OrgID
	Name       string // the device's display name, e.g. "Priya's laptop"
	Passphrase string // for the device vault; must pass CheckPassphrase
	WorkFactor int    // vault scrypt work factor; 0 means vault.DefaultWorkFactor
	Now        time.Time
	Rand       io.Reader // nil means crypto/rand
}

// Enrolment is the result of Enrol.
type Enrolment struct {
	Device      crypto.DeviceID
	Fingerprint string
	RequestPath string
	Request     *EnrolmentRequest
}

// Enrol creates a device home: the scheme copy, the device vault, the
// config and the enrolment request for the organisation admin.
func Enrol(ctx context.Context, o *EnrolOptions) (*Enrolment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkDeviceName(o.Name); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if o.Org.IsZero() {
		return nil, errors.New("enrol: no organisation id")
	}
	if _, err := relay.ParseURL(o.Relay); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	_, schemeBytes, err := ReadScheme(o.SchemeFile)
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if err := CheckPassphrase(o.Passphrase, o.Name); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	wf := o.WorkFactor
	if wf == 0 {
		wf = vault.DefaultWorkFactor
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	if err := makeHome(o.Home); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	secrets, err := crypto.GenerateDeviceSecrets(o.Rand, o.Org, o.Name, now)
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	plain, err := secrets.Marshal()
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if err := vault.Create(filepath.Join(o.Home, VaultFile), plain, o.Passphrase, wf); err != nil {
		return nil, fmt.Errorf("enrol: create device vault: %w", err)
	}
	clear(plain)
	if err := writeFileAtomic(filepath.Join(o.Home, SchemeFile), schemeBytes, 0o644); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	cfg := &Config{Relay: o.Relay, Device: secrets.Device.String(), Org: o.Org.String(), Name: o.Name, Enrol: now.UTC().Truncate(time.Second)}
	cb, err := cfg.Marshal()
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if err := writeSealedHomeFile(secrets.DataKey, o.Home, ConfigFile, cb); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	req, err := NewEnrolmentRequest(secrets, now)
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	rb, err := req.Marshal()
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	reqPath := filepath.Join(o.Home, EnrolmentRequestFile)
	if err := writeFileAtomic(reqPath, rb, 0o644); err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	return &Enrolment{Device: secrets.Device, Fingerprint: req.Fingerprint(), RequestPath: reqPath, Request: req}, nil
}

// makeHome creates home with mode 0700, or accepts an existing directory
// that holds no device yet (tightening its mode).
func makeHome(home string) error {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return fmt.Errorf("create home: %w", err)
	}
	for _, f := range []string{VaultFile, ConfigFile, LegacyConfigFile, CasesFile} {
		if _, err := os.Lstat(filepath.Join(home, f)); err == nil {
			return fmt.Errorf("%w: %s holds %s", ErrHomeExists, home, f)
		}
	}
	if err := os.Chmod(home, 0o700); err != nil {
		return fmt.Errorf("create home: %w", err)
	}
	return nil
}
