package devicecore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/admin"
	"github.com/saferef/saferef/internal/desktop"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/internal/relaytest"
)

// TestApproveAndRevokeThroughTheCore: the admin's own device, opened
// through Homes, approves a colleague's real enrolment request against a
// real relay with the admin key folder, then revokes it.
func TestApproveAndRevokeThroughTheCore(t *testing.T) {
	ctx := context.Background()
	adminDir := filepath.Join(t.TempDir(), "admin")
	const rootPass, adminPass, devPass = "root passphrase", "admin passphrase", "device passphrase"
	s, roots, err := admin.CreateScheme(adminDir, "test", 1, 1, admin.Static(rootPass), 10)
	if err != nil {
		t.Fatal(err)
	}
	url := relaytest.Start(t, s)
	o, err := admin.AddOrg(adminDir, s, roots, "Harbour Refuge", crypto.KindProvider, nil, adminPass, 10, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	enrol := func(name string) *hometest.Home {
		return hometest.Enrol(t, client.EnrolOptions{SchemeFile: admin.SchemePath(adminDir), Relay: url, Org: o.Cert.Org,
			Name: name, Passphrase: devPass, Offline: true})
	}
	// The admin's own device is approved the saferef-admin way.
	mine := enrol("Admin laptop")
	cert, _, err := admin.CertifyDevice(mine.Request, o.Cert, o.Admin, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Publish(ctx, adminDir, url, o.CertBytes, cert); err != nil {
		t.Fatal(err)
	}
	core, err := Homes{}.Open(ctx, mine.Path, devPass)
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	if _, err := core.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	theirs := enrol("Front desk")
	if _, err := core.ApproveRequest(ctx, adminDir, theirs.RequestPath, "11111 22222", adminPass); !errors.Is(err, desktop.ErrFingerprintMismatch) {
		t.Fatalf("wrong fingerprint: %v", err)
	}
	if _, err := core.ApproveRequest(ctx, adminDir, theirs.RequestPath, theirs.Fingerprint, "wrong"); !errors.Is(err, desktop.ErrAdminWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, err := core.ApproveRequest(ctx, t.TempDir(), theirs.RequestPath, theirs.Fingerprint, adminPass); !errors.Is(err, desktop.ErrAdminKeyMissing) {
		t.Fatalf("empty folder: %v", err)
	}
	info, err := core.ApproveRequest(ctx, adminDir, theirs.RequestPath, theirs.Fingerprint, adminPass)
	if err != nil {
		t.Fatal(err)
	}
	if info.Device != theirs.Device || info.Name != "Front desk" {
		t.Fatalf("approved %+v", info)
	}
	if _, err := core.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	status := func(id crypto.DeviceID) (desktop.DeviceStatus, bool) {
		for _, d := range core.Devices() {
			if d.ID == id {
				return d.Status, true
			}
		}
		return 0, false
	}
	if st, ok := status(theirs.Device); !ok || st != desktop.DeviceCurrent {
		t.Fatalf("approved device: listed %v, status %v", ok, st)
	}

	if err := core.RevokeDevice(ctx, adminDir, mine.Device, "x", adminPass); err == nil {
		t.Fatal("the device revoked itself")
	}
	if err := core.RevokeDevice(ctx, adminDir, theirs.Device, "left the organisation", "wrong"); !errors.Is(err, desktop.ErrAdminWrongPassphrase) {
		t.Fatalf("revoke, wrong passphrase: %v", err)
	}
	if err := core.RevokeDevice(ctx, adminDir, theirs.Device, "left the organisation", adminPass); err != nil {
		t.Fatal(err)
	}
	if _, err := core.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := status(theirs.Device); st != desktop.DeviceRevoked {
		t.Fatalf("revoked device status %v", st)
	}
	od, err := admin.ListDevices(ctx, adminDir, url, o.Cert.Org, time.Now())
	if err != nil || len(od.Devices) != 2 {
		t.Fatalf("list: %v", err)
	}
	for _, d := range od.Devices {
		if d.ID == theirs.Device && (d.State != admin.DeviceRevoked || d.Reason != "left the organisation") {
			t.Fatalf("relay's directory: %+v", d)
		}
	}
}
