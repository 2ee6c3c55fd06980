package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupRestoreDrill is the drill in docs/OPERATIONS.md ("Back up",
// "Restore"), with the real binaries: acknowledged sends, an online backup,
// more sends and a directory change, a second backup; then restoring the
// newest snapshot loses nothing, and restoring the older one loses what
// was acknowledged after it and is reported by every device that had seen
// the newer directory as a rollback, exactly as the runbook says.
func TestBackupRestoreDrill(t *testing.T) {
	s := newScheme(t)
	snapshots := t.TempDir()
	older, newest := filepath.Join(snapshots, "relay-older.db"), filepath.Join(snapshots, "relay-newest.db")

	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync")
	first := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", s.referralFile(s.refugeHome, nil), "--household", s.householdFile(s.refugeHome)))

	// Online backup while the relay serves.
	out := cli(t, "", "saferef-server", "backup", "--data", s.relayData, "--out", older)
	if !strings.Contains(out, "backup written to "+older) {
		t.Fatalf("backup: %q", out)
	}

	// More acknowledged sends, and a directory change (a new device).
	second := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", s.referralFile(s.refugeHome, func(r map[string]any) { r["reference"] = "KMR-2026-0302" }), "--household", s.householdFile(s.refugeHome)))
	s.enrol(s.medway, "Medway second laptop", medwayPass)
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync") // the refuge sees the newer directory
	cli(t, "", "saferef-server", "backup", "--data", s.relayData, "--out", newest)

	// check passes on the serving relay's store.
	if out := cli(t, "", "saferef-server", "check", "--data", s.relayData, "--scheme", s.relay.scheme); !strings.Contains(out, "check passed") {
		t.Fatalf("check: %q", out)
	}

	// Restore the newest snapshot: nothing acknowledged is lost, no alert.
	restore := func(from string) {
		t.Helper()
		s.relay.stop(sigterm)
		out := cli(t, "", "saferef-server", "restore", "--data", s.relayData, "--from", from)
		if !strings.Contains(out, "restored "+from) || !strings.Contains(out, "the previous store is kept as") {
			t.Fatalf("restore: %q", out)
		}
		s.relay = startRelay(t, s.relayData, s.relay.scheme, s.relayLn)
	}
	restore(newest)
	if out := cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync"); !strings.Contains(out, "synced: 2 new, 0 rejected") {
		t.Fatalf("landlord's sync after restoring the newest snapshot: %q", out)
	}
	list := cli(t, wealdPass, "saferef", "--home", s.wealdHome, "cases", "list", "--json")
	if !strings.Contains(list, first) || !strings.Contains(list, second) {
		t.Fatalf("landlord lacks a referral after restoring the newest snapshot:\n%s", list)
	}
	if _, errOut, err := tryCLI(refugePass, "saferef", "--home", s.refugeHome, "sync"); err != nil || strings.Contains(errOut, "warning:") {
		t.Fatalf("refuge's sync after restoring the newest snapshot: %v\n%s", err, errOut)
	}

	// Restore the older snapshot: a rollback. The refuge has seen the newer
	// directory: its sync fails with the rollback warning, sending stops,
	// and `saferef alerts` lists it until resolved.
	restore(older)
	_, errOut, err := tryCLI(refugePass, "saferef", "--home", s.refugeHome, "sync")
	if err == nil || !strings.Contains(errOut, "gone back to an older state") {
		t.Fatalf("refuge's sync after restoring an older snapshot: %v\n%s", err, errOut)
	}
	alerts, _, _ := tryCLI(refugePass, "saferef", "--home", s.refugeHome, "alerts")
	if !strings.Contains(alerts, "rollback") && !strings.Contains(alerts, "older state") {
		t.Fatalf("alerts after a rollback: %q", alerts)
	}
	_, errOut, err = tryCLI(refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", s.referralFile(s.refugeHome, func(r map[string]any) { r["reference"] = "KMR-2026-0303" }), "--household", s.householdFile(s.refugeHome))
	if err == nil {
		t.Fatalf("refuge sent after a rollback:\n%s", errOut)
	}
	// The set-aside stores are kept, never deleted.
	kept, _ := filepath.Glob(filepath.Join(s.relayData, "relay.db.before-restore-*"))
	if len(kept) == 0 {
		t.Fatalf("no store kept aside in %s", s.relayData)
	}
	if _, err := os.Stat(filepath.Join(s.relayData, "log-signing.key")); err != nil {
		t.Fatalf("restore touched the log signing key: %v", err)
	}
}
