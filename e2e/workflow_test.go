package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The household of the workflow tests (invented).
var (
	householdNames = []any{"Amira Haddad", "Yusuf Haddad", "Lina Haddad"}
	wealdAddress   = "Flat 2, 31 Quarry Wood Close, Aylesford, ME20 7ZZ"
	medwayAddress  = "7 Lockside Walk, Rochester, ME1 3ZZ"
)

// TestWorkflowEndToEnd is issue 5's must-show: four organisations (a
// refuge, the household's current landlord, two other landlords) and the
// scheme coordinator, over the real relay, driven by the real CLIs. The
// refuge refers; the current landlord approves; the referral circulates to
// the landlords with homes in an acceptable district only; both offer; one
// offer is accepted; the household's details go to the winner only, after
// the readers were shown and confirmed and consent recorded; the other
// landlord is told only "filled"; the household moves in; the case closes;
// the coordinator's balance moves; and the case is shredded once its
// retention period has passed (clock moved with SAFEREF_NOW).
func TestWorkflowEndToEnd(t *testing.T) {
	w := newWorkflowScheme(t)
	w.syncAll()
	refuge := func(args ...string) string {
		return cli(t, refugePass, "saferef", append([]string{"--home", w.refugeHome}, args...)...)
	}
	weald := func(args ...string) string {
		return cli(t, wealdPass, "saferef", append([]string{"--home", w.wealdHome}, args...)...)
	}
	medway := func(args ...string) string {
		return cli(t, medwayPass, "saferef", append([]string{"--home", w.medwayHome}, args...)...)
	}
	coast := func(args ...string) string {
		return cli(t, coastPass, "saferef", append([]string{"--home", w.coastHome}, args...)...)
	}

	// 1. Referral, to the current landlord only, for approval.
	referral := w.referralFile(w.refugeHome, func(r map[string]any) {
		r["reference"] = "KMR-2026-0042"
		r["current_landlord_org"] = w.coast
		r["current_tenancy"] = "secure (council)"
		r["districts_acceptable"] = []string{"Maidstone", "Medway", "Tonbridge and Malling"}
		r["districts_to_avoid"] = []string{"Thanet"}
		r["notes"] = "Needs ground floor or lift; school places for two children needed."
	})
	details := payloadFile(t, refugePass, w.refugeHome, []string{"details", "template"}, nil)
	// A new referral needs the household's details (kept on the device).
	if _, errOut, code := tryCLIEnv(nil, refugePass, "saferef", "--home", w.refugeHome, "referral", "send", "--file", referral); code != 2 ||
		!strings.Contains(errOut, "give --household FILE") || !strings.Contains(errOut, "saferef: hint: 'saferef details template > household.json'") {
		t.Fatalf("referral without --household: exit %d\n%s", code, errOut)
	}
	caseID := lastLine(refuge("referral", "send", "--file", referral, "--household", details))
	if len(caseID) != 32 {
		t.Fatalf("referral send's last line %q is not a case id", caseID)
	}
	wantStage(t, refugePass, w.refugeHome, caseID, "awaiting-approval")
	if n, _ := syncCounts(t, wealdPass, w.wealdHome); n != 0 {
		t.Fatalf("a candidate received %d packets before approval", n)
	}

	// 2. Approval by the current landlord.
	if n, _ := syncCounts(t, coastPass, w.coastHome); n != 1 {
		t.Fatalf("current landlord received %d packets, want the referral", n)
	}
	c := wantStage(t, coastPass, w.coastHome, caseID, "awaiting-approval")
	if c["my_role"] != "current-landlord" || c["waiting_on"] != "approve" {
		t.Fatalf("current landlord: role %v, waiting on %v", c["my_role"], c["waiting_on"])
	}
	coast("referral", "approve", "--case", caseID, "--approve", "--lead", "J. Okafor, lettings manager",
		"--no-suitable-home", "--will-give-home-back")

	// 3. Circulation to the landlords with homes in an acceptable district.
	refuge("sync")
	var cands []map[string]any
	if err := json.Unmarshal([]byte(refuge("referral", "candidates", "--case", caseID, "--json")), &cands); err != nil {
		t.Fatal(err)
	}
	var candIDs []string
	for _, o := range cands {
		candIDs = append(candIDs, o["id"].(string))
	}
	slices.Sort(candIDs)
	wantCands := []string{w.weald, w.medway}
	slices.Sort(wantCands)
	if !slices.Equal(candIDs, wantCands) {
		t.Fatalf("candidates %v, want Weald and Medway %v (not the Thanet landlord %s)", candIDs, wantCands, w.coast)
	}
	refuge("referral", "circulate", "--case", caseID)
	wantStage(t, refugePass, w.refugeHome, caseID, "circulated")
	for _, l := range []struct{ pass, home, org, other string }{{wealdPass, w.wealdHome, w.weald, w.medway}, {medwayPass, w.medwayHome, w.medway, w.weald}} {
		if n, _ := syncCounts(t, l.pass, l.home); n != 1 {
			t.Fatalf("candidate %s received %d packets, want the referral", l.org, n)
		}
		c := wantStage(t, l.pass, l.home, caseID, "circulated")
		if c["my_role"] != "candidate" {
			t.Fatalf("candidate %s has role %v", l.org, c["my_role"])
		}
		if slices.Contains(orgIDsOf(c), l.other) {
			t.Fatalf("candidate %s learns that %s received the referral", l.org, l.other)
		}
	}
	coast("sync")
	for _, o := range orgIDsOf(showCase(t, coastPass, w.coastHome, caseID)) {
		if o == w.weald || o == w.medway {
			t.Fatalf("the current landlord learns candidate %s", o)
		}
	}

	// The disclosure guard on messages, to one organisation (a landlord
	// writes to the nominator only) or to several, as people type them;
	// nothing refused reaches anyone.
	_, errOut := refused(t, wealdPass, "--home", w.wealdHome, "message", "send", "--case", caseID, "--text",
		"Ex-partner Darren Smith lives at 22 Church Street, Gillingham.")
	for _, want := range []string{`looks like a person's name: "Darren Smith"`, `looks like a street address: "22 Church Street"`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("single-organisation message refusal lacks %q:\n%s", want, errOut)
		}
	}
	_, errOut = refused(t, refugePass, "--home", w.refugeHome, "message", "send", "--case", caseID, "--text",
		"The Haddads are on 07700 - 900 - 412, post code ME4-6ZZ.")
	for _, want := range []string{`contains a household member's name: "Haddads"`, `looks like a UK phone number: "07700 - 900 - 412"`, `looks like a UK postcode: "ME4-6ZZ"`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("message to both candidates: refusal lacks %q:\n%s", want, errOut)
		}
	}
	// A landmark is a false positive the caseworker can let through, with
	// a reason; the household's own street never.
	refused(t, refugePass, "--home", w.refugeHome, "message", "send", "--case", caseID, "--text", "Nearest GP: Church Road Surgery.")
	if _, errOut := refused(t, refugePass, "--home", w.refugeHome, "guard", "override", "--case", caseID, "--match", "Orchard Row", "--reason", "a street"); !strings.Contains(errOut, "cannot be overridden") {
		t.Fatalf("override of the household's own street:\n%s", errOut)
	}
	refuge("guard", "override", "--case", caseID, "--match", "Church Road", "--reason", "a GP surgery, not the household's address")
	refuge("message", "send", "--case", caseID, "--text", "Nearest GP: Church Road Surgery.")
	if out := refuge("cases", "show", caseID); !strings.Contains(out, `guard-override`) || !strings.Contains(out, `let through "Church Road"`) {
		t.Fatalf("the override is not in the timeline:\n%s", out)
	}
	for _, l := range []struct{ pass, home string }{{wealdPass, w.wealdHome}, {medwayPass, w.medwayHome}} {
		if n, _ := syncCounts(t, l.pass, l.home); n != 1 {
			t.Fatalf("a candidate received %d messages, want only the one let through", n)
		}
	}

	// 4. Two offers; the address goes to the nominator only. An offer in
	// a district the household must avoid is refused before sealing.
	offerFile := func(pass, home, district, address string) string {
		return payloadFile(t, pass, home, []string{"offer", "template"}, func(o map[string]any) {
			o["district"] = district
			o["address"] = address
		})
	}
	if _, errOut := refused(t, medwayPass, "--home", w.medwayHome, "offer", "send", "--case", caseID, "--file", offerFile(medwayPass, w.medwayHome, "Thanet", medwayAddress)); !strings.Contains(errOut, "Thanet is one of the districts the household must avoid") {
		t.Fatalf("offer in a district to avoid:\n%s", errOut)
	}
	wealdOffer := lastLine(weald("offer", "send", "--case", caseID, "--file", offerFile(wealdPass, w.wealdHome, "Maidstone", wealdAddress)))
	medwayOffer := lastLine(medway("offer", "send", "--case", caseID, "--file", offerFile(medwayPass, w.medwayHome, "Medway", medwayAddress)))
	if len(wealdOffer) != 32 || len(medwayOffer) != 32 || wealdOffer == medwayOffer {
		t.Fatalf("offer ids %q, %q", wealdOffer, medwayOffer)
	}
	refuge("sync")
	c = wantStage(t, refugePass, w.refugeHome, caseID, "offers-received")
	if got := offersOf(c); len(got) != 2 {
		t.Fatalf("nominator sees %d offers, want 2: %v", len(got), got)
	}
	if b, _ := json.Marshal(c); !strings.Contains(string(b), wealdAddress) || !strings.Contains(string(b), medwayAddress) {
		t.Fatalf("nominator does not see both offered addresses:\n%s", b)
	}

	// Details cannot go before an offer is accepted.
	refused(t, refugePass, "--home", w.refugeHome, "details", "release", "--case", caseID, "--file", details)

	// 5. One offer accepted; the other landlord is told "filled".
	refuge("offer", "decide", "--case", caseID, "--offer", wealdOffer, "--accept")
	wantStage(t, refugePass, w.refugeHome, caseID, "offer-accepted")

	// 6. Details: not without consent, not to the wrong landlord, not
	// without the readers confirmed.
	noConsent := payloadFile(t, refugePass, w.refugeHome, []string{"details", "template"}, func(h map[string]any) {
		h["sharing_basis"] = map[string]any{}
	})
	if _, errOut := refused(t, refugePass, "--home", w.refugeHome, "details", "release", "--case", caseID, "--file", noConsent); !strings.Contains(errOut, "sharing_basis") {
		t.Fatalf("release without consent not refused for its sharing basis:\n%s", errOut)
	}
	if _, errOut := refused(t, refugePass, "--home", w.refugeHome, "details", "release", "--case", caseID, "--file", details, "--to", w.medway); !strings.Contains(errOut, "only to the accepting landlord") {
		t.Fatalf("release to the wrong landlord:\n%s", errOut)
	}
	out, errOut := refused(t, refugePass, "--home", w.refugeHome, "details", "release", "--case", caseID, "--file", details, "--to", w.weald)
	digest := regexp.MustCompile(`readers digest: ([0-9a-f]{64})`).FindStringSubmatch(out)
	if digest == nil || !strings.Contains(out, "Weald Homes") || !strings.Contains(out, "Weald liaison officer") || strings.Contains(out, "Medway") {
		t.Fatalf("readers not shown as the accepting landlord's devices:\n%s\n%s", out, errOut)
	}
	if !strings.Contains(errOut, "--confirm-readers "+digest[1]) {
		t.Fatalf("no hint to confirm the digest:\n%s", errOut)
	}
	if n, _ := syncCounts(t, wealdPass, w.wealdHome); n != 1 {
		t.Fatalf("accepted landlord received %d packets, want the decision only", n)
	}
	if c := showCase(t, wealdPass, w.wealdHome, caseID); c["household_details"] != nil {
		t.Fatal("accepted landlord holds details that were never confirmed")
	}
	refused(t, refugePass, "--home", w.refugeHome, "details", "release", "--case", caseID, "--file", details, "--confirm-readers", strings.Repeat("0", 64))
	refuge("details", "release", "--case", caseID, "--file", details, "--to", w.weald, "--confirm-readers", digest[1])
	c = wantStage(t, refugePass, w.refugeHome, caseID, "details-released")
	events, _ := c["events"].([]any)
	var released map[string]any
	for _, e := range events {
		if e, _ := e.(map[string]any); e["kind"] == "details-released" {
			released = e
		}
		if e, _ := e.(map[string]any); e["verified"] != true {
			t.Errorf("timeline event not verified: %v", e)
		}
	}
	if released == nil || released["landlord"] != w.weald {
		t.Fatalf("no details-released event naming Weald in the timeline: %v", events)
	}

	// The winner holds the details; the other landlord only "filled".
	weald("sync")
	c = wantStage(t, wealdPass, w.wealdHome, caseID, "details-released")
	if c["my_role"] != "accepted-landlord" {
		t.Fatalf("winner's role %v", c["my_role"])
	}
	h, _ := c["household_details"].(map[string]any)
	if h == nil || !slices.Equal(h["names"].([]any), householdNames) {
		t.Fatalf("winner's details: %v", c["household_details"])
	}
	medway("sync")
	c = wantStage(t, medwayPass, w.medwayHome, caseID, "filled")
	raw, _ := json.Marshal(c)
	for _, secret := range []string{wealdOffer, wealdAddress, "Haddad", w.weald, "Weald"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("the filled landlord's case shows %q:\n%s", secret, raw)
		}
	}
	if c["household_details"] != nil {
		t.Fatal("the filled landlord holds household details")
	}
	for _, o := range offersOf(c) {
		if o["id"] != medwayOffer {
			t.Fatalf("the filled landlord sees another offer: %v", o)
		}
	}

	// 7. Moved in, closed, balance; the dates must be in order and not in
	// the future.
	if _, errOut := refused(t, wealdPass, "--home", w.wealdHome, "status", "set", "--case", caseID, "--status", "signed-up", "--effective", "2099-01-01"); !strings.Contains(errOut, "in the future") {
		t.Fatalf("sign-up dated 2099:\n%s", errOut)
	}
	weald("status", "set", "--case", caseID, "--status", "signed-up")
	if _, errOut := refused(t, wealdPass, "--home", w.wealdHome, "status", "set", "--case", caseID, "--status", "moved-in", "--effective", "2020-01-01"); !strings.Contains(errOut, "before") {
		t.Fatalf("move-in dated 2020:\n%s", errOut)
	}
	weald("status", "set", "--case", caseID, "--status", "moved-in")
	// The receiving landlord's attestation alone moves nothing.
	cli(t, coordPass, "saferef", "--home", w.coordHome, "sync")
	if b := balance(t, w); len(b) != 0 {
		t.Fatalf("balance with only the landlord's attestation: %v", b)
	}
	refuge("sync")
	wantStage(t, refugePass, w.refugeHome, caseID, "moved")
	refuge("status", "set", "--case", caseID, "--status", "closed")
	wantStage(t, refugePass, w.refugeHome, caseID, "closed")
	cli(t, coordPass, "saferef", "--home", w.coordHome, "sync")
	after := balance(t, w)
	wr, cr := after[w.weald], after[w.coast]
	if wr == nil || cr == nil {
		t.Fatalf("balance lacks Weald or the Thanet landlord: %v", after)
	}
	if wr["given"].(float64)+wr["received"].(float64) != 1 || cr["given"].(float64)+cr["received"].(float64) != 1 ||
		wr["net"].(float64) != -cr["net"].(float64) || wr["net"].(float64) == 0 || len(after) != 2 {
		t.Fatalf("balance after one move: %v", after)
	}
	if out := cli(t, coordPass, "saferef", "--home", w.coordHome, "scheme", "balance"); !strings.Contains(out, "Weald Homes") {
		t.Fatalf("balance table:\n%s", out)
	}

	// 8. Retention: shredded once the period has passed, not before.
	if out := refuge("cases", "shred-expired"); !strings.Contains(out, "shredded 0 case") {
		t.Fatalf("a fresh closed case was shredded: %s", out)
	}
	later := "SAFEREF_NOW=" + time.Now().AddDate(1, 1, 0).UTC().Format(time.RFC3339)
	out, errOut, code := tryCLIEnv([]string{later}, refugePass, "saferef", "--home", w.refugeHome, "cases", "shred-expired")
	if code != 0 || !strings.Contains(out, "shredded 1 case") {
		t.Fatalf("shred after retention: exit %d\n%s\n%s", code, out, errOut)
	}
	if list := refuge("cases", "list", "--json"); strings.Contains(list, caseID) {
		t.Fatalf("shredded case still listed:\n%s", list)
	}
	if _, errOut, code := tryCLIEnv(nil, refugePass, "saferef", "--home", w.refugeHome, "cases", "show", caseID); code != 1 || !strings.Contains(errOut, "no such case") {
		t.Fatalf("shredded case still shown: exit %d %s", code, errOut)
	}
}

// balance returns the coordinator's `scheme balance --json` by landlord id.
func balance(t *testing.T, w *workflowScheme) map[string]map[string]any {
	t.Helper()
	var rows []map[string]any
	out := cli(t, coordPass, "saferef", "--home", w.coordHome, "scheme", "balance", "--json")
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("scheme balance --json: %v\n%s", err, out)
	}
	m := map[string]map[string]any{}
	for _, r := range rows {
		m[r["landlord"].(string)] = r
	}
	return m
}

// TestWorkflowRefusals: what the CLI refuses, and that a refusal sends
// nothing. Identifying data in the needs profile (a postcode, a household
// member's name) is refused with each finding printed; an offer on a
// withdrawn referral is refused by the landlord's own device, and by the
// nominator's if it is sent before the landlord hears of the withdrawal.
func TestWorkflowRefusals(t *testing.T) {
	s := newScheme(t)
	for home, pass := range map[string]string{s.refugeHome: refugePass, s.wealdHome: wealdPass, s.medwayHome: medwayPass} {
		cli(t, pass, "saferef", "--home", home, "sync")
	}
	details := payloadFile(t, refugePass, s.refugeHome, []string{"details", "template"}, nil)

	postcode := s.referralFile(s.refugeHome, func(r map[string]any) {
		r["notes"] = "Ground floor please. Currently near ME4 6ZZ; call 07700 900412."
	})
	_, errOut := refused(t, refugePass, "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", postcode, "--household", details)
	for _, want := range []string{
		`saferef: error: referral.notes: looks like a UK postcode: "ME4 6ZZ"`,
		`saferef: error: referral.notes: looks like a UK phone number: "07700 900412"`,
		"saferef: hint: remove identifying details from anonymous fields; they go to several organisations",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("postcode refusal lacks %q:\n%s", want, errOut)
		}
	}
	name := s.referralFile(s.refugeHome, func(r map[string]any) {
		r["pets"] = "none"
		r["notes"] = "LINA is settled at nursery; a home near a school would help."
	})
	_, errOut = refused(t, refugePass, "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", name, "--household", details)
	if !strings.Contains(errOut, `saferef: error: referral.notes: contains a household member's name: "LINA"`) {
		t.Errorf("name refusal:\n%s", errOut)
	}
	if n, _ := syncCounts(t, wealdPass, s.wealdHome); n != 0 {
		t.Fatalf("a refused referral reached the landlord: %d new", n)
	}
	if out := cli(t, refugePass, "saferef", "--home", s.refugeHome, "cases", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("a refused referral left a case behind:\n%s", out)
	}

	// A referral with no current landlord circulates at once; withdrawn,
	// it takes no more offers.
	ok := s.referralFile(s.refugeHome, func(r map[string]any) {
		r["current_tenancy"] = "refuge"
		r["districts_acceptable"] = []string{"Maidstone", "Medway"}
		r["districts_to_avoid"] = []string{}
	})
	caseID := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--file", ok, "--household", details))
	for _, l := range []struct{ pass, home string }{{wealdPass, s.wealdHome}, {medwayPass, s.medwayHome}} {
		if n, _ := syncCounts(t, l.pass, l.home); n != 1 {
			t.Fatalf("circulation without a current landlord: %d new", n)
		}
	}
	offer := payloadFile(t, wealdPass, s.wealdHome, []string{"offer", "template"}, nil)
	refused(t, refugePass, "--home", s.refugeHome, "status", "set", "--case", caseID, "--status", "closed")
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "status", "set", "--case", caseID, "--status", "withdrawn", "--note", "The household has found a home privately.")
	wantStage(t, refugePass, s.refugeHome, caseID, "withdrawn")

	// Medway has not heard of the withdrawal: its offer goes out, and the
	// refuge's device refuses it on receipt.
	medwayOffer := payloadFile(t, medwayPass, s.medwayHome, []string{"offer", "template"}, func(o map[string]any) { o["district"] = "Medway" })
	cli(t, medwayPass, "saferef", "--home", s.medwayHome, "offer", "send", "--case", caseID, "--file", medwayOffer)
	if _, rejected := syncCounts(t, refugePass, s.refugeHome); rejected != 1 {
		t.Fatalf("nominator accepted an offer on a withdrawn referral (%d rejected)", rejected)
	}
	if c := wantStage(t, refugePass, s.refugeHome, caseID, "withdrawn"); len(offersOf(c)) != 0 {
		t.Fatalf("withdrawn case holds offers: %v", offersOf(c))
	}

	// Weald has heard: its own device refuses, and nothing is sent.
	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync")
	wantStage(t, wealdPass, s.wealdHome, caseID, "withdrawn")
	_, errOut = refused(t, wealdPass, "--home", s.wealdHome, "offer", "send", "--case", caseID, "--file", offer)
	if !strings.Contains(errOut, "withdrawn") {
		t.Errorf("offer refusal does not say the case is withdrawn:\n%s", errOut)
	}
	if n, rejected := syncCounts(t, refugePass, s.refugeHome); n != 0 || rejected != 0 {
		t.Fatalf("a refused offer reached the nominator: %d new, %d rejected", n, rejected)
	}
}

// TestReferralAgainAndRecall: the same referral file sent twice is
// refused the second time (an open case has its reference) until --again
// confirms it; and once the nominator recalls a referral, the landlord's
// case says why and takes no offer.
func TestReferralAgainAndRecall(t *testing.T) {
	s := newScheme(t)
	for home, pass := range map[string]string{s.refugeHome: refugePass, s.wealdHome: wealdPass} {
		cli(t, pass, "saferef", "--home", home, "sync")
	}
	household := s.householdFile(s.refugeHome)
	referral := s.referralFile(s.refugeHome, func(r map[string]any) { r["reference"] = "KMR-2026-0101" })
	first := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", referral, "--household", household))
	_, errOut := refused(t, refugePass, "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", referral, "--household", household)
	if !strings.Contains(errOut, "KMR-2026-0101 is case "+first) || !strings.Contains(errOut, "run the command again with --again") {
		t.Fatalf("second send of the same reference:\n%s", errOut)
	}
	second := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald, "--file", referral, "--household", household, "--again"))
	if second == first || len(second) != 32 {
		t.Fatalf("confirmed second case %q (first %q)", second, first)
	}
	if n, _ := syncCounts(t, wealdPass, s.wealdHome); n != 2 {
		t.Fatalf("landlord received %d referrals, want 2", n)
	}

	// Recall the second: the landlord's case closes for offers and says why.
	var entry string
	entries, _ := showCase(t, refugePass, s.refugeHome, second)["entries"].([]any)
	for _, e := range entries {
		if e, _ := e.(map[string]any); e["kind"] == "referral" {
			entry, _ = e["envelope"].(string)
		}
	}
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "recall", "--case", second, "--envelope", entry, "--reason", "sent twice in error")
	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync")
	c := wantStage(t, wealdPass, s.wealdHome, second, "withdrawn")
	if c["waiting_on"] != "" || !strings.Contains(fmt.Sprint(c["ended_why"]), "recalled the referral") {
		t.Fatalf("recalled case: waiting on %v, ended because %v", c["waiting_on"], c["ended_why"])
	}
	if out := cli(t, wealdPass, "saferef", "--home", s.wealdHome, "cases", "show", second); !strings.Contains(out, "ended because:  the nominating organisation recalled the referral") {
		t.Fatalf("cases show does not say why:\n%s", out)
	}
	offer := payloadFile(t, wealdPass, s.wealdHome, []string{"offer", "template"}, nil)
	if _, errOut := refused(t, wealdPass, "--home", s.wealdHome, "offer", "send", "--case", second, "--file", offer); !strings.Contains(errOut, "recalled the referral") {
		t.Fatalf("offer on a recalled referral:\n%s", errOut)
	}
	// The first case still takes offers.
	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "offer", "send", "--case", first, "--file", offer)
}
