package devicecore

import (
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/desktop"
	"github.com/saferef/saferef/protocol/payload"
)

func TestRowWaiting(t *testing.T) {
	them := client.OrgRef{ID: crypto.OrgID{2}, Name: "Medway Homes"}
	districts := payload.ExampleReferral().DistrictsAcceptable
	for _, tc := range []struct {
		name     string
		stage    workflow.Stage
		waiting  workflow.Action
		referral bool
		want     desktop.Waiting
		action   bool
	}{
		{"waits on them", workflow.StageCirculated, workflow.ActionNone, true, desktop.Waiting{Kind: desktop.WaitingOnOrg, Org: "Medway Homes"}, false},
		{"offers to review", workflow.StageOffersReceived, workflow.ActionReviewOffers, true,
			desktop.Waiting{Kind: desktop.WaitingOnYou, Action: workflow.ActionReviewOffers}, true},
		{"no referral yet", workflow.StageNone, workflow.ActionNone, false, desktop.Waiting{Kind: desktop.WaitingReferral}, false},
		{"closed", workflow.StageClosed, workflow.ActionNone, true, desktop.Waiting{}, false},
	} {
		s := client.CaseSummary{Stage: tc.stage, WaitingOn: tc.waiting, HasReferral: tc.referral,
			Next: []client.OrgRef{them, {ID: crypto.OrgID{3}}}}
		if tc.referral {
			s.Districts = districts
		}
		r := Row(s)
		if r.Waiting != tc.want || r.NeedsAction != tc.action {
			t.Errorf("%s: waiting %+v action %v, want %+v %v", tc.name, r.Waiting, r.NeedsAction, tc.want, tc.action)
		}
		if tc.referral && len(r.Districts) != len(districts) {
			t.Errorf("%s: districts %v", tc.name, r.Districts)
		}
	}
}

func TestViewMapsWorkflow(t *testing.T) {
	me, them := crypto.OrgID{1}, crypto.OrgID{2}
	meDev, themDev := crypto.DeviceID{1}, crypto.DeviceID{2}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	offer := payload.ExampleOffer()
	k := &client.Case{
		CaseSummary: client.CaseSummary{Stage: workflow.StageCirculated, MyRole: workflow.RoleNominator},
		Allowed:     []workflow.EventKind{workflow.EventMessage, workflow.EventRecalled},
		Entries: []client.CaseEntry{
			{Envelope: crypto.EnvelopeID{0xe1}, Kind: "referral", Direction: "sent", At: at, From: client.Party{Org: me, Device: meDev}},
			{Envelope: crypto.EnvelopeID{0xe2}, Kind: "message", Direction: "received", At: at.Add(time.Hour), Text: "first",
				From: client.Party{Org: them, Device: themDev}},
			{Envelope: crypto.EnvelopeID{0xe3}, Kind: "message", Direction: "received", At: at.Add(2 * time.Hour), Text: "second",
				From: client.Party{Org: them, Device: themDev}},
		},
		Events: []workflow.Event{
			{Kind: workflow.EventCirculated, Actor: workflow.Party{Org: me, Device: meDev}, At: at},
			{Kind: workflow.EventMessage, Actor: workflow.Party{Org: them, Device: themDev, OrgName: "Medway Homes"}, At: at.Add(time.Hour)},
			{Kind: workflow.EventMessage, Actor: workflow.Party{Org: them, Device: themDev}, At: at.Add(2 * time.Hour)},
			{Kind: workflow.EventOfferDeclined, Actor: workflow.Party{Org: me, Device: meDev}, Offer: offer.Offer, Why: "too far", At: at.Add(3 * time.Hour)},
			{Kind: workflow.EventRecalled, Actor: workflow.Party{Org: me, Device: meDev}, Packet: [16]byte{0xe1}, At: at.Add(4 * time.Hour)},
		},
		Verified:    []bool{true, true, true, true, true},
		Offers:      []client.CaseOffer{{Offer: offer, State: workflow.OfferDeclined, From: client.Party{Org: them, OrgName: "Medway Homes"}}},
		Receipts:    []client.CaseReceipt{{Kind: client.ReceiptRead, Packet: crypto.EnvelopeID{0xe1}, Reader: client.Party{Org: them}}},
		Attachments: []client.CaseAttachment{{Name: "plan.pdf", Chunks: 3, Have: 2}},
	}
	v := View(k, me)
	if len(v.Timeline) != 5 || v.Timeline[1].Text != "first" || v.Timeline[2].Text != "second" || !v.Timeline[0].Sent || v.Timeline[1].Sent {
		t.Errorf("timeline %+v", v.Timeline)
	}
	if v.Timeline[1].By.OrgName != "Medway Homes" || !v.Timeline[1].Verified {
		t.Errorf("timeline event %+v", v.Timeline[1])
	}
	if len(v.Offers) != 1 || v.Offers[0].Why != "too far" || v.Offers[0].Landlord.Name != "Medway Homes" {
		t.Errorf("offers %+v", v.Offers)
	}
	if len(v.Sent) != 1 || v.Sent[0].Envelope != (crypto.EnvelopeID{0xe1}) || !v.Sent[0].Recalled {
		t.Errorf("sent %+v", v.Sent)
	}
	if len(v.Reads) != 1 || v.Reads[0].Kind != "referral" {
		t.Errorf("reads %+v", v.Reads)
	}
	if len(v.Attachments) != 1 || v.Attachments[0].Complete {
		t.Errorf("attachments %+v", v.Attachments)
	}
	if v.Role != workflow.RoleNominator || len(v.Allowed) != 2 {
		t.Errorf("role %v allowed %v", v.Role, v.Allowed)
	}
}
