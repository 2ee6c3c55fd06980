package admin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/client/enrolment"
	"github.com/saferef/saferef/crypto"
)

// TestApproveListRevoke approves, lists and revokes a device against a
// real relay, with the refusals callers branch on.
func TestApproveListRevoke(t *testing.T) {
	ctx := context.Background()
	ts := newTestScheme(t)
	org := ts.org.Cert.Org
	req := newRequest(t, org, "Priya's laptop")

	if _, err := ApproveDevice(ctx, ts.dir, ts.url, req, "00000 00000", Static(adminPass)); !errors.Is(err, ErrFingerprintMismatch) ||
		!strings.HasPrefix(err.Error(), "fingerprint mismatch: the request has ") {
		t.Fatalf("wrong fingerprint: %v", err)
	}
	if _, err := ApproveDevice(ctx, ts.dir, ts.url, req, req.Fingerprint(), Static("wrong")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, err := ApproveDevice(ctx, ts.dir, "ws://127.0.0.1:1", req, "", Static(adminPass)); !errors.Is(err, ErrRelay) {
		t.Fatalf("relay down: %v", err)
	}
	var asked []string
	ask := func(what string) (string, error) { asked = append(asked, what); return adminPass, nil }
	spaced := strings.ReplaceAll(req.Fingerprint(), " ", "  ")
	dc, err := ApproveDevice(ctx, ts.dir, ts.url, req, spaced, ask)
	if err != nil {
		t.Fatal(err)
	}
	if dc.Device != req.Device || dc.Org != org || len(asked) != 1 || asked[0] != "the admin key of Weald Homes" {
		t.Fatalf("approved %+v, asked %q", dc, asked)
	}

	od, err := ListDevices(ctx, ts.dir, ts.url, org, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if od.Org.Name != "Weald Homes" || len(od.Devices) != 1 || od.Devices[0].ID != req.Device ||
		od.Devices[0].State != DeviceCurrent || od.Devices[0].Fingerprint != req.Fingerprint() || !strings.HasPrefix(od.Devices[0].CurrentKey, "age1") {
		t.Fatalf("list: %+v", od.Devices)
	}
	if od, err := ListDevices(ctx, ts.dir, ts.url, org, time.Now().Add(3*365*24*time.Hour)); err != nil || od.Devices[0].State != DeviceExpired {
		t.Fatalf("list in three years: %+v %v", od, err)
	}
	if _, err := ListDevices(ctx, ts.dir, ts.url, crypto.OrgID{1}, time.Now()); !errors.Is(err, ErrUnknownOrg) {
		t.Fatalf("unknown org: %v", err)
	}

	if _, err := RevokeDevice(ctx, ts.dir, ts.url, req.Device, "lost", time.Now().Add(time.Hour), Static(adminPass)); !errors.Is(err, ErrFutureRevocation) {
		t.Fatalf("future revocation: %v", err)
	}
	if _, err := RevokeDevice(ctx, ts.dir, ts.url, crypto.DeviceID{9}, "lost", time.Time{}, Static(adminPass)); !errors.Is(err, ErrUnknownDevice) {
		t.Fatalf("unknown device: %v", err)
	}
	if _, err := RevokeDevice(ctx, ts.dir, ts.url, req.Device, "lost", time.Time{}, Static("wrong")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("revoke, wrong passphrase: %v", err)
	}
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	r, err := RevokeDevice(ctx, ts.dir, ts.url, req.Device, "laptop lost", at, Static(adminPass))
	if err != nil {
		t.Fatal(err)
	}
	if r.Already || r.Name != "Priya's laptop" || r.OrgName != "Weald Homes" || !r.At.Equal(at) {
		t.Fatalf("revocation %+v", r)
	}
	r, err = RevokeDevice(ctx, ts.dir, ts.url, req.Device, "again", time.Time{}, Static("not asked"))
	if err != nil || !r.Already || r.Reason != "laptop lost" {
		t.Fatalf("second revocation: %+v %v", r, err)
	}
	od, err = ListDevices(ctx, ts.dir, ts.url, org, time.Now())
	if err != nil || od.Devices[0].State != DeviceRevoked || od.Devices[0].Reason != "laptop lost" || !od.Devices[0].RevokedAt.Equal(at) {
		t.Fatalf("after revoke: %+v %v", od, err)
	}
}

// TestCertifyDevice signs a device certificate with the admin key read
// back from its vault, and refuses a key that is not the organisation's.
func TestCertifyDevice(t *testing.T) {
	dir := t.TempDir()
	s, roots, err := CreateScheme(dir, "test", 1, 1, Static("root pass"), testWF)
	if err != nil {
		t.Fatal(err)
	}
	o, err := AddOrg(dir, s, roots, "Weald Homes", crypto.KindLandlord, []string{"Maidstone"}, "admin pass", testWF, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(OrgCertPath(dir, o.Cert.Org))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.VerifyOrgCert(saved, time.Now())
	if err != nil || got.Name != "Weald Homes" {
		t.Fatalf("read org cert: %v %v", got, err)
	}
	key, org, err := ReadKey(AdminKeyPath(dir, o.Cert.Org), AdminKeyType, "admin pass")
	if err != nil || org != o.Cert.Org.String() || !key.Equal(o.Admin) {
		t.Fatalf("read admin key: %v", err)
	}
	if _, _, err := ReadKey(AdminKeyPath(dir, o.Cert.Org), RootKeyType, "admin pass"); err == nil {
		t.Fatal("admin key read as a root key")
	}
	if _, _, err := ReadKey(AdminKeyPath(dir, o.Cert.Org), AdminKeyType, "wrong"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}

	req := newRequest(t, o.Cert.Org, "Weald officer")
	b, dc, err := CertifyDevice(req, got, key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	later, err := crypto.VerifyDeviceCert(b, got, time.Now().Add(700*24*time.Hour))
	if err != nil || later.Device != req.Device || dc.Device != req.Device {
		t.Fatalf("device cert: %v", err)
	}
	if _, err := crypto.VerifyDeviceCert(b, got, time.Now().Add(DeviceCertLifetime+time.Hour)); err == nil {
		t.Fatal("device cert valid past its lifetime")
	}
	other, _ := crypto.GenerateSigningKey(nil)
	if _, _, err := CertifyDevice(req, got, other, time.Now()); err == nil {
		t.Fatal("approved with a key that is not the organisation's admin key")
	}
}

func TestReadEnrolmentRequest(t *testing.T) {
	req := newRequest(t, crypto.OrgID{1}, "Front desk")
	b, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "enrolment-request.json")
	if err := WriteNew(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadEnrolmentRequest(path)
	if err != nil || got.Device != req.Device || got.Fingerprint() != req.Fingerprint() {
		t.Fatalf("read request: %v", err)
	}
	if err := WriteNew(path, b, 0o600); !errors.Is(err, os.ErrExist) {
		t.Fatalf("WriteNew over an existing file: %v", err)
	}
	os.WriteFile(path, []byte(strings.Replace(string(b), "Front desk", "Back desk", 1)), 0o600)
	if _, err := ReadEnrolmentRequest(path); !errors.Is(err, enrolment.ErrBadRequest) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Fatalf("tampered request: %v", err)
	}
	if _, err := ReadEnrolmentRequest(path + ".missing"); err == nil || !strings.HasPrefix(err.Error(), "read enrolment request: ") {
		t.Fatalf("missing request: %v", err)
	}
}

func TestSameFingerprint(t *testing.T) {
	if !SameFingerprint("12345 67890", " 1234567890 ") || SameFingerprint("12345", "12346") || SameFingerprint("", "1") {
		t.Fatal("SameFingerprint")
	}
}
