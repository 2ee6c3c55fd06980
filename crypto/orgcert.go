package crypto

import (
	"crypto/ed25519"
	"fmt"
	"time"
)

// OrgKind is the role of an organisation in the scheme.
type OrgKind string

// Organisation kinds.
const (
	KindLandlord    OrgKind = "landlord"
	KindProvider    OrgKind = "provider"
	KindCoordinator OrgKind = "coordinator"
)

// Valid reports whether k is one of the defined kinds.
func (k OrgKind) Valid() bool {
	return k == KindLandlord || k == KindProvider || k == KindCoordinator
}

// Limits on organisation certificates.
const (
	MaxNameLen   = 200
	MaxDistricts = 256
	MaxAdminKeys = 16
)

// OrgCert admits an organisation to the scheme. It is signed by at least
// Threshold scheme roots.
type OrgCert struct {
	Org       OrgID
	Name      string
	Kind      OrgKind
	Districts []string // local authority districts the organisation has homes in or serves
	AdminKeys []ed25519.PublicKey
	NotBefore time.Time // encoded as Unix seconds
	NotAfter  time.Time
	Issued    time.Time
}

type orgCertBody struct {
	Org       OrgID    `cbor:"org"`
	Name      string   `cbor:"name"`
	Kind      string   `cbor:"kind"`
	Districts []string `cbor:"dist"`
	Admin     [][]byte `cbor:"admin"`
	NotBefore int64    `cbor:"nbf"`
	NotAfter  int64    `cbor:"naf"`
	Issued    int64    `cbor:"iat"`
}

func (c *OrgCert) body() (*orgCertBody, error) {
	b := &orgCertBody{
		Org: c.Org, Name: c.Name, Kind: string(c.Kind), Districts: c.Districts,
		NotBefore: c.NotBefore.Unix(), NotAfter: c.NotAfter.Unix(), Issued: c.Issued.Unix(),
	}
	for _, k := range c.AdminKeys {
		b.Admin = append(b.Admin, []byte(k))
	}
	if _, err := b.cert(); err != nil {
		return nil, err
	}
	return b, nil
}

// cert validates the body and converts it.
func (b *orgCertBody) cert() (*OrgCert, error) {
	if b.Org.IsZero() {
		return nil, fmt.Errorf("%w: zero organisation id", ErrMalformed)
	}
	if err := checkText("name", b.Name, MaxNameLen, true); err != nil {
		return nil, err
	}
	if !OrgKind(b.Kind).Valid() {
		return nil, fmt.Errorf("%w: kind %q", ErrMalformed, b.Kind)
	}
	if len(b.Districts) > MaxDistricts {
		return nil, fmt.Errorf("%w: %d districts", ErrMalformed, len(b.Districts))
	}
	for _, d := range b.Districts {
		if err := checkText("district", d, MaxNameLen, true); err != nil {
			return nil, err
		}
	}
	if len(b.Admin) == 0 || len(b.Admin) > MaxAdminKeys {
		return nil, fmt.Errorf("%w: %d admin keys, want 1 to %d", ErrMalformed, len(b.Admin), MaxAdminKeys)
	}
	c := &OrgCert{
		Org: b.Org, Name: b.Name, Kind: OrgKind(b.Kind), Districts: b.Districts,
		NotBefore: unix(b.NotBefore), NotAfter: unix(b.NotAfter), Issued: unix(b.Issued),
	}
	seen := make(map[[8]byte]bool)
	for _, k := range b.Admin {
		if len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: admin key of %d bytes", ErrMalformed, len(k))
		}
		if seen[KeyID(k)] {
			return nil, fmt.Errorf("%w: duplicate admin key", ErrMalformed)
		}
		seen[KeyID(k)] = true
		c.AdminKeys = append(c.AdminKeys, ed25519.PublicKey(k))
	}
	if b.NotAfter <= b.NotBefore {
		return nil, fmt.Errorf("%w: not-after is not after not-before", ErrMalformed)
	}
	return c, nil
}

// SignOrgCert encodes c and signs it with each root key given (one
// signature per key). Give at least the scheme's threshold of roots.
func SignOrgCert(c *OrgCert, roots []ed25519.PrivateKey) ([]byte, error) {
	b, err := c.body()
	if err != nil {
		return nil, fmt.Errorf("sign org cert %s: %w", c.Org, err)
	}
	out, err := signObject(TypeOrgCert, b, roots)
	if err != nil {
		return nil, fmt.Errorf("sign org cert %s: %w", c.Org, err)
	}
	return out, nil
}

// decodeOrgCert decodes and validates an org-cert body without verifying
// any signature.
func decodeOrgCert(body []byte) (*OrgCert, error) {
	var b orgCertBody
	if err := unmarshal(body, &b); err != nil {
		return nil, err
	}
	return b.cert()
}

// VerifyOrgCert parses an organisation certificate, checks that it carries
// valid signatures from at least Threshold distinct roots of s and that it
// is valid at now.
func (s *Scheme) VerifyOrgCert(b []byte, now time.Time) (*OrgCert, error) {
	sd, err := ParseSigned(b, TypeOrgCert)
	if err != nil {
		return nil, fmt.Errorf("verify org cert: %w", err)
	}
	return s.verifyOrgCertSigned(sd, now)
}

func (s *Scheme) verifyOrgCertSigned(sd *Signed, now time.Time) (*OrgCert, error) {
	c, err := decodeOrgCert(sd.Body)
	if err != nil {
		return nil, fmt.Errorf("verify org cert: %w", err)
	}
	if err := s.verifyThreshold(sd); err != nil {
		return nil, fmt.Errorf("verify org cert %s (%s): %w", c.Org, c.Name, err)
	}
	if err := checkValidity(c.NotBefore, c.NotAfter, now); err != nil {
		return nil, fmt.Errorf("verify org cert %s (%s): %w", c.Org, c.Name, err)
	}
	return c, nil
}
