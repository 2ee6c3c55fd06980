package e2e

import (
	"strings"
	"testing"
)

// TestReferralEndToEnd: a refuge caseworker sends a referral to a landlord;
// the landlord's liaison officer decrypts it, sees it came from the refuge,
// and they exchange a message each way. A landlord the referral was not
// sent to receives nothing.
func TestReferralEndToEnd(t *testing.T) {
	s := newScheme(t)
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync")
	referral := s.referralFile(s.refugeHome, func(r map[string]any) {
		r["reference"] = "KMR-2026-0001"
		r["notes"] = "Needs ground floor or lift; school places for two children needed."
	})
	caseID := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", referral, "--household", s.householdFile(s.refugeHome)))
	if len(caseID) != 32 {
		t.Fatalf("referral send's last line %q is not a case id", caseID)
	}

	if out := cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync"); !strings.Contains(out, "synced: 1 new, 0 rejected") {
		t.Fatalf("landlord sync: %q", out)
	}
	got := showCase(t, wealdPass, s.wealdHome, caseID)
	ref, _ := got["referral"].(map[string]any)
	if ref["reference"] != "KMR-2026-0001" || ref["notes"] != "Needs ground floor or lift; school places for two children needed." {
		t.Fatalf("landlord decrypted referral %v", ref)
	}
	from, _ := got["referral_from"].(map[string]any)
	if from["org_name"] != "Harbour Refuge" || from["org"] != s.refuge || from["device_name"] != "Refuge caseworker laptop" {
		t.Fatalf("referral attributed to %v, want the refuge's verified device", from)
	}

	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "message", "send", "--case", caseID, "--text", "We have a two-bedroom ground-floor flat in Maidstone.")
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync")
	mine := showCase(t, refugePass, s.refugeHome, caseID)
	if !hasMessage(mine, "We have a two-bedroom ground-floor flat in Maidstone.", "Weald Homes") {
		t.Fatalf("refuge did not get the landlord's message: %v", mine["messages"])
	}
	if receipts, _ := mine["receipts"].([]any); len(receipts) == 0 {
		t.Errorf("refuge has no delivery receipt for its referral")
	}

	cli(t, refugePass, "saferef", "--home", s.refugeHome, "message", "send", "--case", caseID, "--text", "Thank you, the household would like a viewing.")
	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync")
	theirs := showCase(t, wealdPass, s.wealdHome, caseID)
	if !hasMessage(theirs, "Thank you, the household would like a viewing.", "Harbour Refuge") {
		t.Fatalf("landlord did not get the refuge's message: %v", theirs["messages"])
	}

	// Medway Valley Housing was not sent the referral.
	if out := cli(t, medwayPass, "saferef", "--home", s.medwayHome, "sync"); !strings.Contains(out, "synced: 0 new, 0 rejected") {
		t.Fatalf("uninvolved landlord sync: %q", out)
	}
	if out := cli(t, medwayPass, "saferef", "--home", s.medwayHome, "cases", "list", "--json"); strings.Contains(out, caseID) {
		t.Fatalf("uninvolved landlord lists the case: %s", out)
	}
}

func hasMessage(c map[string]any, text, orgName string) bool {
	msgs, _ := c["messages"].([]any)
	for _, m := range msgs {
		m, _ := m.(map[string]any)
		from, _ := m["from"].(map[string]any)
		if m["text"] == text && from["org_name"] == orgName {
			return true
		}
	}
	return false
}
