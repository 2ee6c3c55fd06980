package admin

import (
	"context"
	"fmt"
	"time"

	"github.com/saferef/saferef/crypto"
)

// OrgRemoval is a published organisation removal.
type OrgRemoval struct {
	Org     *crypto.OrgCert // the organisation's last certificate
	Devices int             // how many devices it had in the directory
}

// RemoveOrg removes an organisation from the scheme: after auditing the
// relay's log, the root keys unlocked by roots sign an organisation
// revocation, dated now, which is published. An organisation not in the
// directory wraps ErrUnknownOrg. The reason is checked first
// (CheckPublicReason): it goes into the public log.
func RemoveOrg(ctx context.Context, dir, relayURL string, org crypto.OrgID, reason string, roots RootUnlocker) (*OrgRemoval, error) {
	if err := CheckPublicReason(reason); err != nil {
		return nil, fmt.Errorf("remove organisation %s: %w", org, err)
	}
	rep, _, err := Audit(ctx, dir, relayURL, "")
	if err != nil {
		return nil, err
	}
	o, err := rep.Directory.Org(org)
	if err != nil {
		return nil, markf(ErrUnknownOrg, "organisation %s is not in the relay's directory: %w", org, err)
	}
	keys, err := roots(rep.Directory.Scheme())
	if err != nil {
		return nil, err
	}
	rev, err := crypto.SignOrgRevocation(&crypto.Revocation{Org: org, RevokedAt: time.Now().UTC().Truncate(time.Second), Reason: reason}, keys)
	if err != nil {
		return nil, err
	}
	if _, err := Publish(ctx, dir, relayURL, rev); err != nil {
		return nil, markf(ErrRelay, "publish organisation removal: %w", err)
	}
	return &OrgRemoval{Org: o.Cert, Devices: len(rep.Directory.Devices(org))}, nil
}
