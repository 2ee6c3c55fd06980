package admin

import (
	"crypto/ed25519"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/protocol/payload"
)

// OrgCertLifetime is how long an organisation certificate is valid. The
// coordinator renews it by signing a new one (a later-issued certificate
// replaces the old one in every directory).
const OrgCertLifetime = 3 * 365 * 24 * time.Hour

// maxOrgName bounds an organisation's name, in bytes.
const maxOrgName = 200

// CheckOrg validates an organisation's name, kind and districts and
// returns the kind and the districts without repeats. Errors wrap
// ErrBadOrgName, ErrUnknownKind, ErrUnknownDistrict or ErrNoDistrict.
func CheckOrg(name, kind string, districts []string) (crypto.OrgKind, []string, error) {
	if strings.TrimSpace(name) == "" || len(name) > maxOrgName {
		return "", nil, ErrBadOrgName
	}
	k := crypto.OrgKind(kind)
	switch k {
	case crypto.KindLandlord, crypto.KindProvider, crypto.KindCoordinator:
	default:
		return "", nil, markf(ErrUnknownKind, "unknown organisation kind %q", kind)
	}
	var bad, out []string
	for _, d := range districts {
		if !payload.KnownDistrict(d) {
			bad = append(bad, d)
		} else if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(bad) > 0 {
		return "", nil, markf(ErrUnknownDistrict, "unknown district %q", strings.Join(bad, `", "`))
	}
	if k == crypto.KindLandlord && len(out) == 0 {
		return "", nil, ErrNoDistrict
	}
	return k, out, nil
}

// NewOrg is an organisation just admitted.
type NewOrg struct {
	Cert      *crypto.OrgCert    // the verified certificate
	CertBytes []byte             // the signed certificate, to publish
	Admin     ed25519.PrivateKey // the organisation's admin key
}

// AddOrg creates an organisation's admin key (a vault under adminPass,
// work factor wf) and its certificate signed by roots, stored under
// DIR/orgs/ORG_ID/. It does not publish: pass CertBytes to Publish.
func AddOrg(dir string, s *crypto.Scheme, roots []ed25519.PrivateKey, name string, kind crypto.OrgKind, districts []string, adminPass string, wf int, now time.Time) (*NewOrg, error) {
	id, err := crypto.NewOrgID(nil)
	if err != nil {
		return nil, fmt.Errorf("add organisation: %w", err)
	}
	admin, err := crypto.GenerateSigningKey(nil)
	if err != nil {
		return nil, fmt.Errorf("add organisation: %w", err)
	}
	now = now.UTC().Truncate(time.Second)
	c := &crypto.OrgCert{Org: id, Name: name, Kind: kind, Districts: districts,
		AdminKeys: []ed25519.PublicKey{admin.Public().(ed25519.PublicKey)},
		NotBefore: now.Add(-5 * time.Minute), NotAfter: now.Add(OrgCertLifetime), Issued: now}
	b, err := crypto.SignOrgCert(c, roots)
	if err != nil {
		return nil, fmt.Errorf("add organisation: %w", err)
	}
	verified, err := s.VerifyOrgCert(b, now)
	if err != nil {
		return nil, fmt.Errorf("add organisation: the certificate does not verify: %w", err)
	}
	if err := WriteKey(AdminKeyPath(dir, id), AdminKeyType, id.String(), admin, adminPass, wf); err != nil {
		return nil, fmt.Errorf("add organisation: %w", err)
	}
	if err := WriteNew(OrgCertPath(dir, id), b, 0o644); err != nil {
		return nil, fmt.Errorf("add organisation: %w", err)
	}
	return &NewOrg{Cert: verified, CertBytes: b, Admin: admin}, nil
}

// CurrentOrgCert returns the organisation's current certificate from the
// audited directory (it follows admin key and root rotations, which the
// certificate file saved by AddOrg does not). An organisation not in the
// directory wraps ErrUnknownOrg; a removed one crypto.ErrRevoked.
func CurrentOrgCert(rep *translog.AuditReport, org crypto.OrgID) (*crypto.OrgCert, error) {
	o, err := rep.Directory.Org(org)
	if err != nil {
		return nil, markf(ErrUnknownOrg, "organisation %s is not in the relay's directory: %w", org, err)
	}
	if o.Revoked != nil {
		return nil, fmt.Errorf("organisation %s (%s) was removed from the scheme at %s: %w",
			org, o.Cert.Name, o.Revoked.RevokedAt.UTC().Format(time.RFC3339), crypto.ErrRevoked)
	}
	return o.Cert, nil
}

// adminKeyOf is how a passphrase prompt names an organisation's admin key.
func adminKeyOf(name string) string { return "the admin key of " + name }
