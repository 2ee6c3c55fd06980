package crypto

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrAdminReissue means an organisation certificate signed by an admin
// key (not by the roots) changes more than the admin keys, or is not
// issued after the current certificate, or lacks a signature by a current
// admin key or by one of the new admin keys.
var ErrAdminReissue = errors.New("an organisation admin may only replace the admin keys of its current certificate")

// SignOrgCertByAdmin signs a re-issue of an organisation certificate that
// only replaces its admin keys (an admin key rotation by ceremony): the
// current admin key signs, and so does every new admin key given (proving
// it is held). c must equal the current certificate except for AdminKeys
// and a later Issued time; see VerifyOrgCertByAdmin.
func SignOrgCertByAdmin(c *OrgCert, current ed25519.PrivateKey, newAdmins []ed25519.PrivateKey) ([]byte, error) {
	b, err := c.body()
	if err != nil {
		return nil, fmt.Errorf("sign admin rotation of %s: %w", c.Org, err)
	}
	keys := []ed25519.PrivateKey{current}
	for _, k := range newAdmins {
		if !k.Equal(current) {
			keys = append(keys, k)
		}
	}
	out, err := signObject(TypeOrgCert, b, keys)
	if err != nil {
		return nil, fmt.Errorf("sign admin rotation of %s: %w", c.Org, err)
	}
	return out, nil
}

// VerifyOrgCertByAdmin verifies an organisation certificate re-issued by
// the organisation's own admin (an admin key rotation) against the current
// certificate: the same organisation, name, kind, districts and validity
// period; a later issue time; a valid signature by one of current's admin
// keys and by each admin key it names that current does not; and valid at
// now. Anything else is ErrAdminReissue (or ErrBadSignature for a
// signature that does not verify).
func VerifyOrgCertByAdmin(b []byte, current *OrgCert, now time.Time) (*OrgCert, error) {
	sd, err := ParseSigned(b, TypeOrgCert)
	if err != nil {
		return nil, fmt.Errorf("verify admin rotation: %w", err)
	}
	return verifyOrgCertByAdminSigned(sd, current, now)
}

func verifyOrgCertByAdminSigned(sd *Signed, current *OrgCert, now time.Time) (*OrgCert, error) {
	c, err := decodeOrgCert(sd.Body)
	if err != nil {
		return nil, fmt.Errorf("verify admin rotation: %w", err)
	}
	switch {
	case c.Org != current.Org:
		return nil, fmt.Errorf("verify admin rotation of %s: %w: checked against %s", c.Org, ErrWrongOrg, current.Org)
	case c.Name != current.Name, c.Kind != current.Kind, !slices.Equal(c.Districts, current.Districts),
		!c.NotBefore.Equal(current.NotBefore), !c.NotAfter.Equal(current.NotAfter):
		return nil, fmt.Errorf("verify admin rotation of %s: %w: other fields changed", c.Org, ErrAdminReissue)
	case !c.Issued.After(current.Issued):
		return nil, fmt.Errorf("verify admin rotation of %s: %w: not issued after the current certificate", c.Org, ErrAdminReissue)
	}
	if _, err := sd.verifyBy(current.AdminKeys); err != nil {
		if errors.Is(err, ErrBadSignature) && !hasSigBy(sd, current.AdminKeys) {
			return nil, fmt.Errorf("verify admin rotation of %s: %w: no signature by a current admin key", c.Org, ErrAdminReissue)
		}
		return nil, fmt.Errorf("verify admin rotation of %s: current admin: %w", c.Org, err)
	}
	for _, k := range c.AdminKeys {
		if slices.ContainsFunc(current.AdminKeys, func(o ed25519.PublicKey) bool { return o.Equal(k) }) {
			continue
		}
		if !hasSigBy(sd, []ed25519.PublicKey{k}) {
			return nil, fmt.Errorf("verify admin rotation of %s: %w: new admin key %x did not sign", c.Org, ErrAdminReissue, KeyID(k))
		}
		if _, err := sd.verifyBy([]ed25519.PublicKey{k}); err != nil {
			return nil, fmt.Errorf("verify admin rotation of %s: new admin: %w", c.Org, err)
		}
	}
	if err := checkValidity(c.NotBefore, c.NotAfter, now); err != nil {
		return nil, fmt.Errorf("verify admin rotation of %s: %w", c.Org, err)
	}
	return c, nil
}

// hasSigBy reports whether sd carries a signature naming one of keys.
func hasSigBy(sd *Signed, keys []ed25519.PublicKey) bool {
	for _, sig := range sd.Sigs {
		for _, k := range keys {
			if KeyID(k) == sig.KeyID {
				return true
			}
		}
	}
	return false
}
