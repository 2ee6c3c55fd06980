package admin

import (
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
)

func TestCheckOrg(t *testing.T) {
	for _, c := range []struct {
		name, kind string
		districts  []string
		want       error
	}{
		{"Weald Homes", "landlord", nil, ErrNoDistrict},
		{"Weald Homes", "landlord", []string{"Maidstone", "Narnia"}, ErrUnknownDistrict},
		{"X", "bank", nil, ErrUnknownKind},
		{" ", "provider", nil, ErrBadOrgName},
		{strings.Repeat("x", maxOrgName+1), "provider", nil, ErrBadOrgName},
	} {
		if _, _, err := CheckOrg(c.name, c.kind, c.districts); !errors.Is(err, c.want) {
			t.Errorf("CheckOrg(%q, %q, %q) = %v, want %v", c.name, c.kind, c.districts, err, c.want)
		}
	}
	if _, _, err := CheckOrg("X", "bank", nil); err.Error() != `unknown organisation kind "bank"` {
		t.Errorf("message %q", err)
	}
	k, ds, err := CheckOrg("Weald Homes", "landlord", []string{"Maidstone", "Sevenoaks", "Maidstone"})
	if err != nil || k != crypto.KindLandlord || len(ds) != 2 {
		t.Errorf("good landlord: %v %v %v", k, ds, err)
	}
}

func TestCreateSchemeAndUnlockRoots(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "scheme")
	var asked []string
	pass := func(what string) (string, error) { asked = append(asked, what); return rootPass, nil }
	s, _, err := CreateScheme(dir, "test", 3, 2, pass, testWF)
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 3 || asked[0] != "root key 1 ("+RootKeyPath(dir, 1)+")" {
		t.Fatalf("asked %q", asked)
	}
	read, err := ReadScheme(dir)
	if err != nil || read.Fingerprint() != s.Fingerprint() || read.Threshold != 2 {
		t.Fatalf("read scheme: %v", err)
	}
	if _, _, err := CreateScheme(dir, "again", 1, 1, Static(rootPass), testWF); !errors.Is(err, ErrExists) {
		t.Fatalf("second scheme: %v", err)
	}
	var bad *BadRootsError
	if _, _, err := CreateScheme(dir+"2", "x", 1, 2, Static(rootPass), testWF); !errors.As(err, &bad) || bad.K != 2 {
		t.Fatalf("threshold above roots: %v", err)
	}
	roots, err := UnlockRoots(dir, s, Static(rootPass))
	if err != nil || len(roots) != 2 {
		t.Fatalf("unlock: %d %v", len(roots), err)
	}
	if _, err := UnlockRoots(dir, s, Static("wrong")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	os.Remove(RootKeyPath(dir, 2))
	os.Remove(RootKeyPath(dir, 3))
	if _, err := UnlockRoots(dir, s, Static(rootPass)); !errors.Is(err, crypto.ErrBelowThreshold) {
		t.Fatalf("one root of two: %v", err)
	}
}

// TestOrgLifecycle: retention, admin key rotation by the admin and by the
// roots, and removal, against a real relay.
func TestOrgLifecycle(t *testing.T) {
	ctx := context.Background()
	ts := newTestScheme(t)
	org := ts.org.Cert.Org
	req := newRequest(t, org, "Front desk")
	if _, err := ApproveDevice(ctx, ts.dir, ts.url, req, "", Static(adminPass)); err != nil {
		t.Fatal(err)
	}
	if _, err := SetRetention(ctx, ts.dir, ts.url, org, 0, Static(adminPass)); !errors.Is(err, ErrBadRetention) {
		t.Fatalf("0 days: %v", err)
	}
	if err := CheckRetention(MaxRetentionDays + 1); !errors.Is(err, ErrBadRetention) {
		t.Fatalf("too long: %v", err)
	}
	for want := uint64(1); want <= 2; want++ {
		p, err := SetRetention(ctx, ts.dir, ts.url, org, 90, Static(adminPass))
		if err != nil || p.Seq != want || p.Org.Name != "Weald Homes" {
			t.Fatalf("retention %d: %+v %v", want, p, err)
		}
	}

	var asked []string
	newPass := func(what string) (string, error) { asked = append(asked, what); return "new admin pass", nil }
	c, err := RotateAdmin(ctx, ts.dir, ts.url, org, RotateAdminOptions{ByAdmin: true, AdminPassphrase: Static(adminPass), NewPassphrase: newPass, WorkFactor: testWF})
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0] != "the new admin key of Weald Homes" || !c.NotAfter.Equal(ts.org.Cert.NotAfter) {
		t.Fatalf("by admin: asked %q, not after %v", asked, c.NotAfter)
	}
	if _, _, err := ReadKey(AdminKeyPath(ts.dir, org), AdminKeyType, "new admin pass"); err != nil {
		t.Fatalf("new admin key: %v", err)
	}
	if m, _ := filepath.Glob(AdminKeyPath(ts.dir, org) + ".retired-*"); len(m) != 1 {
		t.Fatalf("retired keys %q", m)
	}
	// The old key no longer approves; the new one does.
	if _, err := ApproveDevice(ctx, ts.dir, ts.url, newRequest(t, org, "Newcomer"), "", Static(adminPass)); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase: %v", err)
	}
	if _, err := ApproveDevice(ctx, ts.dir, ts.url, newRequest(t, org, "Newcomer"), "", Static("new admin pass")); err != nil {
		t.Fatal(err)
	}
	roots := func(s *crypto.Scheme) ([]ed25519.PrivateKey, error) { return UnlockRoots(ts.dir, s, Static(rootPass)) }
	c, err = RotateAdmin(ctx, ts.dir, ts.url, org, RotateAdminOptions{Roots: roots, NewPassphrase: Static(adminPass), WorkFactor: testWF})
	if err != nil || !c.NotAfter.After(ts.org.Cert.NotAfter) {
		t.Fatalf("by the roots: %v", err)
	}

	if _, err := RemoveOrg(ctx, ts.dir, ts.url, crypto.OrgID{7}, "x", roots); !errors.Is(err, ErrUnknownOrg) {
		t.Fatalf("remove unknown: %v", err)
	}
	r, err := RemoveOrg(ctx, ts.dir, ts.url, org, "left the scheme", roots)
	if err != nil || r.Devices != 2 || r.Org.Name != "Weald Homes" {
		t.Fatalf("remove: %+v %v", r, err)
	}
	od, err := ListDevices(ctx, ts.dir, ts.url, org, time.Now())
	if err != nil || od.Devices[0].State != DeviceRevoked || od.Devices[0].Reason != "organisation removed: left the scheme" {
		t.Fatalf("after removal: %+v %v", od, err)
	}
	if _, err := ApproveDevice(ctx, ts.dir, ts.url, newRequest(t, org, "Late"), "", Static(adminPass)); !errors.Is(err, crypto.ErrRevoked) {
		t.Fatalf("approve after removal: %v", err)
	}
	rep, _, err := Audit(ctx, ts.dir, ts.url, "")
	if err != nil || !rep.OK() || len(rep.Entries) != 8 {
		t.Fatalf("audit: %d entries, %v", len(rep.Entries), err)
	}
}

// TestRotateRoots rotates the roots; the retired scheme file no longer
// matches the log.
func TestRotateRoots(t *testing.T) {
	ctx := context.Background()
	ts := newTestScheme(t)
	roots := func(s *crypto.Scheme) ([]ed25519.PrivateKey, error) { return UnlockRoots(ts.dir, s, Static(rootPass)) }
	var bad *BadRootsError
	if _, err := RotateRoots(ctx, ts.dir, ts.url, RotateRootsOptions{N: crypto.MaxRoots + 1, Roots: roots, NewPassphrase: Static(rootPass), WorkFactor: testWF}); !errors.As(err, &bad) || bad.Threshold != 1 {
		t.Fatalf("too many roots: %v", err)
	}
	r, err := RotateRoots(ctx, ts.dir, ts.url, RotateRootsOptions{N: 3, K: 2, Roots: roots, NewPassphrase: Static(rootPass), WorkFactor: testWF})
	if err != nil {
		t.Fatal(err)
	}
	if r.Seq != 1 || len(r.Next.Roots) != 3 || r.Next.Threshold != 2 || r.Previous.Fingerprint() != ts.scheme.Fingerprint() {
		t.Fatalf("rotation %+v", r)
	}
	now, err := ReadScheme(ts.dir)
	if err != nil || now.Fingerprint() != r.Next.Fingerprint() {
		t.Fatalf("new scheme.json: %v", err)
	}
	if _, err := os.Stat(RootKeyPath(r.Retired, 1)); err != nil {
		t.Fatalf("old root not retired: %v", err)
	}
	oldDir := r.Retired
	if _, err := RotateRoots(ctx, oldDir, ts.url, RotateRootsOptions{Roots: roots, NewPassphrase: Static(rootPass), WorkFactor: testWF}); !errors.Is(err, ErrSchemeMismatch) {
		t.Fatalf("rotation from the retired scheme: %v", err)
	}
	// A staging directory left behind stops the next rotation.
	os.Mkdir(filepath.Join(ts.dir, "roots-2.new"), 0o700)
	var se *StagingError
	if _, err := RotateRoots(ctx, ts.dir, ts.url, RotateRootsOptions{Roots: roots, NewPassphrase: Static(rootPass), WorkFactor: testWF}); !errors.As(err, &se) || se.Published {
		t.Fatalf("left-over staging: %v", err)
	}
}

func TestMarkedKeepsMessage(t *testing.T) {
	inner := errors.New("inner")
	err := markf(ErrUnknownOrg, "organisation x: %w", inner)
	if err.Error() != "organisation x: inner" || !errors.Is(err, ErrUnknownOrg) || !errors.Is(err, inner) || errors.Is(err, ErrUnknownDevice) {
		t.Fatalf("marked error %v", err)
	}
}
