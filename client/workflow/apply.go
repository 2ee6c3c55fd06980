package workflow

import (
	"fmt"
	"slices"
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

// permit checks the role and the stage only (Allowed uses it too).
func (c *Case) permit(k EventKind, role Role) *TransitionError {
	fail := func(sentinel error, reason string) *TransitionError {
		return &TransitionError{From: c.Stage, Event: k, Actor: role, Reason: reason, Err: sentinel}
	}
	notRole := func() *TransitionError {
		return fail(ErrNotPermitted, role.article()+" may not do this")
	}
	wrongStage := func() *TransitionError { return fail(ErrWrongStage, c.Stage.describe()) }
	needRole := func(roles ...Role) bool { return slices.Contains(roles, role) }
	inStage := func(stages ...Stage) bool { return slices.Contains(stages, c.Stage) }
	caseRoles := []Role{RoleNominator, RoleCurrentLandlord, RoleCandidate, RoleAcceptedLandlord}

	if c.Stage == StageNone && !starts(k) {
		return wrongStage()
	}
	switch k {
	case EventReferralDrafted, EventApprovalRequested:
		if !needRole(RoleNominator) {
			return notRole()
		}
		if k == EventReferralDrafted && c.Stage != StageNone && c.MyRole() != RoleNominator {
			return fail(ErrNotPermitted, "a draft is local to the nominating organisation")
		}
		if !inStage(StageNone, StageDraft) {
			return wrongStage()
		}
		if k == EventApprovalRequested && c.Approved {
			return fail(ErrWrongStage, "the referral is already approved")
		}
	case EventApproved, EventApprovalDeclined:
		if !needRole(RoleCurrentLandlord) {
			return notRole()
		}
		if !inStage(StageAwaitingApproval) {
			return wrongStage()
		}
		if c.Approved {
			return fail(ErrWrongStage, "the current landlord has already approved")
		}
	case EventCirculated:
		if !needRole(RoleNominator) {
			return notRole()
		}
		if c.Stage != StageNone && c.MyRole() != RoleNominator {
			return fail(ErrWrongStage, "this organisation has already received the referral")
		}
		switch c.Stage {
		case StageNone, StageCirculated, StageOffersReceived:
		case StageDraft:
			if c.CurrentLandlord != zero && !c.Approved {
				return fail(ErrWrongStage, "the referral names a current landlord, whose approval is needed first")
			}
		case StageAwaitingApproval:
			if !c.Approved {
				return fail(ErrWrongStage, "the current landlord has not approved yet")
			}
		default:
			return wrongStage()
		}
	case EventOfferMade:
		if !needRole(RoleCandidate) {
			return notRole()
		}
		if !inStage(StageCirculated, StageOffersReceived) {
			return wrongStage()
		}
	case EventNoSuitableHome:
		if !needRole(RoleCandidate) {
			return notRole()
		}
		if !inStage(StageCirculated, StageOffersReceived) {
			return wrongStage()
		}
	case EventOfferAccepted, EventOfferDeclined:
		if !needRole(RoleNominator) {
			return notRole()
		}
		if !inStage(StageOffersReceived) {
			if c.Stage == StageCirculated || c.Stage == StageAwaitingApproval || c.Stage == StageDraft {
				return fail(ErrWrongStage, "there is no offer waiting for a decision")
			}
			return wrongStage()
		}
	case EventFilled:
		if !needRole(RoleNominator) {
			return notRole()
		}
		if c.MyRole() == RoleNominator {
			if !inStage(StageOfferAccepted, StageDetailsReleased, StageMoved, StageClosed) {
				if c.Stage.Open() {
					return fail(ErrWrongStage, "no offer has been accepted yet")
				}
				return wrongStage()
			}
		} else if c.MyRole() != RoleCandidate {
			return fail(ErrInvalidEvent, "only a candidate landlord is told the referral is filled")
		} else if !inStage(StageCirculated, StageOffersReceived) {
			return wrongStage()
		}
	case EventDetailsReleased:
		if !needRole(RoleNominator) {
			return notRole()
		}
		if !inStage(StageOfferAccepted, StageDetailsReleased) {
			if c.Stage.Open() {
				return fail(ErrWrongStage, "no offer has been accepted yet")
			}
			return wrongStage()
		}
	case EventSignedUp, EventMovedIn:
		if !needRole(RoleAcceptedLandlord) {
			return notRole()
		}
		if !inStage(StageDetailsReleased) {
			if c.Stage == StageOfferAccepted {
				return fail(ErrWrongStage, "household details have not been released yet")
			}
			return wrongStage()
		}
		if k == EventSignedUp && c.SignedUp {
			return fail(ErrWrongStage, "the tenancy is already signed up")
		}
		if k == EventMovedIn && !c.SignedUp {
			return fail(ErrWrongStage, "the tenancy has not been signed up yet")
		}
	case EventClosed:
		if !needRole(RoleNominator) {
			return notRole()
		}
		landlordView := c.MyRole() == RoleCurrentLandlord && c.Stage == StageCirculated && c.Approved
		if !inStage(StageMoved) && !landlordView {
			if c.Stage.Open() {
				return fail(ErrWrongStage, "the household has not moved yet")
			}
			return wrongStage()
		}
	case EventWithdrawn:
		if !needRole(RoleNominator) {
			return notRole()
		}
		if !c.Stage.Open() {
			return wrongStage()
		}
	case EventMessage:
		if !needRole(caseRoles...) {
			return notRole()
		}
		if !inStage(StageAwaitingApproval, StageCirculated, StageOffersReceived, StageOfferAccepted, StageDetailsReleased, StageMoved) {
			return wrongStage()
		}
	case EventAttachment:
		if !needRole(caseRoles...) {
			return notRole()
		}
		if !inStage(StageCirculated, StageOffersReceived, StageOfferAccepted, StageDetailsReleased, StageMoved) {
			return wrongStage()
		}
	case EventRead, EventRecalled:
		if !needRole(caseRoles...) {
			return notRole()
		}
		if inStage(StageNone, StageDraft) {
			return wrongStage()
		}
	default:
		return fail(ErrInvalidEvent, "unknown event kind")
	}
	return nil
}

// validate checks that the event's details fit the case.
func (c *Case) validate(ev *Event, role Role) error {
	fail := func(sentinel error, format string, args ...any) error {
		return &TransitionError{From: c.Stage, Event: ev.Kind, Actor: role, Reason: fmt.Sprintf(format, args...), Err: sentinel}
	}
	mine := ev.Actor.Org == c.Org // sent by this organisation (this device or a colleague's)
	switch ev.Kind {
	case EventReferralDrafted:
		if !mine {
			return fail(ErrNotPermitted, "a draft is local and cannot come from another organisation")
		}
	case EventApprovalRequested:
		if ev.Landlord == zero {
			return fail(ErrInvalidEvent, "no current landlord named")
		}
		if ev.Landlord == ev.Actor.Org {
			return fail(ErrInvalidEvent, "the nominating organisation cannot approve its own referral")
		}
		if c.CurrentLandlord != zero && ev.Landlord != c.CurrentLandlord {
			return fail(ErrInvalidEvent, "the referral names a different current landlord")
		}
		if !mine && ev.Landlord != c.Org {
			return fail(ErrInvalidEvent, "the approval request is addressed to another landlord")
		}
	case EventApproved:
		if !ev.NoSuitableHome || !ev.WillGiveHomeBack {
			return fail(ErrInvalidEvent, "an approval must confirm there is no suitable home in the landlord's own stock and that it will give a home back")
		}
	case EventApprovalDeclined, EventWithdrawn:
		if ev.Why == "" {
			return fail(ErrInvalidEvent, "a reason is required")
		}
	case EventCirculated:
		if len(ev.Orgs) == 0 {
			return fail(ErrInvalidEvent, "no candidate landlord named")
		}
		seen := map[[16]byte]bool{}
		for _, o := range ev.Orgs {
			switch {
			case o == zero:
				return fail(ErrInvalidEvent, "a candidate landlord id is zero")
			case o == ev.Actor.Org:
				return fail(ErrInvalidEvent, "the nominating organisation cannot be a candidate")
			case o == ev.Landlord && o != zero, o == c.CurrentLandlord && c.CurrentLandlord != zero:
				return fail(ErrInvalidEvent, "the household's current landlord cannot be a candidate")
			case seen[o]:
				return fail(ErrInvalidEvent, "candidate %x named twice", o)
			}
			seen[o] = true
		}
		if c.CurrentLandlord != zero && ev.Landlord != zero && ev.Landlord != c.CurrentLandlord {
			return fail(ErrInvalidEvent, "the referral names a different current landlord")
		}
		if mine {
			for _, o := range ev.Orgs {
				if slices.Contains(c.Candidates, o) {
					return fail(ErrInvalidEvent, "the referral was already circulated to %x", o)
				}
			}
		} else {
			if c.Stage != StageNone {
				return fail(ErrInvalidEvent, "this organisation has already received the referral")
			}
			if !slices.Contains(ev.Orgs, c.Org) {
				return fail(ErrInvalidEvent, "the referral is not addressed to this organisation")
			}
		}
	case EventOfferMade:
		if ev.Offer == zero {
			return fail(ErrInvalidEvent, "the offer has no id")
		}
		if c.offer(ev.Offer) >= 0 {
			return fail(ErrInvalidEvent, "offer %x was already made", ev.Offer)
		}
		if slices.Contains(c.Filled, ev.Actor.Org) {
			return fail(ErrNotPermitted, "the landlord was told the referral is filled and is no longer part of the case")
		}
	case EventNoSuitableHome:
		if ev.Why != "" {
			return fail(ErrInvalidEvent, "no reason goes with \"no suitable home\": a reason could identify the landlord's stock")
		}
		if slices.Contains(c.Declined, ev.Actor.Org) || slices.Contains(c.Filled, ev.Actor.Org) {
			return fail(ErrNotPermitted, "the landlord is no longer part of the case")
		}
	case EventOfferAccepted:
		i := c.offer(ev.Offer)
		if i < 0 {
			return fail(ErrInvalidEvent, "offer %x is not one this organisation knows", ev.Offer)
		}
		if c.Offers[i].State != OfferPending {
			return fail(ErrInvalidEvent, "offer %x is %s", ev.Offer, c.Offers[i].State)
		}
	case EventOfferDeclined:
		if ev.Why == "" {
			return fail(ErrInvalidEvent, "a reason is required")
		}
		i := c.offer(ev.Offer)
		if i < 0 {
			return fail(ErrInvalidEvent, "offer %x is not one this organisation knows", ev.Offer)
		}
		if c.Offers[i].State != OfferPending {
			return fail(ErrInvalidEvent, "offer %x is %s", ev.Offer, c.Offers[i].State)
		}
	case EventFilled:
		if c.MyRole() == RoleNominator {
			switch {
			case c.RoleOf(ev.Landlord) == RoleAcceptedLandlord:
				return fail(ErrInvalidEvent, "the accepted landlord cannot be told the referral is filled")
			case c.RoleOf(ev.Landlord) != RoleCandidate:
				return fail(ErrInvalidEvent, "%x is not a candidate landlord", ev.Landlord)
			case slices.Contains(c.Filled, ev.Landlord):
				return fail(ErrInvalidEvent, "%x was already told", ev.Landlord)
			}
		} else if ev.Landlord != c.Org {
			return fail(ErrInvalidEvent, "the notice is addressed to another landlord")
		}
	case EventDetailsReleased:
		if ev.Landlord == zero || ev.Landlord != c.AcceptedLandlord {
			return fail(ErrNotPermitted, "household details go only to the landlord whose offer was accepted")
		}
		if ev.Consent == nil || (!ev.Consent.Given && ev.Consent.LegalBasis == "") {
			return fail(ErrNoConsent, "no consent or legal basis for sharing has been recorded")
		}
		if ev.Actor.Device == c.Device {
			if len(ev.Consent.Readers) == 0 {
				return fail(ErrNoConsent, "the user has not been shown who will be able to read the details")
			}
			landlordReader := false
			for _, r := range ev.Consent.Readers {
				switch r.Org {
				case c.AcceptedLandlord:
					landlordReader = true
				case c.Nominator:
				default:
					return fail(ErrNoConsent, "reader %q at %q is neither at the accepted landlord nor a colleague", r.DeviceName, r.OrgName)
				}
			}
			if !landlordReader {
				return fail(ErrNoConsent, "no device of the accepted landlord was shown as a reader")
			}
		}
	case EventMessage, EventAttachment:
		if !c.InCase(ev.Actor.Org) {
			return fail(ErrNotPermitted, "the sender is no longer part of the case")
		}
		if len(ev.Orgs) == 0 {
			return fail(ErrInvalidEvent, "no recipient named")
		}
		for _, o := range ev.Orgs {
			switch {
			case o == ev.Actor.Org:
				return fail(ErrInvalidEvent, "the sender is among the recipients")
			case o == c.Org && !mine:
			case !c.InCase(o):
				return fail(ErrNotPermitted, "recipient %x is not part of the case", o)
			case role != RoleNominator && o != c.Nominator:
				return fail(ErrNotPermitted, "only the nominating organisation can write to other landlords in the case")
			}
		}
		if !mine && !slices.Contains(ev.Orgs, c.Org) {
			return fail(ErrInvalidEvent, "the packet is not addressed to this organisation")
		}
	case EventRead, EventRecalled:
		if ev.Packet == zero {
			return fail(ErrInvalidEvent, "no packet named")
		}
	}
	return nil
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
			c.Candidates = [][16]byte{c.Org}
		}
		if c.Stage != StageOffersReceived {
			c.Stage = StageCirculated
		}
	case EventOfferMade:
		c.Offers = append(c.Offers, Offer{ID: ev.Offer, Landlord: ev.Actor.Org, State: OfferPending, Made: ev.At})
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
	case EventMovedIn:
		c.Stage = StageMoved
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
