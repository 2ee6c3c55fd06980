package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saferef/saferef/internal/admin"
	"github.com/saferef/saferef/internal/relaytest"
	"github.com/saferef/saferef/internal/schemetest"
)

// TestRotationCommands: scheme rotate-roots, org rotate-admin --by-admin,
// org rotate-admin by the new roots, org retention and org add after the
// rotation, each against a real relay, with the log verifying throughout.
func TestRotationCommands(t *testing.T) {
	a := newAdminScheme(t, relaytest.Options{})
	dir, url := a.dir, a.relay.URL
	org := a.org
	approveNew(t, dir, url, org, "Priya's laptop")

	code, out, errOut := runCLI(t, testVars, "scheme", "rotate-roots", "--dir", dir, "--relay", url, "--roots", "3", "--threshold", "2")
	if code != 0 {
		t.Fatalf("rotate-roots: %d %s %s", code, out, errOut)
	}
	rotated, err := admin.ReadScheme(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rotated.Roots) != 3 || rotated.Threshold != 2 || len(rotated.History) != 1 ||
		!strings.HasSuffix(out, "scheme fingerprint: "+rotated.Fingerprint()+"\n") ||
		!strings.Contains(out, "existing devices: nothing to do; they keep their scheme.json (fingerprint "+a.scheme.Fingerprint()+")") {
		t.Fatalf("after rotate-roots: %+v\n%s", rotated, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "retired-roots-0", "root-1.key")); err != nil {
		t.Fatalf("old root key not retired: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "root-3.key")); err != nil {
		t.Fatalf("new root key: %v", err)
	}

	// The admin rotates its own key; the new key approves devices.
	code, out, errOut = runCLI(t, testVars, "org", "rotate-admin", "--dir", dir, "--relay", url, "--by-admin", org.String())
	if code != 0 || !strings.Contains(out, "signed by the old admin key") || !strings.HasSuffix(out, org.String()+"\n") {
		t.Fatalf("rotate-admin --by-admin: %d %s %s", code, out, errOut)
	}
	approveNew(t, dir, url, org, "Newcomer")
	// The new roots (2 of 3) can still re-issue.
	code, out, errOut = runCLI(t, testVars, "org", "rotate-admin", "--dir", dir, "--relay", url, org.String())
	if code != 0 || !strings.Contains(out, "signed by the scheme's root keys") {
		t.Fatalf("rotate-admin by the new roots: %d %s %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, testVars, "org", "retention", "--dir", dir, "--relay", url, "--days", "90", org.String())
	if code != 0 || !strings.Contains(out, "retention policy 1 for Weald Homes") {
		t.Fatalf("org retention: %d %s %s", code, out, errOut)
	}
	if code, _, _ := runCLI(t, testVars, "org", "retention", "--dir", dir, "--relay", url, "--days", "0", org.String()); code != 2 {
		t.Fatalf("--days 0: exit %d", code)
	}
	code, out, errOut = runCLI(t, testVars, "org", "add", "--dir", dir, "--relay", url, "--name", "Medway Homes", "--kind", "landlord", "--district", "Maidstone")
	if code != 0 {
		t.Fatalf("org add after the rotation: %d %s %s", code, out, errOut)
	}

	code, out, errOut = runCLI(t, testVars, "log", "verify", "--dir", dir, "--relay", url)
	if code != 0 || !strings.Contains(out, "entries: 8, failed: 0, organisations: 2") {
		t.Fatalf("log verify: %d %s %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, testVars, "log", "show", "--dir", dir, "--relay", url)
	for _, want := range []string{"scheme-update", "scheme roots rotated (update 1); 2 of 3 roots", "admin keys replaced by the organisation's admin", "org-policy", "kept 90 days"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("log show lacks %q: %s", want, out)
		}
	}
	// The original scheme file (an existing device's anchor) audits the same log.
	old := filepath.Join(dir, "retired-roots-0")
	code, out, errOut = runCLI(t, testVars, "log", "verify", "--dir", old, "--relay", url)
	if code != 0 || !strings.HasSuffix(out, "log ok\n") {
		t.Fatalf("log verify from the original scheme: %d %s %s", code, out, errOut)
	}
}

// TestLogVerifyCatchesTamperedRow: someone with the relay's database swaps
// a device certificate for one signed by another key; the relay, restarted,
// signs checkpoints over what it now holds, but 'log verify' names the bad
// entry and exits 1.
func TestLogVerifyCatchesTamperedRow(t *testing.T) {
	a := newAdminScheme(t, relaytest.Options{})
	dir, relay, url := a.dir, a.relay, a.relay.URL
	dev := approveNew(t, dir, url, a.org, "Priya's laptop")
	rep, _, err := admin.Audit(context.Background(), dir, url, "")
	if err != nil {
		t.Fatal(err)
	}
	entry, err := rep.Directory.Device(dev)
	if err != nil {
		t.Fatal(err)
	}
	relay.ReplaceObject(entry.Raw, schemetest.ForgeDeviceCert(t, entry.Cert))

	// The admin directory verified the log before: the rewritten row is a
	// fork of what it saw (DIR/log-state.json).
	code, out, errOut := runCLI(t, testVars, "log", "verify", "--dir", dir, "--relay", url)
	if code != 1 || !strings.Contains(errOut, "split view") {
		t.Fatalf("log verify on a rewritten log after an earlier verify: exit %d\n%s\n%s", code, out, errOut)
	}
	// Without that state, the audit itself finds the forged entry.
	if err := os.Remove(filepath.Join(dir, admin.StateFile)); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, testVars, "log", "verify", "--dir", dir, "--relay", url)
	if code != 1 || !strings.Contains(out, "entries: 2, failed: 1") ||
		!strings.Contains(out, "FAILED entry 1 (device-cert device "+dev.String()) || !strings.Contains(errOut, "1 of 2 entries failed verification") {
		t.Fatalf("log verify on a tampered log: exit %d\n%s\n%s", code, out, errOut)
	}
}
