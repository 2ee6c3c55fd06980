package crypto

import (
	"crypto/ed25519"
	"fmt"
	"time"
)

// MaxReasonLen bounds a revocation's reason.
const MaxReasonLen = 500

// Revocation removes a device (signed by an admin key of its organisation)
// or, when Device is zero, a whole organisation (signed by Threshold scheme
// roots). Revocations are final.
type Revocation struct {
	Org       OrgID
	Device    DeviceID // zero: the whole organisation is removed
	RevokedAt time.Time
	Reason    string
}

// IsOrg reports whether r removes a whole organisation.
func (r *Revocation) IsOrg() bool { return r.Device.IsZero() }

type revocationBody struct {
	Org       OrgID    `cbor:"org"`
	Device    DeviceID `cbor:"dev"`
	RevokedAt int64    `cbor:"at"`
	Reason    string   `cbor:"why"`
}

func (b *revocationBody) revocation() (*Revocation, error) {
	if b.Org.IsZero() {
		return nil, fmt.Errorf("%w: zero organisation id", ErrMalformed)
	}
	if err := checkText("reason", b.Reason, MaxReasonLen, false); err != nil {
		return nil, err
	}
	return &Revocation{Org: b.Org, Device: b.Device, RevokedAt: unix(b.RevokedAt), Reason: b.Reason}, nil
}

func (r *Revocation) body() (*revocationBody, error) {
	b := &revocationBody{Org: r.Org, Device: r.Device, RevokedAt: r.RevokedAt.Unix(), Reason: r.Reason}
	if _, err := b.revocation(); err != nil {
		return nil, err
	}
	return b, nil
}

// SignOrgRevocation signs the removal of a whole organisation with each root
// key given. r.Device must be zero.
func SignOrgRevocation(r *Revocation, roots []ed25519.PrivateKey) ([]byte, error) {
	if !r.IsOrg() {
		return nil, fmt.Errorf("sign org revocation %s: names device %s", r.Org, r.Device)
	}
	return signRevocation(r, roots)
}

// SignDeviceRevocation signs the removal of one device with an admin key of
// its organisation. r.Device must not be zero.
func SignDeviceRevocation(r *Revocation, admin ed25519.PrivateKey) ([]byte, error) {
	if r.IsOrg() {
		return nil, fmt.Errorf("sign device revocation for %s: zero device id", r.Org)
	}
	return signRevocation(r, []ed25519.PrivateKey{admin})
}

func signRevocation(r *Revocation, keys []ed25519.PrivateKey) ([]byte, error) {
	b, err := r.body()
	if err != nil {
		return nil, fmt.Errorf("sign revocation %s/%s: %w", r.Org, r.Device, err)
	}
	out, err := signObject(TypeRevocation, b, keys)
	if err != nil {
		return nil, fmt.Errorf("sign revocation %s/%s: %w", r.Org, r.Device, err)
	}
	return out, nil
}

func decodeRevocation(body []byte) (*Revocation, error) {
	var b revocationBody
	if err := unmarshal(body, &b); err != nil {
		return nil, err
	}
	return b.revocation()
}

// ParseRevocation decodes a revocation WITHOUT verifying it, so that a
// caller can see whether it is an organisation or device revocation and
// which verification applies. Never act on its result unverified.
func ParseRevocation(b []byte) (*Revocation, *Signed, error) {
	sd, err := ParseSigned(b, TypeRevocation)
	if err != nil {
		return nil, nil, fmt.Errorf("parse revocation: %w", err)
	}
	r, err := decodeRevocation(sd.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("parse revocation: %w", err)
	}
	return r, sd, nil
}

// VerifyOrgRevocation verifies the removal of a whole organisation: Device
// zero and signatures by at least Threshold roots of s.
func (s *Scheme) VerifyOrgRevocation(b []byte) (*Revocation, error) {
	r, sd, err := ParseRevocation(b)
	if err != nil {
		return nil, err
	}
	if !r.IsOrg() {
		return nil, fmt.Errorf("verify org revocation %s: %w: names device %s", r.Org, ErrMalformed, r.Device)
	}
	if err := s.verifyThreshold(sd); err != nil {
		return nil, fmt.Errorf("verify org revocation %s: %w", r.Org, err)
	}
	return r, nil
}

// VerifyDeviceRevocation verifies the removal of one device of org: signed
// by one of org's admin keys, ErrWrongOrg if it names another organisation.
func VerifyDeviceRevocation(b []byte, org *OrgCert) (*Revocation, error) {
	r, sd, err := ParseRevocation(b)
	if err != nil {
		return nil, err
	}
	if r.IsOrg() {
		return nil, fmt.Errorf("verify device revocation for %s: %w: zero device id", r.Org, ErrMalformed)
	}
	if r.Org != org.Org {
		return nil, fmt.Errorf("verify device revocation %s: %w: names %s, checked against %s", r.Device, ErrWrongOrg, r.Org, org.Org)
	}
	if _, err := sd.verifyBy(org.AdminKeys); err != nil {
		return nil, fmt.Errorf("verify device revocation %s: admin of %s: %w", r.Device, org.Org, err)
	}
	return r, nil
}
