package admin

import (
	"context"
	"time"

	"github.com/saferef/saferef/crypto"
)

// DeviceState is where a device stands in the directory.
type DeviceState string

// Device states, as 'saferef-admin device list' prints them.
const (
	DeviceCurrent DeviceState = "current"
	DeviceExpired DeviceState = "expired"
	DeviceRevoked DeviceState = "revoked"
)

// DeviceStatus is one device of an organisation, from the audited
// directory.
type DeviceStatus struct {
	ID          crypto.DeviceID
	Name        string
	Fingerprint string // the device's safety number
	CurrentKey  string // the newest verified age recipient
	KeySeq      uint64
	NotAfter    time.Time
	State       DeviceState
	// RevokedAt and Reason are set when State is DeviceRevoked: the
	// device's revocation, or its organisation's removal (Reason then
	// starts "organisation removed: ").
	RevokedAt time.Time
	Reason    string
}

// OrgDevices is an organisation and its devices.
type OrgDevices struct {
	Org     *crypto.OrgCert
	Devices []DeviceStatus // in the directory's order
}

// ListDevices audits the relay's log and lists the organisation's devices
// as its directory holds them, at now. An organisation not in the
// directory wraps ErrUnknownOrg; a removed one is listed with every device
// revoked.
func ListDevices(ctx context.Context, dir, relayURL string, org crypto.OrgID, now time.Time) (*OrgDevices, error) {
	rep, _, err := Audit(ctx, dir, relayURL, "")
	if err != nil {
		return nil, err
	}
	o, err := rep.Directory.Org(org)
	if err != nil {
		return nil, markf(ErrUnknownOrg, "organisation %s is not in the relay's directory: %w", org, err)
	}
	out := &OrgDevices{Org: o.Cert, Devices: []DeviceStatus{}}
	for _, e := range rep.Directory.Devices(org) {
		d := DeviceStatus{ID: e.Cert.Device, Name: e.Cert.Name, Fingerprint: crypto.DeviceFingerprint(e.Cert.SigningKey),
			CurrentKey: e.Recipient, KeySeq: e.KeySeq, NotAfter: e.Cert.NotAfter, State: DeviceCurrent}
		switch {
		case e.Revoked != nil:
			d.State, d.RevokedAt, d.Reason = DeviceRevoked, e.Revoked.RevokedAt, e.Revoked.Reason
		case o.Revoked != nil:
			d.State, d.RevokedAt, d.Reason = DeviceRevoked, o.Revoked.RevokedAt, "organisation removed: "+o.Revoked.Reason
		case now.After(e.Cert.NotAfter):
			d.State = DeviceExpired
		}
		out.Devices = append(out.Devices, d)
	}
	return out, nil
}
