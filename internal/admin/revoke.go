package admin

import (
	"context"
	"fmt"
	"time"

	"github.com/saferef/saferef/crypto"
)

// futureSlack is how far in the future a revocation may be dated (clock
// skew).
const futureSlack = time.Minute

// DeviceRevocation is the outcome of RevokeDevice.
type DeviceRevocation struct {
	Device  crypto.DeviceID
	Name    string // the device's name
	OrgName string // its organisation's name
	At      time.Time
	Reason  string
	// Already is true when the device had been revoked before (At and
	// Reason are then that revocation's); nothing was published.
	Already bool
}

// RevokeDevice revokes a device (lost or stolen, or its user left): after
// auditing the relay's log, its organisation's admin key (asked through
// pass) signs a revocation dated at (zero: now), which is published. A
// device already revoked is reported with Already set. The reason is
// checked first (CheckPublicReason): it goes into the public log. A device not in the
// directory wraps ErrUnknownDevice; at more than a minute in the future
// ErrFutureRevocation.
func RevokeDevice(ctx context.Context, dir, relayURL string, id crypto.DeviceID, reason string, at time.Time, pass Passphrase) (*DeviceRevocation, error) {
	if err := CheckPublicReason(reason); err != nil {
		return nil, fmt.Errorf("revoke device %s: %w", id, err)
	}
	now := time.Now()
	if at.IsZero() {
		at = now.UTC().Truncate(time.Second)
	}
	if at.After(now.Add(futureSlack)) {
		return nil, fmt.Errorf("revoke device %s at %s: %w", id, at.UTC().Format(time.RFC3339), ErrFutureRevocation)
	}
	rep, _, err := Audit(ctx, dir, relayURL, "")
	if err != nil {
		return nil, err
	}
	e, err := rep.Directory.Device(id)
	if err != nil {
		return nil, markf(ErrUnknownDevice, "device %s is not in the relay's directory: %w", id, err)
	}
	if e.Revoked != nil {
		return &DeviceRevocation{Device: id, Name: e.Cert.Name, At: e.Revoked.RevokedAt, Reason: e.Revoked.Reason, Already: true}, nil
	}
	orgCert, err := CurrentOrgCert(rep, e.Cert.Org)
	if err != nil {
		return nil, err
	}
	admin, err := ReadAdminKey(dir, e.Cert.Org, adminKeyOf(orgCert.Name), pass)
	if err != nil {
		return nil, err
	}
	rev, err := crypto.SignDeviceRevocation(&crypto.Revocation{Org: e.Cert.Org, Device: id, RevokedAt: at, Reason: reason}, admin)
	if err != nil {
		return nil, err
	}
	if _, err := crypto.VerifyDeviceRevocation(rev, orgCert); err != nil {
		return nil, fmt.Errorf("the revocation does not verify (is this the organisation's current admin key?): %w", err)
	}
	if _, err := Publish(ctx, dir, relayURL, rev); err != nil {
		return nil, markf(ErrRelay, "publish revocation: %w", err)
	}
	return &DeviceRevocation{Device: id, Name: e.Cert.Name, OrgName: orgCert.Name, At: at, Reason: reason}, nil
}
