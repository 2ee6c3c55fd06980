package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

var testCase = payload.ID{0x5a, 0xfe, 0x4e, 0xf0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Every template prints a payload that, given a case, reads back valid.
func TestWorkflowTemplatesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		cmd []string
		pt  string
	}{
		{[]string{"approval", "template"}, payload.TypeApproval},
		{[]string{"offer", "template"}, payload.TypeOffer},
		{[]string{"details", "template"}, payload.TypeHouseholdDetails},
	} {
		code, out, errOut := runCLI(t, nil, tc.cmd...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.cmd, code, errOut)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%v: not JSON: %v", tc.cmd, err)
		}
		if m["case"] != strings.Repeat("0", 32) {
			t.Errorf("%v: template fixes case %v", tc.cmd, m["case"])
		}
		p, err := readPayload(tc.pt, writeTemp(t, "p.json", out), testCase, "saferef x template")
		if err != nil {
			t.Fatalf("%v: template does not read back: %v", tc.cmd, err)
		}
		if *caseOf(p) != testCase {
			t.Errorf("%v: case not filled in from --case", tc.cmd)
		}
		if o, ok := p.(*payload.Offer); ok && (o.Offer.IsZero() || strings.Contains(out, o.Offer.String())) {
			t.Errorf("offer id %s not new", o.Offer)
		}
	}
	code, out, _ := runCLI(t, nil, "referral", "template")
	if code != 0 || strings.Contains(out, "current_landlord_org") {
		t.Fatalf("referral template fixes a current landlord: %s", out)
	}
}

func TestDecodePayloadStrict(t *testing.T) {
	good, err := json.Marshal(payload.ExampleApproval())
	if err != nil {
		t.Fatal(err)
	}
	exampleCase := payload.ExampleApproval().Case
	if _, err := decodePayload(payload.TypeApproval, good, exampleCase, "t"); err != nil {
		t.Fatalf("good approval: %v", err)
	}
	var ce *cli.Error
	if _, err := decodePayload(payload.TypeApproval, good, testCase, "t"); !errors.As(err, &ce) || !strings.Contains(err.Error(), "not --case") {
		t.Errorf("other case accepted: %v", err)
	}
	for name, b := range map[string]string{
		"unknown field": strings.Replace(string(good), `"approved"`, `"approvd"`, 1),
		"trailing data": string(good) + "{}",
		"not an object": `[1,2]`,
		"empty":         ``,
	} {
		if _, err := decodePayload(payload.TypeApproval, []byte(b), exampleCase, "t"); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	a := payload.ExampleApproval()
	a.LeadName, a.NoSuitableHome = "", false
	bad, _ := json.Marshal(a)
	_, err = decodePayload(payload.TypeApproval, bad, exampleCase, "saferef approval template")
	if err == nil || strings.Count(err.Error(), "\n") < 1 || !strings.Contains(err.Error(), "approval.lead_name") {
		t.Errorf("field problems not one per line: %v", err)
	}
}

func TestExplainGuardFindings(t *testing.T) {
	r := payload.ExampleReferral()
	r.Notes = "Currently near me4 6zz, ask for Amira."
	h := payload.ExampleHouseholdDetails()
	_, err := checkAgainstHousehold(writeTemp(t, "h.json", mustJSON(t, h)), r, func() time.Time { return time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC) })
	if err == nil {
		t.Fatal("guard passed a postcode and a name")
	}
	var out bytes.Buffer
	cli.PrintError(&out, "saferef", err, hint)
	for _, want := range []string{
		"saferef: error: referral.notes: looks like a UK postcode: \"me4 6zz\"\n",
		"saferef: error: referral.notes: contains a household member's name: \"Amira\"\n",
		"saferef: hint: " + guardHint + "\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	r.Notes = "Ground floor needed."
	if _, err := checkAgainstHousehold(writeTemp(t, "h.json", mustJSON(t, h)), r, nil); err != nil {
		t.Fatalf("clean referral refused: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestListFilter(t *testing.T) {
	org := strings.Repeat("ab", 16)
	f, err := listFilter([]string{"circulated", "filled"}, org, "maidstone", "2026-05-01", "2026-05-31", " kmr-2026-0001 ")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stages) != 2 || f.Org[0] != 0xab || f.District != "Maidstone" || f.Reference != "kmr-2026-0001" {
		t.Fatalf("filter %+v", f)
	}
	if !f.To.Equal(time.Date(2026, 6, 1, 0, 0, 0, 0, time.Local)) || !f.From.Equal(time.Date(2026, 5, 1, 0, 0, 0, 0, time.Local)) {
		t.Fatalf("dates %v .. %v (--to is inclusive)", f.From, f.To)
	}
	for _, bad := range [][]string{
		{"stage", "open-ish"}, {"org", "nothex"}, {"district", "Atlantis"}, {"from", "1/5/2026"}, {"to", "2026-13-01"},
	} {
		args := map[string]string{bad[0]: bad[1]}
		var stages []string
		if s, ok := args["stage"]; ok {
			stages = []string{s}
		}
		_, err := listFilter(stages, args["org"], args["district"], args["from"], args["to"], "")
		var ce *cli.Error
		if !errors.As(err, &ce) || !ce.Usage {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestClockHook(t *testing.T) {
	env := &cli.Env{Getenv: func(string) string { return "" }}
	if now, err := clock(env); now != nil || err != nil {
		t.Fatalf("unset: clock set %v, %v", now != nil, err)
	}
	env.Getenv = func(k string) string {
		if k == EnvNow {
			return "2027-06-01T00:00:00Z"
		}
		return ""
	}
	now, err := clock(env)
	if err != nil || !now().Equal(time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)) || today(now) != "2027-06-01" {
		t.Fatalf("set: %v", err)
	}
	env.Getenv = func(string) string { return "next tuesday" }
	var ce *cli.Error
	if _, err := clock(env); !errors.As(err, &ce) || !ce.Usage {
		t.Fatalf("bad value: %v", err)
	}
}

func TestWorkflowUsage(t *testing.T) {
	for _, args := range [][]string{
		{"referral", "candidates", "-h"}, {"referral", "approve", "-h"}, {"referral", "circulate", "-h"},
		{"approval", "template", "-h"}, {"offer", "template", "-h"}, {"offer", "send", "-h"}, {"offer", "decide", "-h"},
		{"details", "template", "-h"}, {"details", "release", "-h"}, {"status", "set", "-h"}, {"attach", "-h"},
		{"attachment", "save", "-h"}, {"recall", "-h"}, {"cases", "read", "-h"}, {"cases", "export", "-h"},
		{"cases", "shred-expired", "-h"}, {"cases", "retention", "-h"}, {"scheme", "balance", "-h"},
	} {
		code, out, errOut := runCLI(t, nil, args...)
		if code != 0 || !strings.HasPrefix(out, "Usage: saferef") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	c := testCase.String()
	for _, args := range [][]string{
		{"referral", "approve", "--case", c},
		{"referral", "approve", "--case", c, "--approve", "--decline"},
		{"referral", "approve", "--case", c, "--file", "x.json", "--approve"},
		{"referral", "circulate", "--case", "not a reference"},
		{"offer", "decide", "--case", c, "--offer", c},
		{"offer", "decide", "--case", c, "--offer", c, "--decline"},
		{"offer", "decide", "--case", c, "--offer", "x", "--accept"},
		{"details", "release", "--case", c},
		{"details", "release", "--case", "KMR 2026/0001", "--file", "x.json"},
		{"status", "set", "--case", c, "--status", "filled"},
		{"status", "set", "--case", c, "--status", "moved"},
		{"status", "set", "--case", c, "--status", "withdrawn"},
		{"status", "set", "--case", c, "--status", "closed", "--effective", "02/05/2026"},
		{"recall", "--case", c},
		{"recall", "--case", c, "--envelope", "zz"},
		{"attach", "--case", "a/b", "--file", "f"},
		{"offer", "none"},
		{"attachment", "save", "--case", c, "--attachment", c},
		{"cases", "export", c},
		{"cases", "read"},
		{"cases", "retention", "--set-days", "0"},
		{"cases", "list", "--stage", "nowhere"},
	} {
		code, _, errOut := runCLI(t, nil, append([]string{"--home", t.TempDir()}, args...)...)
		if code != 2 || !strings.Contains(errOut, "saferef: error: ") || !strings.Contains(errOut, "saferef: hint: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestCheckReadersOrg(t *testing.T) {
	self, winner, other := crypto.OrgID{1}, crypto.OrgID{2}, crypto.OrgID{3}
	readers := []client.Reader{{Org: winner, OrgName: "Weald Homes"}, {Org: self, OrgName: "Harbour Refuge"}}
	if err := checkReadersOrg(self, winner, readers); err != nil {
		t.Fatalf("right landlord refused: %v", err)
	}
	if err := checkReadersOrg(self, other, readers); err == nil || !strings.Contains(err.Error(), "only to the accepting landlord, Weald Homes") {
		t.Fatalf("wrong landlord: %v", err)
	}
	if err := checkReadersOrg(self, self, readers[1:]); err == nil {
		t.Fatal("own organisation accepted as the landlord")
	}
}

// FuzzDecodePayload feeds the CLI's JSON payload reader arbitrary bytes
// for every type it reads: it must never panic, and whatever it accepts
// must be valid and carry the case given.
func FuzzDecodePayload(f *testing.F) {
	types := []string{payload.TypeApproval, payload.TypeOffer, payload.TypeHouseholdDetails, payload.TypeReferral}
	for i, pt := range types {
		p, err := payload.Example(pt)
		if err != nil {
			f.Fatal(err)
		}
		*caseOf(p) = payload.ID{}
		b, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), b)
	}
	f.Add(uint8(0), []byte(`{"schema":1,"case":"00000000000000000000000000000000"}`))
	f.Add(uint8(1), []byte(`{}{}`))
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		pt := types[int(which)%len(types)]
		p, err := decodePayload(pt, b, testCase, "t")
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted an invalid %s: %v", pt, err)
		}
		if *caseOf(p) != testCase {
			t.Fatalf("accepted a %s for another case", pt)
		}
	})
}
