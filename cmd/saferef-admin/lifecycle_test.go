package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/client/enrolment"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/admin"
	"github.com/saferef/saferef/internal/relaytest"
)

// adminScheme is an admin folder with a one-root scheme (its keys under
// testVars' passphrase), a relay for it and one published landlord.
type adminScheme struct {
	dir    string
	scheme *crypto.Scheme
	relay  *relaytest.Relay
	org    crypto.OrgID // Weald Homes, Maidstone
}

// newAdminScheme creates an adminScheme whose relay runs with opt.
func newAdminScheme(t *testing.T, opt relaytest.Options) *adminScheme {
	t.Helper()
	dir := t.TempDir()
	pass := testVars["SAFEREF_PASSPHRASE"]
	s, roots, err := admin.CreateScheme(dir, "test", 1, 1, admin.Static(pass), 10)
	if err != nil {
		t.Fatal(err)
	}
	r := relaytest.RunWith(t, s, opt)
	o, err := admin.AddOrg(dir, s, roots, "Weald Homes", crypto.KindLandlord, []string{"Maidstone"}, pass, 10, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Publish(context.Background(), dir, r.URL, o.CertBytes); err != nil {
		t.Fatal(err)
	}
	return &adminScheme{dir: dir, scheme: s, relay: r, org: o.Cert.Org}
}

// approveNew makes a device request for org and approves it with the CLI.
func approveNew(t *testing.T, dir, url string, org crypto.OrgID, name string) crypto.DeviceID {
	t.Helper()
	secrets, err := crypto.GenerateDeviceSecrets(nil, org, name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, err := enrolment.New(secrets, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "request.json")
	if err := admin.WriteNew(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, testVars, "device", "approve", "--dir", dir, "--relay", url, "--fingerprint", req.Fingerprint(), path); code != 0 {
		t.Fatalf("approve: %s", errOut)
	}
	return secrets.Device
}

func listDevices(t *testing.T, dir, url string, org crypto.OrgID) []deviceInfo {
	t.Helper()
	code, out, errOut := runCLI(t, testVars, "device", "list", "--dir", dir, "--relay", url, "--org", org.String(), "--json")
	if code != 0 {
		t.Fatalf("device list: exit %d: %s", code, errOut)
	}
	var list []deviceInfo
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("device list json: %v: %s", err, out)
	}
	return list
}

// TestDeviceLifecycleCommands: device list, device revoke, org
// rotate-admin, org remove, log verify and log show against a real relay.
func TestDeviceLifecycleCommands(t *testing.T) {
	a := newAdminScheme(t, relaytest.Options{})
	dir, url := a.dir, a.relay.URL
	org := a.org
	laptop := approveNew(t, dir, url, org, "Priya's laptop")
	desk := approveNew(t, dir, url, org, "Front desk")

	list := listDevices(t, dir, url, org)
	if len(list) != 2 || list[0].Name != "Front desk" || list[1].ID != laptop.String() ||
		list[1].Status != "current" || !strings.HasPrefix(list[1].CurrentKey, "age1pq1") || list[1].Fingerprint == "" {
		t.Fatalf("device list = %+v", list)
	}
	code, out, _ := runCLI(t, testVars, "device", "list", "--dir", dir, "--relay", url, "--org", org.String())
	if code != 0 || !strings.Contains(out, "...") || !strings.HasSuffix(out, "2 devices\n") {
		t.Fatalf("text list: %d %q", code, out)
	}

	// Lost laptop: revoke it, dated back.
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	code, out, errOut := runCLI(t, testVars, "device", "revoke", "--dir", dir, "--relay", url,
		"--reason", "laptop lost", "--at", at.Format(time.RFC3339), laptop.String())
	if code != 0 || !strings.HasSuffix(out, laptop.String()+"\n") {
		t.Fatalf("revoke: %d %s %s", code, out, errOut)
	}
	list = listDevices(t, dir, url, org)
	if list[1].Status != "revoked" || list[1].Reason != "laptop lost" || list[1].RevokedAt != at.Format(time.RFC3339) || list[0].Status != "current" {
		t.Fatalf("after revoke: %+v", list)
	}
	if code, _, _ := runCLI(t, testVars, "device", "revoke", "--dir", dir, "--relay", url, "nonsense"); code != 2 {
		t.Fatalf("bad id: exit %d", code)
	}

	// The admin key is replaced; the new key approves, the old devices stay.
	code, out, errOut = runCLI(t, testVars, "org", "rotate-admin", "--dir", dir, "--relay", url, org.String())
	if code != 0 || !strings.Contains(out, "organisation fingerprint:") {
		t.Fatalf("rotate-admin: %d %s %s", code, out, errOut)
	}
	newcomer := approveNew(t, dir, url, org, "Newcomer")
	list = listDevices(t, dir, url, org)
	if len(list) != 3 {
		t.Fatalf("after rotate-admin: %+v", list)
	}
	if matches, _ := filepath.Glob(admin.AdminKeyPath(dir, org) + ".retired-*"); len(matches) != 1 {
		t.Fatalf("old admin key not kept: %v", matches)
	}

	code, out, errOut = runCLI(t, testVars, "log", "verify", "--dir", dir, "--relay", url)
	if code != 0 || !strings.Contains(out, "entries: 6, failed: 0") || !strings.HasSuffix(out, "log ok\n") {
		t.Fatalf("log verify: %d %s %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, testVars, "log", "show", "--dir", dir, "--relay", url, "--device", laptop.String())
	if code != 0 || !strings.Contains(out, "device-cert") || !strings.Contains(out, "laptop lost") || !strings.HasSuffix(out, "2 entries shown of 6; checkpoint "+out[strings.LastIndex(out, "checkpoint ")+11:]) {
		t.Fatalf("log show --device: %d %s", code, out)
	}
	code, out, _ = runCLI(t, testVars, "log", "show", "--dir", dir, "--relay", url, "--org", org.String())
	if code != 0 || !strings.Contains(out, "6 entries shown of 6") || strings.Count(out, "org-cert") != 2 {
		t.Fatalf("log show --org: %d %s", code, out)
	}

	// The organisation leaves the scheme.
	code, out, errOut = runCLI(t, testVars, "org", "remove", "--dir", dir, "--relay", url, "--reason", "left the scheme", org.String())
	if code != 0 || !strings.HasSuffix(out, org.String()+"\n") {
		t.Fatalf("org remove: %d %s %s", code, out, errOut)
	}
	for _, d := range listDevices(t, dir, url, org) {
		if d.Status != "revoked" {
			t.Fatalf("device %s after org remove: %+v", d.Name, d)
		}
	}
	for _, id := range []crypto.DeviceID{desk, newcomer} {
		code, out, _ := runCLI(t, testVars, "log", "show", "--dir", dir, "--relay", url, "--device", id.String())
		if code != 0 || !strings.Contains(out, "1 entries shown") {
			t.Fatalf("log show %s: %s", id, out)
		}
	}
}

// TestRevokeReasonGuarded runs 'device revoke' and 'org remove' with a
// reason that would put a name and a phone number in the public log: both
// refuse before touching the relay or a key, with the finding and a hint.
func TestRevokeReasonGuarded(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"device", "revoke", "--dir", dir, "--relay", "ws://127.0.0.1:1", "--reason", "Jane Smith left, call 07700 900123", strings.Repeat("ab", 16)},
		{"org", "remove", "--dir", dir, "--relay", "ws://127.0.0.1:1", "--reason", "Jane Smith left, call 07700 900123", strings.Repeat("cd", 16)},
	} {
		code, _, errOut := runCLI(t, testVars, args...)
		if code != 1 {
			t.Fatalf("%v: exit %d: %s", args[:2], code, errOut)
		}
		for _, want := range []string{`looks like a UK phone number: "07700 900123"`, `looks like a person's name: "Jane Smith"`, "saferef-admin: hint: give --reason a short phrase"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%v: output lacks %q:\n%s", args[:2], want, errOut)
			}
		}
		if strings.Contains(errOut, "connect to relay") {
			t.Errorf("%v: the relay was contacted before the reason was checked", args[:2])
		}
	}
}
