package admin

import (
	"context"
	"fmt"
	"time"

	"github.com/saferef/saferef/crypto"
)

// MaxRetentionDays is the longest retention period, in days.
const MaxRetentionDays = int(crypto.MaxPolicyRetention / (24 * time.Hour))

// CheckRetention checks a retention period of days days (1 to
// MaxRetentionDays); out of range wraps ErrBadRetention.
func CheckRetention(days int) error {
	if days < 1 || time.Duration(days)*24*time.Hour > crypto.MaxPolicyRetention {
		return fmt.Errorf("retention of %d days: %w", days, ErrBadRetention)
	}
	return nil
}

// RetentionPolicy is a published retention policy.
type RetentionPolicy struct {
	Seq uint64          // the policy's sequence number (1 for the first)
	Org *crypto.OrgCert // the organisation's current certificate
}

// SetRetention sets how long every device of the organisation keeps a
// finished case: after auditing the relay's log it signs the next retention
// policy with the organisation's admin key (asked through pass) and
// publishes it.
func SetRetention(ctx context.Context, dir, relayURL string, org crypto.OrgID, days int, pass Passphrase) (*RetentionPolicy, error) {
	if err := CheckRetention(days); err != nil {
		return nil, err
	}
	rep, _, err := Audit(ctx, dir, relayURL, "")
	if err != nil {
		return nil, err
	}
	oc, err := CurrentOrgCert(rep, org)
	if err != nil {
		return nil, err
	}
	seq := uint64(1)
	if p := rep.Directory.Policy(org); p != nil {
		seq = p.Seq + 1
	}
	admin, err := ReadAdminKey(dir, org, adminKeyOf(oc.Name), pass)
	if err != nil {
		return nil, err
	}
	period := time.Duration(days) * 24 * time.Hour
	b, err := crypto.SignOrgPolicy(&crypto.OrgPolicy{Org: org, Seq: seq, Retention: period, Issued: time.Now().UTC().Truncate(time.Second)}, admin)
	if err != nil {
		return nil, err
	}
	if _, err := crypto.VerifyOrgPolicy(b, oc); err != nil {
		return nil, fmt.Errorf("the policy does not verify (is this the organisation's current admin key?): %w", err)
	}
	if _, err := Publish(ctx, dir, relayURL, b); err != nil {
		return nil, markf(ErrRelay, "publish retention policy: %w", err)
	}
	return &RetentionPolicy{Seq: seq, Org: oc}, nil
}
