package workflow

import (
	"slices"
	"testing"
)

// TestNoSuitableHome: a candidate landlord's "no suitable home" closes the
// ask for it (its own view is over and waits on nothing), and the
// nominator learns only that it declined: no reason, it is out of the
// case (not told "filled" later, not sent a closure), and the other
// candidates are untouched.
func TestNoSuitableHome(t *testing.T) {
	cs := views(t, "circulated-loser")
	n, l := cs[refuge.OrgName], cs[loser.OrgName]
	if got := l.WaitingOn(); got != ActionConsiderOffer {
		t.Fatalf("loser waits on %q before answering", got)
	}
	ev := Event{Kind: EventNoSuitableHome, Actor: loser, At: t0.Add(4 * 3600e9), Status: StatusNoSuitableHome}
	refuse(t, l.Clone(), Event{Kind: EventNoSuitableHome, Actor: loser, At: ev.At, Why: "no two-bed homes in Dover"}, ErrInvalidEvent, "could identify")
	refuse(t, n.Clone(), Event{Kind: EventNoSuitableHome, Actor: refuge, At: ev.At}, ErrNotPermitted, "may not")
	for _, c := range []*Case{l, n} {
		if err := c.Apply(ev); err != nil {
			t.Fatalf("apply at %x: %v", c.Org[0], err)
		}
	}
	if l.Stage != StageDeclined || !l.Stage.Final() || l.WaitingOn() != ActionNone {
		t.Errorf("loser's own view: stage %q, waiting %q", l.Stage, l.WaitingOn())
	}
	if a := l.Allowed(RoleCandidate); slices.Contains(a, EventOfferMade) || slices.Contains(a, EventNoSuitableHome) || slices.Contains(a, EventMessage) {
		t.Errorf("loser may still %v", l.Allowed(RoleCandidate))
	}
	if !slices.Contains(n.Declined, loser.Org) || n.InCase(loser.Org) || slices.Contains(n.Organisations(), loser.Org) {
		t.Errorf("nominator still counts the declined landlord in the case: %+v", n)
	}
	if n.Stage != StageCirculated || !n.InCase(winner.Org) {
		t.Errorf("nominator's case changed beyond the one landlord: stage %q", n.Stage)
	}
	refuse(t, n.Clone(), Event{Kind: EventNoSuitableHome, Actor: loser, At: ev.At}, ErrNotPermitted, "no longer part")
	if h := n.History[len(n.History)-1]; h.Why != "" {
		t.Errorf("the nominator's history carries a reason %q", h.Why)
	}
}
