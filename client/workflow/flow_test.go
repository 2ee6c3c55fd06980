package workflow

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/saferef/saferef/crypto"
)

// TestHappyPathViews follows the whole case at each participant and checks
// what each ends knowing.
func TestHappyPathViews(t *testing.T) {
	cs := views(t, "")
	n := cs[refuge.OrgName]
	if n.Stage != StageClosed || n.MyRole() != RoleNominator || n.AcceptedLandlord != winner.Org ||
		n.DetailsReleasedTo != winner.Org || !n.SignedUp || !n.Ended.Equal(t0.Add(11*3600e9)) {
		t.Errorf("nominator ends with %+v", n)
	}
	if len(n.Offers) != 2 || n.Offers[0].State != OfferAccepted || n.Offers[1].State != OfferFilled {
		t.Errorf("nominator's offers = %+v", n.Offers)
	}
	if !slices.Equal(n.Filled, []crypto.OrgID{loser.Org}) || len(n.ToTellFilled()) != 0 {
		t.Errorf("filled = %v", n.Filled)
	}

	l := cs[current.OrgName]
	if l.Stage != StageClosed || l.MyRole() != RoleCurrentLandlord || !l.Approved {
		t.Errorf("current landlord ends with %+v", l)
	}
	if len(l.Candidates) != 0 || len(l.Offers) != 0 || l.AcceptedLandlord != zero {
		t.Errorf("current landlord learnt about circulation: %+v", l)
	}

	w := cs[winner.OrgName]
	if w.Stage != StageClosed || w.MyRole() != RoleAcceptedLandlord || w.Consent == nil || !w.Consent.Given {
		t.Errorf("winner ends with %+v", w)
	}
	if !slices.Equal(w.Candidates, []crypto.OrgID{winner.Org}) || len(w.Offers) != 1 {
		t.Errorf("winner knows candidates %x and offers %+v", w.Candidates, w.Offers)
	}

	lo := cs[loser.OrgName]
	if lo.Stage != StageFilled || lo.MyRole() != RoleCandidate || lo.Ended.IsZero() {
		t.Errorf("loser ends with %+v", lo)
	}
	// The losing candidate learns nothing more than "filled": not the
	// winner, not the other candidates, not the details, not the outcome.
	if lo.AcceptedLandlord != zero || lo.AcceptedOffer != zero || lo.DetailsReleasedTo != zero || lo.Consent != nil ||
		!slices.Equal(lo.Candidates, []crypto.OrgID{loser.Org}) || len(lo.Offers) != 1 || lo.Offers[0].State != OfferFilled {
		t.Errorf("loser learnt too much: %+v", lo)
	}
	for _, k := range []EventKind{EventDetailsReleased, EventClosed, EventMessage, EventOfferMade, EventWithdrawn} {
		ev, ok := validEvent(lo, k, refuge)
		if k == EventOfferMade {
			ev, ok = validEvent(lo, k, loser)
		}
		if ok && lo.Apply(ev) == nil {
			t.Errorf("filled candidate accepted %s", k)
		}
	}
	if lo.Allowed(RoleNominator) != nil && slices.Contains(lo.Allowed(RoleNominator), EventMessage) {
		t.Errorf("filled candidate still takes messages: %v", lo.Allowed(RoleNominator))
	}

	// Every event is in each history with the role the case computed.
	for _, h := range n.History {
		if h.ActorRole != n.RoleOf(h.Actor.Org) && h.ActorRole != RoleCandidate {
			t.Errorf("history %s: role %s", h.Kind, h.ActorRole)
		}
	}
	if len(n.History) != 12 || n.History[0].Kind != EventReferralDrafted || n.History[11].Kind != EventClosed {
		t.Errorf("nominator history has %d events", len(n.History))
	}
	if !n.Created.Equal(t0) || !n.Updated.Equal(t0.Add(11*3600e9)) {
		t.Errorf("created %v updated %v", n.Created, n.Updated)
	}
}

// TestNoCurrentLandlord: circulation is the first send, straight from draft.
func TestNoCurrentLandlord(t *testing.T) {
	c := New(caseID, refuge.Org, refuge.Device)
	mustApply(t, c, Event{Kind: EventReferralDrafted, Actor: refuge, At: t0})
	if got := c.WaitingOn(); got != ActionCirculate {
		t.Errorf("waiting on %q", got)
	}
	err := c.Apply(Event{Kind: EventApprovalRequested, Actor: refuge, At: t0, Landlord: zero})
	if !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("approval with no landlord: %v", err)
	}
	mustApply(t, c, Event{Kind: EventCirculated, Actor: refuge, At: t0, Orgs: []crypto.OrgID{winner.Org}})
	if c.Stage != StageCirculated {
		t.Fatalf("stage %s", c.Stage)
	}
	// The nominator is itself the current landlord: approval is implied.
	d := New(caseID, current.Org, current.Device)
	mustApply(t, d, Event{Kind: EventReferralDrafted, Actor: current, At: t0, Landlord: current.Org})
	mustApply(t, d, Event{Kind: EventCirculated, Actor: current, At: t0, Orgs: []crypto.OrgID{winner.Org}})
}

// TestFreshCase: an organisation that has not heard of a case accepts only
// the referral (as approval request or circulation) addressed to it.
func TestFreshCase(t *testing.T) {
	cases := []struct {
		name string
		ev   Event
		ok   bool
	}{
		{"approval request to me", Event{Kind: EventApprovalRequested, Actor: refuge, At: t0, Landlord: current.Org}, true},
		{"approval request to another", Event{Kind: EventApprovalRequested, Actor: refuge, At: t0, Landlord: winner.Org}, false},
		{"circulated to me", Event{Kind: EventCirculated, Actor: refuge, At: t0, Orgs: []crypto.OrgID{current.Org}}, true},
		{"circulated to others", Event{Kind: EventCirculated, Actor: refuge, At: t0, Orgs: []crypto.OrgID{winner.Org}}, false},
		{"draft from elsewhere", Event{Kind: EventReferralDrafted, Actor: refuge, At: t0}, false},
		{"message first", Event{Kind: EventMessage, Actor: refuge, At: t0, Orgs: []crypto.OrgID{current.Org}}, false},
		{"offer first", Event{Kind: EventOfferMade, Actor: refuge, At: t0, Offer: offerWin}, false},
		{"closed first", Event{Kind: EventClosed, Actor: refuge, At: t0}, false},
		{"no time", Event{Kind: EventCirculated, Actor: refuge, Orgs: []crypto.OrgID{current.Org}}, false},
		{"no device", Event{Kind: EventCirculated, Actor: Party{Org: refuge.Org}, At: t0, Orgs: []crypto.OrgID{current.Org}}, false},
		{"unknown kind", Event{Kind: "teleported", Actor: refuge, At: t0}, false},
	}
	for _, tc := range cases {
		c := New(caseID, current.Org, current.Device)
		err := c.Apply(tc.ev)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && (c.Stage != StageNone || len(c.History) != 0) {
			t.Errorf("%s: refused event changed the case", tc.name)
		}
		if err == nil && (c.Nominator != refuge.Org || c.RoleOf(refuge.Org) != RoleNominator) {
			t.Errorf("%s: nominator not recorded", tc.name)
		}
	}
	if got := New(caseID, current.Org, current.Device).Allowed(RoleNominator); !sameKinds(got, []EventKind{EventReferralDrafted, EventApprovalRequested, EventCirculated}) {
		t.Errorf("Allowed on a fresh case = %v", got)
	}
}

func mustApply(t *testing.T, c *Case, ev Event) {
	t.Helper()
	if err := c.Apply(ev); err != nil {
		t.Fatalf("%s: %v", ev.Kind, err)
	}
}

// refuse checks that ev is refused with sentinel and a message containing
// want, and that nothing in the case changed.
func refuse(t *testing.T, c *Case, ev Event, sentinel error, want string) {
	t.Helper()
	before := c.Clone()
	err := c.Apply(ev)
	if !errors.Is(err, sentinel) {
		t.Fatalf("%s: err = %v, want %v", ev.Kind, err, sentinel)
	}
	var te *TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("%s: %T is not a *TransitionError", ev.Kind, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("%s: error %q does not say %q", ev.Kind, err, want)
	}
	if c.Stage != before.Stage || len(c.History) != len(before.History) || len(c.Offers) != len(before.Offers) ||
		c.DetailsReleasedTo != before.DetailsReleasedTo || c.AcceptedLandlord != before.AcceptedLandlord {
		t.Errorf("%s: refused event changed the case", ev.Kind)
	}
}

// TestNegatives are the refusals the issue lists, each on both the
// sender's and the receiver's side where both exist.
func TestNegatives(t *testing.T) {
	later := t0.Add(50 * 3600e9)
	details := func(to Party, c *Consent) Event {
		return Event{Kind: EventDetailsReleased, Actor: refuge, At: later, Landlord: to.Org, Consent: c}
	}
	t.Run("details before acceptance", func(t *testing.T) {
		cs := views(t, "offer-loser")
		refuse(t, cs[refuge.OrgName], details(winner, consent()), ErrWrongStage, "cannot release household details: no offer has been accepted yet")
		refuse(t, cs[winner.OrgName], details(winner, consent()), ErrWrongStage, "no offer has been accepted yet")
	})
	t.Run("details without consent", func(t *testing.T) {
		cs := views(t, "filled")
		refuse(t, cs[refuge.OrgName], details(winner, nil), ErrNoConsent, "no consent or legal basis")
		refuse(t, cs[refuge.OrgName], details(winner, &Consent{Readers: []Party{winner}}), ErrNoConsent, "no consent or legal basis")
		refuse(t, cs[winner.OrgName], details(winner, &Consent{}), ErrNoConsent, "no consent or legal basis")
		// A legal basis instead of consent is enough.
		c := cs[refuge.OrgName].Clone()
		mustApply(t, c, details(winner, &Consent{LegalBasis: "UK GDPR 6(1)(d) vital interests", Readers: []Party{winner}}))
	})
	t.Run("details without showing the readers", func(t *testing.T) {
		n := views(t, "filled")[refuge.OrgName]
		refuse(t, n, details(winner, &Consent{Given: true}), ErrNoConsent, "has not been shown who will be able to read")
		refuse(t, n, details(winner, &Consent{Given: true, Readers: []Party{refuge}}), ErrNoConsent, "no device of the accepted landlord")
		refuse(t, n, details(winner, &Consent{Given: true, Readers: []Party{winner, loser}}), ErrNoConsent, "neither at the accepted landlord")
		// A colleague's device receiving its organisation's copy cannot
		// check the readers shown on the sending device.
		colleague := n.Clone()
		colleague.Device = [16]byte{1, 9}
		mustApply(t, colleague, details(winner, &Consent{Given: true}))
	})
	t.Run("details to the wrong landlord", func(t *testing.T) {
		cs := views(t, "filled")
		refuse(t, cs[refuge.OrgName], details(loser, consent()), ErrNotPermitted, "household details go only to the landlord whose offer was accepted")
		refuse(t, cs[refuge.OrgName], details(outsider, consent()), ErrNotPermitted, "only to the landlord whose offer was accepted")
		refuse(t, cs[loser.OrgName], details(loser, consent()), ErrWrongStage, "filled by another landlord")
	})
	t.Run("offer on a withdrawn referral", func(t *testing.T) {
		cs := views(t, "offer-winner")
		for _, p := range []Party{refuge, winner} {
			mustApply(t, cs[p.OrgName], withdraw)
		}
		offer := Event{Kind: EventOfferMade, Actor: winner, At: later, Offer: [16]byte{0x77}}
		refuse(t, cs[winner.OrgName], offer, ErrWrongStage, "cannot make an offer: case is withdrawn")
		refuse(t, cs[refuge.OrgName], offer, ErrWrongStage, "cannot make an offer: case is withdrawn")
		accept := Event{Kind: EventOfferAccepted, Actor: refuge, At: later, Offer: offerWin}
		refuse(t, cs[refuge.OrgName], accept, ErrWrongStage, "cannot accept an offer: case is withdrawn")
		if cs[refuge.OrgName].Offers[0].State != OfferDeclined {
			t.Errorf("open offer after withdrawal: %+v", cs[refuge.OrgName].Offers[0])
		}
	})
	t.Run("forged status from a third organisation", func(t *testing.T) {
		cs := views(t, "moved-in")
		for _, view := range []Party{refuge, winner} {
			for _, k := range []EventKind{EventClosed, EventWithdrawn, EventMovedIn, EventFilled} {
				refuse(t, cs[view.OrgName], Event{Kind: k, Actor: outsider, At: later, Why: "x"}, ErrNotPermitted, "an organisation outside the case may not do this")
			}
		}
		// The losing candidate, now outside the case, cannot close it either.
		refuse(t, cs[refuge.OrgName], Event{Kind: EventClosed, Actor: loser, At: later}, ErrNotPermitted, "a candidate landlord may not do this")
		// A candidate cannot close a case even if it claims to be the nominator.
		refuse(t, cs[winner.OrgName], Event{Kind: EventClosed, Actor: winner, At: later, ActorRole: RoleNominator}, ErrNotPermitted, "claims to be the nominating organisation")
		refuse(t, cs[refuge.OrgName], Event{Kind: EventClosed, Actor: winner, At: later}, ErrNotPermitted, "the accepted landlord may not do this")
	})
	t.Run("second acceptance", func(t *testing.T) {
		n := views(t, "accepted")[refuge.OrgName]
		refuse(t, n, Event{Kind: EventOfferAccepted, Actor: refuge, At: later, Offer: offerLose}, ErrWrongStage, "cannot accept an offer: an offer has already been accepted")
	})
	t.Run("accepting an unknown offer", func(t *testing.T) {
		cs := views(t, "offer-loser")
		refuse(t, cs[refuge.OrgName], Event{Kind: EventOfferAccepted, Actor: refuge, At: later, Offer: [16]byte{9}}, ErrInvalidEvent, "is not one this organisation knows")
		// The loser cannot be told its offer won when the offer is the winner's.
		refuse(t, cs[loser.OrgName], Event{Kind: EventOfferAccepted, Actor: refuge, At: later, Offer: offerWin}, ErrInvalidEvent, "is not one this organisation knows")
	})
	t.Run("approval without confirmations", func(t *testing.T) {
		l := views(t, "approval-requested")[current.OrgName]
		refuse(t, l, Event{Kind: EventApproved, Actor: current, At: later, NoSuitableHome: true}, ErrInvalidEvent, "will give a home back")
		refuse(t, l, Event{Kind: EventApprovalDeclined, Actor: current, At: later}, ErrInvalidEvent, "a reason is required")
	})
	t.Run("circulation before approval and to the current landlord", func(t *testing.T) {
		n := views(t, "approval-requested")[refuge.OrgName]
		refuse(t, n, Event{Kind: EventCirculated, Actor: refuge, At: later, Orgs: []crypto.OrgID{winner.Org}}, ErrWrongStage, "has not approved yet")
		a := views(t, "approved")[refuge.OrgName]
		refuse(t, a, Event{Kind: EventCirculated, Actor: refuge, At: later, Orgs: []crypto.OrgID{current.Org}}, ErrInvalidEvent, "current landlord cannot be a candidate")
		refuse(t, a, Event{Kind: EventCirculated, Actor: refuge, At: later, Orgs: []crypto.OrgID{winner.Org, winner.Org}}, ErrInvalidEvent, "named twice")
	})
	t.Run("messages stay between the nominator and each organisation", func(t *testing.T) {
		n := views(t, "filled")[refuge.OrgName]
		refuse(t, n, Event{Kind: EventMessage, Actor: winner, At: later, Orgs: []crypto.OrgID{current.Org}}, ErrNotPermitted, "only the nominating organisation can write")
		refuse(t, n, Event{Kind: EventMessage, Actor: loser, At: later, Orgs: []crypto.OrgID{refuge.Org}}, ErrNotPermitted, "no longer part of the case")
		refuse(t, n, Event{Kind: EventMessage, Actor: refuge, At: later, Orgs: []crypto.OrgID{loser.Org}}, ErrNotPermitted, "is not part of the case")
		mustApply(t, n, Event{Kind: EventMessage, Actor: refuge, At: later, Orgs: []crypto.OrgID{winner.Org, current.Org}})
	})
	t.Run("move-in before sign-up", func(t *testing.T) {
		w := views(t, "details")[winner.OrgName]
		refuse(t, w, Event{Kind: EventMovedIn, Actor: winner, At: later}, ErrWrongStage, "has not been signed up yet")
		refuse(t, w, Event{Kind: EventMovedIn, Actor: winner, At: later, Status: StatusClosed}, ErrInvalidEvent, "does not match")
	})
}

func TestErrorMessage(t *testing.T) {
	e := &TransitionError{From: StageWithdrawn, Event: EventOfferAccepted, Actor: RoleNominator, Reason: StageWithdrawn.describe(), Err: ErrWrongStage}
	if got := e.Error(); got != "cannot accept an offer: case is withdrawn" {
		t.Errorf("Error() = %q", got)
	}
	for _, k := range EventKinds() {
		if strings.Contains(k.verb(), "unknown") {
			t.Errorf("%s has no verb", k)
		}
	}
	for _, s := range Stages() {
		if strings.Contains(s.describe(), "unknown") {
			t.Errorf("%s has no description", s)
		}
	}
}

func TestStatusEvent(t *testing.T) {
	for _, s := range []string{StatusFilled, StatusSignedUp, StatusMovedIn, StatusClosed, StatusWithdrawn} {
		k, err := StatusEvent(s)
		if err != nil || string(k) != s {
			t.Errorf("StatusEvent(%q) = %q, %v", s, k, err)
		}
	}
	if _, err := StatusEvent("signed up"); !errors.Is(err, ErrUnknownStatus) {
		t.Errorf("unknown status: %v", err)
	}
}

func TestReplay(t *testing.T) {
	n := views(t, "")[refuge.OrgName]
	r, err := Replay(caseID, refuge.Org, refuge.Device, n.History)
	if err != nil {
		t.Fatal(err)
	}
	if r.Stage != n.Stage || r.AcceptedLandlord != n.AcceptedLandlord || len(r.History) != len(n.History) || !slices.Equal(r.Filled, n.Filled) {
		t.Errorf("replayed case differs: %+v", r)
	}
	// A history with a forged event does not replay.
	bad := append(slices.Clone(n.History[:3]), Event{Kind: EventClosed, Actor: outsider, At: t0})
	if _, err := Replay(caseID, refuge.Org, refuge.Device, bad); !errors.Is(err, ErrNotPermitted) {
		t.Errorf("forged history: %v", err)
	}
}
