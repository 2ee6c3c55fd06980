package devicecore

import (
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/desktop"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

func TestRowWaiting(t *testing.T) {
	me, them := crypto.OrgID{1}, crypto.OrgID{2}
	orgs := []client.OrgRef{{ID: me, Name: "Harbour Refuge"}, {ID: them, Name: "Medway Homes"}}
	ref := payload.ExampleReferral()
	sent := client.CaseEntry{Kind: "referral", Direction: "sent", From: client.Party{Org: me}, At: time.Unix(1, 0)}
	got := client.CaseEntry{Kind: "message", Direction: "received", From: client.Party{Org: them, OrgName: "Medway Homes"}, At: time.Unix(2, 0)}
	for _, tc := range []struct {
		name    string
		status  string
		entries []client.CaseEntry
		ref     *payload.Referral
		want    desktop.Waiting
		action  bool
	}{
		{"sent last", "circulated", []client.CaseEntry{sent}, ref, desktop.Waiting{Kind: desktop.WaitingOnOrg, Org: "Medway Homes"}, false},
		{"received last", "circulated", []client.CaseEntry{sent, got}, ref, desktop.Waiting{Kind: desktop.WaitingOnYou, Org: "Medway Homes"}, true},
		{"no referral yet", "open", []client.CaseEntry{got}, nil, desktop.Waiting{Kind: desktop.WaitingReferral}, false},
		{"closed", "closed", []client.CaseEntry{sent, got}, ref, desktop.Waiting{}, false},
	} {
		k := &client.Case{CaseSummary: client.CaseSummary{Status: tc.status, Organisations: orgs}, Referral: tc.ref, Entries: tc.entries}
		r := Row(k, me)
		if r.Waiting != tc.want || r.NeedsAction != tc.action {
			t.Errorf("%s: waiting %+v action %v, want %+v %v", tc.name, r.Waiting, r.NeedsAction, tc.want, tc.action)
		}
		if tc.ref != nil && len(r.Districts) != len(ref.DistrictsAcceptable) {
			t.Errorf("%s: districts %v", tc.name, r.Districts)
		}
	}
}
