package e2e

import (
	"strings"
	"testing"
)

// TestCLIForCaseworkers is issue 11's CLI part, with the real binaries:
// --case takes the reference code and --to an organisation's name (or the
// start of it); 'cases show' gives each role the stage it should read
// ("approved", not "awaiting-approval" or "circulated"), lists what may
// be done now as commands, and says what a receipt was for; a landlord can
// answer "no suitable home", and the nominator learns only that it
// declined.
func TestCLIForCaseworkers(t *testing.T) {
	w := newWorkflowScheme(t)
	w.syncAll()
	refuge := func(args ...string) string {
		return cli(t, refugePass, "saferef", append([]string{"--home", w.refugeHome}, args...)...)
	}
	weald := func(args ...string) string {
		return cli(t, wealdPass, "saferef", append([]string{"--home", w.wealdHome}, args...)...)
	}
	coast := func(args ...string) string {
		return cli(t, coastPass, "saferef", append([]string{"--home", w.coastHome}, args...)...)
	}
	const ref = "KMR-2026-0077"
	referral := w.referralFile(w.refugeHome, func(r map[string]any) {
		r["reference"] = ref
		r["current_landlord_org"] = w.coast
		r["current_tenancy"] = "secure (council)"
		r["districts_acceptable"] = []string{"Maidstone", "Medway"}
		r["districts_to_avoid"] = []string{}
	})
	details := payloadFile(t, refugePass, w.refugeHome, []string{"details", "template"}, nil)
	refuge("referral", "send", "--file", referral, "--household", details)
	coast("sync")
	coast("referral", "approve", "--case", strings.ToLower(ref), "--approve", "--lead", "J. Okafor",
		"--no-suitable-home", "--will-give-home-back")
	if out := coast("cases", "show", ref); !strings.Contains(out, "stage:          approved") {
		t.Errorf("current landlord after approving:\n%s", out)
	}
	refuge("sync")
	out := refuge("cases", "show", ref)
	if !strings.Contains(out, "stage:          approved") || strings.Contains(out, "awaiting-approval") {
		t.Errorf("nominator after approval:\n%s", out)
	}
	if !strings.Contains(out, "saferef referral circulate --case "+ref) {
		t.Errorf("allowed now does not give the command:\n%s", out)
	}
	if list := refuge("cases", "list", "--org", "thanet"); !strings.Contains(list, ref) || !strings.Contains(list, "approved") {
		t.Errorf("cases list --org thanet:\n%s", list)
	}
	// --to by the start of a name: Weald Homes only.
	refuge("referral", "circulate", "--case", ref, "--to", "weald")
	if n, _ := syncCounts(t, medwayPass, w.medwayHome); n != 0 {
		t.Fatalf("Medway Valley Housing received %d packets; only Weald was named", n)
	}
	if _, errOut, code := tryCLIEnv(nil, refugePass, "saferef", "--home", w.refugeHome, "referral", "circulate", "--case", ref, "--to", "nobody like this"); code == 0 || !strings.Contains(errOut, "no organisation has that name") || !strings.Contains(errOut, "hint:") {
		t.Errorf("unknown name: exit %d, %q", code, errOut)
	}
	// Weald opens the referral and answers "no suitable home".
	weald("sync")
	weald("cases", "read", ref)
	if out := weald("cases", "show", ref); !strings.Contains(out, "saferef offer none --case "+ref) {
		t.Errorf("candidate's allowed commands:\n%s", out)
	}
	weald("offer", "none", "--case", ref)
	if out := weald("cases", "show", ref); !strings.Contains(out, "stage:          declined") || !strings.Contains(out, "allowed now:") {
		t.Errorf("candidate after declining:\n%s", out)
	}
	refuge("sync")
	out = refuge("cases", "show", ref)
	if !strings.Contains(out, "no-suitable-home by") {
		t.Errorf("the nominator is not told of the answer:\n%s", out)
	}
	if !strings.Contains(out, "opened the referral") {
		t.Errorf("receipts do not say what was read:\n%s", out)
	}
}
