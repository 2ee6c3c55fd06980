package e2e

import (
	"strings"
	"syscall"
	"testing"
)

const sigterm = syscall.SIGTERM

// TestRelayDurableAcrossKill sends a referral (acknowledged, so durable),
// kills the relay with SIGKILL, restarts it on the same data, and checks
// that the landlord receives the referral exactly once.
func TestRelayDurableAcrossKill(t *testing.T) {
	s := newScheme(t)
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync")
	referral := s.referralFile(s.refugeHome, nil)
	caseID := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", referral, "--household", s.householdFile(s.refugeHome)))

	s.relay.stop(syscall.SIGKILL)
	if s.relay.waitErr == nil {
		t.Fatal("relay exited cleanly on SIGKILL?")
	}
	s.relay = startRelay(t, s.relayData, s.relay.scheme, s.relayLn)

	if out := cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync"); !strings.Contains(out, "synced: 1 new, 0 rejected") {
		t.Fatalf("first sync after the crash: %q", out)
	}
	if out := cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync"); !strings.Contains(out, "synced: 0 new, 0 rejected") {
		t.Fatalf("second sync: %q", out)
	}
	list := cli(t, wealdPass, "saferef", "--home", s.wealdHome, "cases", "list", "--json")
	if strings.Count(list, caseID) != 1 {
		t.Fatalf("case %s listed %d times:\n%s", caseID, strings.Count(list, caseID), list)
	}

	// A graceful stop exits 0 and says so.
	s.relay.stop(syscall.SIGTERM)
	if s.relay.waitErr != nil {
		t.Fatalf("relay exit after SIGTERM: %v\n%s", s.relay.waitErr, s.relay.logs.String())
	}
	if !strings.Contains(s.relay.logs.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop logged:\n%s", s.relay.logs.String())
	}
}
