package workflow

import (
	"fmt"
	"slices"

	"github.com/saferef/saferef/crypto"
)

var zero [16]byte

// starts reports whether an event of kind k can open a case this
// organisation has not heard of.
func starts(k EventKind) bool {
	return k == EventReferralDrafted || k == EventApprovalRequested || k == EventCirculated
}

// Apply is the single place where a case changes. It checks that the
// actor's role (computed from this case, never taken from the event) may do
// this, that the stage allows it and that the event fits the case, then
// records it. A refusal is a *TransitionError and leaves the case as it
// was. The same call is made before sending (the sender's own view) and on
// receipt (the receiver's view).
func (c *Case) Apply(ev Event) error {
	role := c.RoleOf(ev.Actor.Org)
	if c.Stage == StageNone && starts(ev.Kind) && ev.Actor.Org != zero {
		role = RoleNominator // whoever first sends the referral is its nominator
	}
	fail := func(sentinel error, format string, args ...any) error {
		return &TransitionError{From: c.Stage, Event: ev.Kind, Actor: role, Reason: fmt.Sprintf(format, args...), Err: sentinel}
	}
	if !slices.Contains(EventKinds(), ev.Kind) {
		return fail(ErrInvalidEvent, "unknown event kind")
	}
	if ev.Actor.Org == zero || ev.Actor.Device == zero {
		return fail(ErrInvalidEvent, "the event names no organisation or device")
	}
	if ev.At.IsZero() {
		return fail(ErrInvalidEvent, "the event has no time")
	}
	if ev.Status != "" {
		if k, err := StatusEvent(ev.Status); err != nil || k != ev.Kind {
			return fail(ErrInvalidEvent, "status %q does not match the event", ev.Status)
		}
	}
	if ev.ActorRole != "" && ev.ActorRole != role {
		return fail(ErrNotPermitted, "the sender claims to be %s but is %s in this case", ev.ActorRole.article(), role.article())
	}
	if err := c.permit(ev.Kind, role); err != nil {
		return err
	}
	if err := c.validate(&ev, role); err != nil {
		return err
	}
	ev.ActorRole = role
	c.record(ev)
	return nil
}

// permit checks the role and the stage only (Allowed uses it too), by the
// event's rule in rules. A stage refusal in a case that ended for a reason
// the stage does not tell ("the nominating organisation recalled the
// referral") says that reason too.
func (c *Case) permit(k EventKind, role Role) *TransitionError {
	err := c.permitRule(k, role)
	if err != nil && err.Err == ErrWrongStage && c.EndedWhy != "" {
		err.Reason += ": " + c.EndedWhy
	}
	return err
}

// permitRule is permit without the case's ending reason.
func (c *Case) permitRule(k EventKind, role Role) *TransitionError {
	fail := func(sentinel error, reason string) *TransitionError {
		return &TransitionError{From: c.Stage, Event: k, Actor: role, Reason: reason, Err: sentinel}
	}
	r, ok := rules[k]
	if !ok {
		return fail(ErrInvalidEvent, "unknown event kind")
	}
	if c.Stage == StageNone && !starts(k) {
		return fail(ErrWrongStage, c.Stage.describe())
	}
	if !slices.Contains(r.roles, role) {
		return fail(ErrNotPermitted, role.article()+" may not do this")
	}
	if r.before != nil {
		if err := r.before(c, fail); err != nil {
			return err
		}
	}
	if r.stage != nil {
		if err := r.stage(c, fail); err != nil {
			return err
		}
	} else if !r.allows(c.Stage) {
		if r.notYetWhy != "" && slices.Contains(r.notYet, c.Stage) {
			return fail(ErrWrongStage, r.notYetWhy)
		}
		return fail(ErrWrongStage, c.Stage.describe())
	}
	if r.after != nil {
		return r.after(c, k, fail)
	}
	return nil
}

// validate checks that the event's details fit the case, by the event's
// validator in validators.
func (c *Case) validate(ev *Event, role Role) error {
	v, ok := validators[ev.Kind]
	if !ok {
		return nil
	}
	return v(&eventCheck{c: c, ev: ev, role: role, mine: ev.Actor.Org == c.Org})
}

// record changes the case for an event that passed the checks.
func (c *Case) record(ev Event) {
	if c.Created.IsZero() {
		c.Created = ev.At
	}
	if ev.At.After(c.Updated) {
		c.Updated = ev.At
	}
	mine := ev.Actor.Org == c.Org
	switch ev.Kind {
	case EventReferralDrafted:
		c.Stage = StageDraft
		c.Nominator = ev.Actor.Org
		c.CurrentLandlord = ev.Landlord
		c.Approved = ev.Landlord != zero && ev.Landlord == ev.Actor.Org
	case EventApprovalRequested:
		c.Stage = StageAwaitingApproval
		c.Nominator = ev.Actor.Org
		c.CurrentLandlord = ev.Landlord
	case EventApproved:
		c.Approved = true
		if c.MyRole() == RoleCurrentLandlord {
			c.Stage = StageCirculated // its part is done; it waits for closure or withdrawal
		}
	case EventApprovalDeclined:
		c.Stage = StageDraft
	case EventCirculated:
		c.Nominator = ev.Actor.Org
		if ev.Landlord != zero {
			c.CurrentLandlord = ev.Landlord
		}
		if mine {
			c.Candidates = append(c.Candidates, ev.Orgs...)
		} else {
			c.Candidates = []crypto.OrgID{c.Org}
		}
		if c.Stage != StageOffersReceived {
			c.Stage = StageCirculated
		}
	case EventOfferMade:
		c.Offers = append(c.Offers, Offer{ID: ev.Offer, Landlord: ev.Actor.Org, State: OfferPending, Made: ev.At, Expires: ev.Expires})
		c.Stage = StageOffersReceived
	case EventNoSuitableHome:
		if mine && c.MyRole() == RoleCandidate {
			c.Stage, c.Ended = StageDeclined, ev.At
			break
		}
		c.Declined = append(c.Declined, ev.Actor.Org)
		// Its own offers still waiting are withdrawn with it.
		for j := range c.Offers {
			if c.Offers[j].Landlord == ev.Actor.Org && c.Offers[j].State == OfferPending {
				c.Offers[j].State, c.Offers[j].Decided = OfferDeclined, ev.At
			}
		}
		if c.Stage == StageOffersReceived && c.pendingOffers() == 0 {
			c.Stage = StageCirculated
		}
	case EventOfferAccepted:
		i := c.offer(ev.Offer)
		c.Offers[i].State, c.Offers[i].Decided = OfferAccepted, ev.At
		for j := range c.Offers {
			if c.Offers[j].State == OfferPending {
				c.Offers[j].State, c.Offers[j].Decided = OfferFilled, ev.At
			}
		}
		c.AcceptedOffer = ev.Offer
		c.AcceptedLandlord = c.Offers[i].Landlord
		c.Stage = StageOfferAccepted
	case EventOfferDeclined:
		i := c.offer(ev.Offer)
		c.Offers[i].State, c.Offers[i].Decided, c.Offers[i].Why = OfferDeclined, ev.At, ev.Why
		if c.pendingOffers() == 0 {
			c.Stage = StageCirculated
		}
	case EventFilled:
		if c.MyRole() == RoleNominator {
			c.Filled = append(c.Filled, ev.Landlord)
			break
		}
		for j := range c.Offers {
			if c.Offers[j].State == OfferPending {
				c.Offers[j].State, c.Offers[j].Decided = OfferFilled, ev.At
			}
		}
		c.Stage, c.Ended = StageFilled, ev.At
	case EventDetailsReleased:
		c.DetailsReleasedTo = ev.Landlord
		cons := *ev.Consent
		cons.Readers = slices.Clone(ev.Consent.Readers)
		c.Consent = &cons
		hist := cons
		ev.Consent = &hist
		c.Stage = StageDetailsReleased
	case EventSignedUp:
		c.SignedUp = true
		c.SignedUpOn = ev.Effective
	case EventMovedIn:
		c.Stage = StageMoved
		c.MovedInOn = ev.Effective
	case EventRecalled:
		if ev.RecalledReferral && c.MyRole() == RoleCandidate && c.Stage.Open() {
			for j := range c.Offers {
				if c.Offers[j].State == OfferPending {
					c.Offers[j].State, c.Offers[j].Decided = OfferDeclined, ev.At
				}
			}
			c.Stage, c.Ended, c.EndedWhy = StageWithdrawn, ev.At, "the nominating organisation recalled the referral"
		}
	case EventClosed:
		c.Stage, c.Ended = StageClosed, ev.At
	case EventWithdrawn:
		for j := range c.Offers {
			if c.Offers[j].State == OfferPending {
				c.Offers[j].State, c.Offers[j].Decided = OfferDeclined, ev.At
			}
		}
		c.Stage, c.Ended = StageWithdrawn, ev.At
	}
	ev.Orgs = slices.Clone(ev.Orgs)
	c.History = append(c.History, ev)
}
