package workflow

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/saferef/saferef/crypto"
)

// generic returns the kinds any role in the case may make at a stage:
// case messages, attachments, read receipts and recalls.
func generic(s Stage) []EventKind {
	var out []EventKind
	switch s {
	case StageAwaitingApproval:
		out = append(out, EventMessage)
	case StageCirculated, StageOffersReceived, StageOfferAccepted, StageDetailsReleased, StageMoved:
		out = append(out, EventMessage, EventAttachment)
	}
	if s != StageNone && s != StageDraft {
		out = append(out, EventRead, EventRecalled)
	}
	return out
}

type tableState struct {
	name  string
	view  Party
	build func(t *testing.T) *Case
	stage Stage
	// want lists, per role, the kinds allowed on top of generic(stage)
	// (which every role of the case gets).
	want map[Role]string
}

func at(view Party, until string) func(t *testing.T) *Case {
	return func(t *testing.T) *Case { return views(t, until)[view.OrgName] }
}

func then(build func(t *testing.T) *Case, evs ...Event) func(t *testing.T) *Case {
	return func(t *testing.T) *Case {
		c := build(t)
		for _, ev := range evs {
			if err := c.Apply(ev); err != nil {
				t.Fatalf("setup %s: %v", ev.Kind, err)
			}
		}
		return c
	}
}

var (
	declineApproval = Event{Kind: EventApprovalDeclined, Actor: current, At: t0.Add(100), Why: "tenancy under review"}
	withdraw        = Event{Kind: EventWithdrawn, Actor: refuge, At: t0.Add(200), Why: "household moved to family", Status: StatusWithdrawn}
)

func tableStates() []tableState {
	return []tableState{
		// The nominator's view.
		{"nominator/draft", refuge, at(refuge, "drafted"), StageDraft,
			map[Role]string{RoleNominator: "referral-drafted approval-requested withdrawn"}},
		{"nominator/awaiting", refuge, at(refuge, "approval-requested"), StageAwaitingApproval,
			map[Role]string{RoleNominator: "withdrawn", RoleCurrentLandlord: "approved approval-declined"}},
		{"nominator/declined", refuge, then(at(refuge, "approval-requested"), declineApproval), StageDraft,
			map[Role]string{RoleNominator: "referral-drafted approval-requested withdrawn"}},
		{"nominator/approved", refuge, at(refuge, "approved"), StageAwaitingApproval,
			map[Role]string{RoleNominator: "circulated withdrawn"}},
		{"nominator/circulated", refuge, at(refuge, "circulated"), StageCirculated,
			map[Role]string{RoleNominator: "circulated withdrawn", RoleCandidate: "offer-made no-suitable-home"}},
		{"nominator/offers", refuge, at(refuge, "offer-loser"), StageOffersReceived,
			map[Role]string{RoleNominator: "circulated offer-accepted offer-declined withdrawn", RoleCandidate: "offer-made no-suitable-home"}},
		{"nominator/accepted", refuge, at(refuge, "accepted"), StageOfferAccepted,
			map[Role]string{RoleNominator: "filled details-released withdrawn"}},
		{"nominator/filled-told", refuge, at(refuge, "filled"), StageOfferAccepted,
			map[Role]string{RoleNominator: "filled details-released withdrawn"}},
		{"nominator/details", refuge, at(refuge, "details"), StageDetailsReleased,
			map[Role]string{RoleNominator: "filled details-released withdrawn", RoleAcceptedLandlord: "signed-up"}},
		{"nominator/signed-up", refuge, at(refuge, "signed-up"), StageDetailsReleased,
			map[Role]string{RoleNominator: "filled details-released withdrawn", RoleAcceptedLandlord: "moved-in"}},
		{"nominator/moved", refuge, at(refuge, "moved-in"), StageMoved,
			map[Role]string{RoleNominator: "filled closed"}},
		{"nominator/closed", refuge, at(refuge, "closed"), StageClosed,
			map[Role]string{RoleNominator: "filled"}},
		{"nominator/withdrawn", refuge, then(at(refuge, "offer-loser"), withdraw), StageWithdrawn, nil},

		// The current landlord's view.
		{"landlord/awaiting", current, at(current, "approval-requested"), StageAwaitingApproval,
			map[Role]string{RoleNominator: "withdrawn", RoleCurrentLandlord: "approved approval-declined"}},
		{"landlord/declined", current, then(at(current, "approval-requested"), declineApproval), StageDraft,
			map[Role]string{RoleNominator: "approval-requested withdrawn"}},
		{"landlord/approved", current, at(current, "approved"), StageCirculated,
			map[Role]string{RoleNominator: "closed withdrawn", RoleCandidate: "offer-made no-suitable-home"}},
		{"landlord/closed", current, at(current, "closed"), StageClosed, nil},
		{"landlord/withdrawn", current, then(at(current, "approved"), withdraw), StageWithdrawn, nil},

		// The winning candidate's view.
		{"winner/circulated", winner, at(winner, "circulated-winner"), StageCirculated,
			map[Role]string{RoleNominator: "filled withdrawn", RoleCandidate: "offer-made no-suitable-home"}},
		{"winner/offered", winner, at(winner, "offer-winner"), StageOffersReceived,
			map[Role]string{RoleNominator: "offer-accepted offer-declined filled withdrawn", RoleCandidate: "offer-made no-suitable-home"}},
		{"winner/accepted", winner, at(winner, "accepted"), StageOfferAccepted,
			map[Role]string{RoleNominator: "details-released withdrawn"}},
		{"winner/details", winner, at(winner, "details"), StageDetailsReleased,
			map[Role]string{RoleNominator: "details-released withdrawn", RoleAcceptedLandlord: "signed-up"}},
		{"winner/signed-up", winner, at(winner, "signed-up"), StageDetailsReleased,
			map[Role]string{RoleNominator: "details-released withdrawn", RoleAcceptedLandlord: "moved-in"}},
		{"winner/moved", winner, at(winner, "moved-in"), StageMoved,
			map[Role]string{RoleNominator: "closed"}},
		{"winner/closed", winner, at(winner, "closed"), StageClosed, nil},

		// The losing candidate's view.
		{"loser/circulated", loser, at(loser, "circulated-loser"), StageCirculated,
			map[Role]string{RoleNominator: "filled withdrawn", RoleCandidate: "offer-made no-suitable-home"}},
		{"loser/offered", loser, at(loser, "offer-loser"), StageOffersReceived,
			map[Role]string{RoleNominator: "offer-accepted offer-declined filled withdrawn", RoleCandidate: "offer-made no-suitable-home"}},
		{"loser/filled", loser, at(loser, "filled"), StageFilled, nil},
	}
}

// validEvent builds an event of kind k by actor that fits the case's
// details (so that a refusal can only come from role or stage), or reports
// that no such event exists.
func validEvent(c *Case, k EventKind, actor Party) (Event, bool) {
	ev := Event{Kind: k, Actor: actor, At: t0.Add(1000), Why: "reason given"}
	mine := actor.Org == c.Org
	switch k {
	case EventReferralDrafted:
		ev.Landlord = c.CurrentLandlord
		return ev, mine
	case EventApprovalRequested:
		ev.Landlord = c.CurrentLandlord
		return ev, c.CurrentLandlord != zero
	case EventApproved:
		ev.NoSuitableHome, ev.WillGiveHomeBack = true, true
	case EventCirculated:
		if !mine {
			return ev, false
		}
		ev.Orgs = []crypto.OrgID{outsider.Org}
	case EventOfferMade:
		ev.Offer = [16]byte{0xee}
	case EventNoSuitableHome:
		ev.Why = ""
	case EventOfferAccepted, EventOfferDeclined:
		for _, o := range c.Offers {
			if o.State == OfferPending {
				ev.Offer = o.ID
				return ev, true
			}
		}
		return ev, false
	case EventFilled:
		if c.MyRole() == RoleNominator {
			todo := c.ToTellFilled()
			if len(todo) == 0 {
				return ev, false
			}
			ev.Landlord = todo[0]
		} else {
			ev.Landlord = c.Org
		}
	case EventDetailsReleased:
		ev.Landlord = c.AcceptedLandlord
		ev.Consent = consent()
	case EventMessage, EventAttachment:
		role := c.RoleOf(actor.Org)
		switch {
		case mine && role == RoleNominator:
			others := c.Organisations()
			if len(others) == 0 {
				return ev, false
			}
			ev.Orgs = others[:1]
		case mine:
			ev.Orgs = []crypto.OrgID{c.Nominator}
		case role == RoleNominator || c.Org == c.Nominator:
			ev.Orgs = []crypto.OrgID{c.Org}
		default:
			return ev, false
		}
	case EventRead, EventRecalled:
		ev.Packet = [16]byte{0xdd}
	}
	return ev, true
}

// actorFor returns an organisation holding role in the case that is still
// part of it, or false.
func actorFor(c *Case, role Role) (Party, bool) {
	for _, p := range orgs() {
		if c.RoleOf(p.Org) == role && (role == RoleNone || c.InCase(p.Org)) {
			return p, true
		}
	}
	return Party{}, false
}

// TestTransitionTable checks every (stage, event, role) combination in
// every view of the flow: Allowed lists exactly the expected kinds, and
// Apply accepts exactly those, refusing the rest with ErrNotPermitted or
// ErrWrongStage and leaving the case untouched.
func TestTransitionTable(t *testing.T) {
	caseRoles := []Role{RoleNominator, RoleCurrentLandlord, RoleCandidate, RoleAcceptedLandlord}
	for _, st := range tableStates() {
		t.Run(st.name, func(t *testing.T) {
			c := st.build(t)
			if c.Stage != st.stage {
				t.Fatalf("stage = %q, want %q", c.Stage, st.stage)
			}
			for _, role := range Roles() {
				var want []EventKind
				if slices.Contains(caseRoles, role) {
					want = append(want, generic(c.Stage)...)
				}
				for _, k := range strings.Fields(st.want[role]) {
					want = append(want, EventKind(k))
				}
				got := c.Allowed(role)
				if !sameKinds(got, want) {
					t.Errorf("Allowed(%s) = %v, want %v", role, got, want)
				}
				actor, ok := actorFor(c, role)
				if !ok {
					continue
				}
				for _, k := range EventKinds() {
					ev, ok := validEvent(c, k, actor)
					if !ok {
						continue
					}
					d := c.Clone()
					err := d.Apply(ev)
					allowed := slices.Contains(want, k)
					switch {
					case allowed && err != nil:
						t.Errorf("%s by %s (%s): refused: %v", k, actor.OrgName, role, err)
					case !allowed && err == nil:
						t.Errorf("%s by %s (%s): accepted, want refused", k, actor.OrgName, role)
					case !allowed:
						var te *TransitionError
						if !errors.As(err, &te) || !(errors.Is(err, ErrNotPermitted) || errors.Is(err, ErrWrongStage) || errors.Is(err, ErrInvalidEvent)) {
							t.Errorf("%s by %s: error %v is not a TransitionError with a sentinel", k, role, err)
						} else if te.From != c.Stage || te.Event != k {
							t.Errorf("%s by %s: error fields %+v", k, role, te)
						}
						if d.Stage != c.Stage || len(d.History) != len(c.History) {
							t.Errorf("%s by %s: refused event changed the case", k, role)
						}
					}
				}
			}
		})
	}
}

func sameKinds(a, b []EventKind) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
