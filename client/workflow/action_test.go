package workflow

import (
	"testing"
	"time"
)

func TestWaitingOn(t *testing.T) {
	cases := []struct {
		until string
		view  Party
		want  Action
	}{
		{"drafted", refuge, ActionSend},
		{"approval-requested", refuge, ActionNone},
		{"approval-requested", current, ActionApprove},
		{"approved", refuge, ActionCirculate},
		{"approved", current, ActionNone},
		{"circulated-winner", winner, ActionConsiderOffer},
		{"circulated-loser", refuge, ActionNone},
		{"offer-winner", refuge, ActionReviewOffers},
		{"offer-winner", winner, ActionNone},
		{"accepted", refuge, ActionTellFilled},
		{"filled", refuge, ActionReleaseDetails},
		{"filled", loser, ActionNone},
		{"details", winner, ActionConfirmSignUp},
		{"signed-up", winner, ActionConfirmMoveIn},
		{"moved-in", refuge, ActionClose},
		{"closed", refuge, ActionNone},
	}
	for _, tc := range cases {
		if got := views(t, tc.until)[tc.view.OrgName].WaitingOn(); got != tc.want {
			t.Errorf("after %s, %s waits on %q, want %q", tc.until, tc.view.OrgName, got, tc.want)
		}
	}
}

func TestSortByAction(t *testing.T) {
	mk := func(id byte, until string, updated time.Time) *Case {
		c := views(t, until)[refuge.OrgName].Clone()
		c.ID = [16]byte{id}
		c.Updated = updated
		return c
	}
	closedOld := mk(1, "closed", t0)
	closedNew := mk(2, "closed", t0.Add(time.Hour))
	offersNew := mk(3, "offer-winner", t0.Add(time.Hour))
	offersOld := mk(4, "offer-winner", t0)
	closing := mk(5, "moved-in", t0)
	cs := []*Case{closedOld, closing, closedNew, offersNew, offersOld}
	SortByAction(cs)
	want := []*Case{offersOld, offersNew, closing, closedNew, closedOld}
	for i := range want {
		if cs[i] != want[i] {
			t.Fatalf("position %d: case %x (%s), want %x", i, cs[i].ID[0], cs[i].WaitingOn(), want[i].ID[0])
		}
	}
}
