package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 12: nothing lost and nothing silent under faults, with the real
// binaries.

// TestFastClockEndToEnd (item 1): a message sealed by a computer whose
// clock is two hours fast is refused by the landlord, who says so with a
// signed rejection receipt ("not accepted by Weald Homes: ..."); one
// written offline with the fast clock is not sent at the next sync, and
// the case says so.
func TestFastClockEndToEnd(t *testing.T) {
	s := newScheme(t)
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync")
	caseID := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", s.referralFile(s.refugeHome, nil), "--household", s.householdFile(s.refugeHome)))
	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync")
	fast := []string{"SAFEREF_NOW=" + time.Now().Add(2*time.Hour).UTC().Format(time.RFC3339)}

	// Online: accepted by the relay, refused by the landlord, and the
	// refuge is told.
	if _, errOut, code := tryCLIEnv(fast, refugePass, "saferef", "--home", s.refugeHome, "message", "send", "--case", caseID, "--text", "Sent with a fast clock."); code != 0 {
		t.Fatalf("send with a fast clock: exit %d\n%s", code, errOut)
	}
	if _, rejected := syncCounts(t, wealdPass, s.wealdHome); rejected != 1 {
		t.Fatalf("landlord rejected %d, want 1", rejected)
	}
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync")
	show := cli(t, refugePass, "saferef", "--home", s.refugeHome, "cases", "show", caseID)
	if !strings.Contains(show, "not accepted by Weald Homes: it was dated in the future") {
		t.Fatalf("the refuge's case does not show the rejection:\n%s", show)
	}

	// Offline: queued with the fast clock, not sent once it is right.
	s.relay.stop(syscall.SIGTERM)
	if _, errOut, code := tryCLIEnv(fast, refugePass, "saferef", "--home", s.refugeHome, "message", "send", "--case", caseID, "--text", "Written offline with a fast clock."); code != 1 || !strings.Contains(errOut, "queued") {
		t.Fatalf("offline send: exit %d\n%s", code, errOut)
	}
	s.relay = startRelay(t, s.relayData, filepath.Join(s.dir, "scheme.json"), s.relayLn)
	_, errOut, code := tryCLIEnv(nil, refugePass, "saferef", "--home", s.refugeHome, "sync")
	if code != 0 || !strings.Contains(errOut, "not sent: it was written while this computer's clock was about 2h0m0s ahead") {
		t.Fatalf("sync after the clock was put right: exit %d\n%s", code, errOut)
	}
	show = cli(t, refugePass, "saferef", "--home", s.refugeHome, "cases", "show", caseID)
	if !strings.Contains(show, "not sent: it was written while this computer's clock was wrong") {
		t.Fatalf("the case does not show the message as not sent:\n%s", show)
	}
	if fresh, _ := syncCounts(t, wealdPass, s.wealdHome); fresh != 0 {
		t.Fatalf("the landlord received %d envelopes, want none", fresh)
	}
}

// TestEmptyStoreEndToEnd (item 2): a relay whose relay.db was deleted
// refuses to start, saying why; told --accept-empty-store it starts, and a
// device reports the rollback instead of asking to be approved again.
func TestEmptyStoreEndToEnd(t *testing.T) {
	s := newScheme(t)
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync")
	s.relay.stop(syscall.SIGTERM)
	for _, f := range []string{"relay.db", "relay.db-wal", "relay.db-shm"} {
		os.Remove(filepath.Join(s.relayData, f))
	}
	scheme := filepath.Join(s.dir, "scheme.json")
	_, errOut, err := tryCLI("", "saferef-server", "--data", s.relayData, "--listen", s.relayLn, "--scheme", scheme)
	if err == nil || !strings.Contains(errOut, "the store is older than the relay's own log") || !strings.Contains(errOut, "hint: restore the store from your latest backup") {
		t.Fatalf("relay on an empty store: %v\n%s", err, errOut)
	}
	s.relay = startRelay(t, s.relayData, scheme, s.relayLn, "--accept-empty-store")
	_, errOut, code := tryCLIEnv(nil, refugePass, "saferef", "--home", s.refugeHome, "sync")
	if code != 1 || !strings.Contains(errOut, "gone back to an older state") || strings.Contains(errOut, "approve this device") {
		t.Fatalf("sync against the emptied relay: exit %d\n%s", code, errOut)
	}
	if out := cli(t, refugePass, "saferef", "--home", s.refugeHome, "alerts"); !strings.Contains(out, "gone back to an older state") {
		t.Fatalf("no rollback alert:\n%s", out)
	}
}

// TestReceiptBacklogEndToEnd (item 3): after a backlog larger than the
// relay's send burst, the landlord's syncs never fail for the receipts it
// owes, and a new message shows at the next sync.
func TestReceiptBacklogEndToEnd(t *testing.T) {
	s := newScheme(t)
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync")
	caseID := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", s.referralFile(s.refugeHome, nil), "--household", s.householdFile(s.refugeHome)))
	const backlog = 12
	for range backlog {
		cli(t, refugePass, "saferef", "--home", s.refugeHome, "message", "send", "--case", caseID, "--text", "Any news?")
	}
	s.relay.stop(syscall.SIGTERM)
	s.relay = startRelay(t, s.relayData, filepath.Join(s.dir, "scheme.json"), s.relayLn, "--send-burst", "3", "--send-rate", "0.001")
	if fresh, _ := syncCounts(t, wealdPass, s.wealdHome); fresh != backlog+1 {
		t.Fatalf("backlog sync got %d new, want %d", fresh, backlog+1)
	}
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "message", "send", "--case", caseID, "--text", "A flat is free in Maidstone.")
	if fresh, _ := syncCounts(t, wealdPass, s.wealdHome); fresh != 1 {
		t.Fatalf("the new message did not show: %d new", fresh)
	}
}

// TestRelaySetEndToEnd (item 10): the relay's store and log key are served
// at a new address; devices move there with 'saferef relay set URL'
// (checked by a consistency proof) and carry on. A relay of another scheme
// is refused, and the device keeps its relay.
func TestRelaySetEndToEnd(t *testing.T) {
	s := newScheme(t)
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync")
	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync")
	caseID := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", s.referralFile(s.refugeHome, nil), "--household", s.householdFile(s.refugeHome)))

	other := newScheme(t)
	_, errOut, code := tryCLIEnv(nil, refugePass, "saferef", "--home", s.refugeHome, "relay", "set", other.relay.url)
	if code != 1 || !strings.Contains(errOut, "does not serve the same log") || !strings.Contains(errOut, "still uses its old relay") {
		t.Fatalf("relay set to another scheme's relay: exit %d\n%s", code, errOut)
	}

	// The relay moves to a new address (a replacement machine, a new
	// name): the same store and log key, served elsewhere. (Two nodes
	// serving at once share a PostgreSQL store: docs/ADMIN.md.)
	s.relay.stop(syscall.SIGKILL)
	node2 := startRelay(t, s.relayData, filepath.Join(s.dir, "scheme.json"), freePort(t))
	for _, d := range []struct{ pass, home string }{{refugePass, s.refugeHome}, {wealdPass, s.wealdHome}} {
		if out := cli(t, d.pass, "saferef", "--home", d.home, "relay", "set", node2.url); lastLine(out) != "relay set: "+node2.url {
			t.Fatalf("relay set: %q", out)
		}
	}
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "message", "send", "--case", caseID, "--text", "Sent through the second node.")
	if fresh, _ := syncCounts(t, wealdPass, s.wealdHome); fresh != 2 {
		t.Fatalf("landlord on the second node got %d new, want 2", fresh)
	}
	if !hasMessage(showCase(t, wealdPass, s.wealdHome, caseID), "Sent through the second node.", "Harbour Refuge") {
		t.Fatal("message through the second node not shown")
	}
}
