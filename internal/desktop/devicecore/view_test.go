package devicecore

import (
	"testing"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
)

// TestTimelineShowsDatesAndOverrides: the case view's timeline shows a
// status's effective date, an offer's expiry and what a guard override let
// through, with the reason.
func TestTimelineShowsDatesAndOverrides(t *testing.T) {
	k := &client.Case{Events: []workflow.Event{
		{Kind: workflow.EventOfferMade, Expires: "2026-06-05"},
		{Kind: workflow.EventMovedIn, Effective: "2026-06-22", Why: "keys handed over"},
		{Kind: workflow.EventGuardOverride, Match: "Church Road", Why: "a GP surgery"},
	}}
	got := timeline(k, crypto.OrgID{1})
	for i, want := range []string{"stands until 2026-06-05", "effective 2026-06-22: keys handed over", `let through "Church Road": a GP surgery`} {
		if got[i].Text != want {
			t.Errorf("event %d: %q, want %q", i, got[i].Text, want)
		}
	}
}

// TestTimelineJoinsMessagesByEnvelope: a message event takes the text of
// the entry it names; one whose entry was recalled shows RecalledText, not
// the next message's; an event stored before events named their entry
// takes the next message of its device that no event names.
func TestTimelineJoinsMessagesByEnvelope(t *testing.T) {
	dev := crypto.DeviceID{7}
	from := client.Party{Device: dev}
	k := &client.Case{
		Entries: []client.CaseEntry{
			{Envelope: crypto.EnvelopeID{1}, Kind: "message", From: from, Text: "older"},
			{Envelope: crypto.EnvelopeID{3}, Kind: "message", From: from, Text: "third"},
		},
		Events: []workflow.Event{
			{Kind: workflow.EventMessage, Actor: workflow.Party{Device: dev}},
			{Kind: workflow.EventMessage, Actor: workflow.Party{Device: dev}, Envelope: [16]byte{2}},
			{Kind: workflow.EventMessage, Actor: workflow.Party{Device: dev}, Envelope: [16]byte{3}},
		},
	}
	got := timeline(k, crypto.OrgID{1})
	for i, want := range []string{"older", RecalledText, "third"} {
		if got[i].Text != want {
			t.Errorf("event %d: %q, want %q", i, got[i].Text, want)
		}
	}
}

// TestTimelineShowsUnverified: an event the core does not vouch for shows
// as not verified in the case view (the desktop used to mark every event
// verified); one it vouches for shows as verified.
func TestTimelineShowsUnverified(t *testing.T) {
	k := &client.Case{
		Events:   []workflow.Event{{Kind: workflow.EventCirculated}, {Kind: workflow.EventMessage}},
		Verified: []bool{true, false},
	}
	v := View(k, crypto.OrgID{1})
	if !v.Timeline[0].Verified || v.Timeline[1].Verified {
		t.Errorf("verified marks %v %v, want true false", v.Timeline[0].Verified, v.Timeline[1].Verified)
	}
}
