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
