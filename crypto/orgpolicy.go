package crypto

import (
	"crypto/ed25519"
	"fmt"
	"time"
)

// Bounds on an organisation's retention policy.
const (
	MinPolicyRetention = 24 * time.Hour
	MaxPolicyRetention = 50 * 365 * 24 * time.Hour
)

// OrgPolicy is an organisation's signed policy for all its devices: how
// long a closed, withdrawn or filled case is kept before it is
// crypto-shredded. It is signed by one of the organisation's admin keys and
// published in the directory log; the one with the highest Seq wins.
type OrgPolicy struct {
	Org       OrgID
	Seq       uint64 // from 1, one more for each new policy
	Retention time.Duration
	Issued    time.Time
}

type orgPolicyBody struct {
	Org       OrgID  `cbor:"org"`
	Seq       uint64 `cbor:"seq"`
	Retention uint64 `cbor:"ret"` // seconds
	Issued    int64  `cbor:"iat"`
}

func (b *orgPolicyBody) policy() (*OrgPolicy, error) {
	if b.Org.IsZero() {
		return nil, fmt.Errorf("%w: zero organisation id", ErrMalformed)
	}
	if b.Seq == 0 {
		return nil, fmt.Errorf("%w: policy sequence number 0", ErrMalformed)
	}
	if b.Retention < uint64(MinPolicyRetention/time.Second) || b.Retention > uint64(MaxPolicyRetention/time.Second) {
		return nil, fmt.Errorf("%w: retention of %d seconds, want %v to %v", ErrMalformed, b.Retention, MinPolicyRetention, MaxPolicyRetention)
	}
	return &OrgPolicy{Org: b.Org, Seq: b.Seq, Retention: time.Duration(b.Retention) * time.Second, Issued: unix(b.Issued)}, nil
}

// SignOrgPolicy encodes p (Retention in whole seconds) and signs it with
// an admin key of its organisation.
func SignOrgPolicy(p *OrgPolicy, admin ed25519.PrivateKey) ([]byte, error) {
	b := &orgPolicyBody{Org: p.Org, Seq: p.Seq, Issued: p.Issued.Unix()}
	if p.Retention > 0 {
		b.Retention = uint64(p.Retention / time.Second)
	}
	if _, err := b.policy(); err != nil {
		return nil, fmt.Errorf("sign policy of %s: %w", p.Org, err)
	}
	out, err := signObject(TypeOrgPolicy, b, []ed25519.PrivateKey{admin})
	if err != nil {
		return nil, fmt.Errorf("sign policy of %s: %w", p.Org, err)
	}
	return out, nil
}

func decodeOrgPolicy(body []byte) (*OrgPolicy, error) {
	var b orgPolicyBody
	if err := unmarshal(body, &b); err != nil {
		return nil, err
	}
	return b.policy()
}

// VerifyOrgPolicy parses a policy and checks that it is for org
// (ErrWrongOrg otherwise) and signed by one of org's admin keys.
func VerifyOrgPolicy(b []byte, org *OrgCert) (*OrgPolicy, error) {
	sd, err := ParseSigned(b, TypeOrgPolicy)
	if err != nil {
		return nil, fmt.Errorf("verify policy: %w", err)
	}
	return verifyOrgPolicySigned(sd, org)
}

func verifyOrgPolicySigned(sd *Signed, org *OrgCert) (*OrgPolicy, error) {
	p, err := decodeOrgPolicy(sd.Body)
	if err != nil {
		return nil, fmt.Errorf("verify policy: %w", err)
	}
	if p.Org != org.Org {
		return nil, fmt.Errorf("verify policy of %s: %w: checked against %s", p.Org, ErrWrongOrg, org.Org)
	}
	if _, err := sd.verifyBy(org.AdminKeys); err != nil {
		return nil, fmt.Errorf("verify policy of %s: admin: %w", p.Org, err)
	}
	return p, nil
}
