package crypto

import (
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"
)

// MaxRecipientLen bounds the text of an age hybrid recipient (about 1,960
// characters in practice).
const MaxRecipientLen = 4096

// DeviceCert approves one device of an organisation. It is signed by one of
// the organisation's admin keys.
type DeviceCert struct {
	Device     DeviceID
	Org        OrgID
	Name       string
	SigningKey ed25519.PublicKey
	Recipient  string // age1pq1... (age.HybridRecipient.String()) at enrolment
	NotBefore  time.Time
	NotAfter   time.Time
	Issued     time.Time
}

type deviceCertBody struct {
	Device    DeviceID `cbor:"dev"`
	Org       OrgID    `cbor:"org"`
	Name      string   `cbor:"name"`
	Signing   []byte   `cbor:"sig"`
	Recipient string   `cbor:"rcpt"`
	NotBefore int64    `cbor:"nbf"`
	NotAfter  int64    `cbor:"naf"`
	Issued    int64    `cbor:"iat"`
}

func (c *DeviceCert) body() (*deviceCertBody, error) {
	b := &deviceCertBody{
		Device: c.Device, Org: c.Org, Name: c.Name, Signing: []byte(c.SigningKey), Recipient: c.Recipient,
		NotBefore: c.NotBefore.Unix(), NotAfter: c.NotAfter.Unix(), Issued: c.Issued.Unix(),
	}
	if _, err := b.cert(); err != nil {
		return nil, err
	}
	return b, nil
}

// checkRecipientText cheaply checks the form of an age hybrid recipient;
// Seal parses it fully.
func checkRecipientText(r string) error {
	if !strings.HasPrefix(r, "age1pq1") || len(r) > MaxRecipientLen {
		return fmt.Errorf("%w: recipient is not an age1pq1 key", ErrMalformed)
	}
	return nil
}

func (b *deviceCertBody) cert() (*DeviceCert, error) {
	if b.Device.IsZero() || b.Org.IsZero() {
		return nil, fmt.Errorf("%w: zero device or organisation id", ErrMalformed)
	}
	if err := checkText("name", b.Name, MaxNameLen, true); err != nil {
		return nil, err
	}
	if len(b.Signing) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: signing key of %d bytes", ErrMalformed, len(b.Signing))
	}
	if err := checkRecipientText(b.Recipient); err != nil {
		return nil, err
	}
	if b.NotAfter <= b.NotBefore {
		return nil, fmt.Errorf("%w: not-after is not after not-before", ErrMalformed)
	}
	return &DeviceCert{
		Device: b.Device, Org: b.Org, Name: b.Name, SigningKey: ed25519.PublicKey(b.Signing),
		Recipient: b.Recipient,
		NotBefore: unix(b.NotBefore), NotAfter: unix(b.NotAfter), Issued: unix(b.Issued),
	}, nil
}

// SignDeviceCert encodes c and signs it with an organisation admin key.
func SignDeviceCert(c *DeviceCert, admin ed25519.PrivateKey) ([]byte, error) {
	b, err := c.body()
	if err != nil {
		return nil, fmt.Errorf("sign device cert %s: %w", c.Device, err)
	}
	out, err := signObject(TypeDeviceCert, b, []ed25519.PrivateKey{admin})
	if err != nil {
		return nil, fmt.Errorf("sign device cert %s: %w", c.Device, err)
	}
	return out, nil
}

func decodeDeviceCert(body []byte) (*DeviceCert, error) {
	var b deviceCertBody
	if err := unmarshal(body, &b); err != nil {
		return nil, err
	}
	return b.cert()
}

// VerifyDeviceCert parses a device certificate and checks that it belongs
// to org (ErrWrongOrg otherwise), is signed by one of org's admin keys and
// is valid at now. The caller must already have verified org.
func VerifyDeviceCert(b []byte, org *OrgCert, now time.Time) (*DeviceCert, error) {
	sd, err := ParseSigned(b, TypeDeviceCert)
	if err != nil {
		return nil, fmt.Errorf("verify device cert: %w", err)
	}
	return verifyDeviceCertSigned(sd, org, now)
}

func verifyDeviceCertSigned(sd *Signed, org *OrgCert, now time.Time) (*DeviceCert, error) {
	c, err := decodeDeviceCert(sd.Body)
	if err != nil {
		return nil, fmt.Errorf("verify device cert: %w", err)
	}
	if c.Org != org.Org {
		return nil, fmt.Errorf("verify device cert %s: %w: issued for %s, checked against %s", c.Device, ErrWrongOrg, c.Org, org.Org)
	}
	if _, err := sd.verifyBy(org.AdminKeys); err != nil {
		return nil, fmt.Errorf("verify device cert %s: admin of %s: %w", c.Device, org.Org, err)
	}
	if err := checkValidity(c.NotBefore, c.NotAfter, now); err != nil {
		return nil, fmt.Errorf("verify device cert %s: %w", c.Device, err)
	}
	return c, nil
}
