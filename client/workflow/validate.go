package workflow

import (
	"fmt"
	"slices"
	"time"
)

// eventCheck is one event being checked against the case it would change.
type eventCheck struct {
	c    *Case
	ev   *Event
	role Role // the actor's role, computed by the case
	mine bool // sent by this organisation (this device or a colleague's)
}

// fail builds the refusal of the event.
func (x *eventCheck) fail(sentinel error, format string, args ...any) error {
	return &TransitionError{From: x.c.Stage, Event: x.ev.Kind, Actor: x.role, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

// validators check that an event's details fit the case, one function per
// event kind; a kind without one has no details to check.
var validators = map[EventKind]func(x *eventCheck) error{
	EventReferralDrafted:   validateDraft,
	EventApprovalRequested: validateApprovalRequest,
	EventApproved:          validateApproval,
	EventApprovalDeclined:  validateReason,
	EventWithdrawn:         validateWithdrawal,
	EventSignedUp:          validateDates,
	EventMovedIn:           validateDates,
	EventClosed:            validateDates,
	EventGuardOverride:     validateOverride,
	EventCirculated:        validateCirculation,
	EventOfferMade:         validateOffer,
	EventNoSuitableHome:    validateNoSuitableHome,
	EventOfferAccepted:     validateOfferAcceptance,
	EventOfferDeclined:     validateOfferDecline,
	EventFilled:            validateFilled,
	EventDetailsReleased:   validateRelease,
	EventMessage:           validateCasePacket,
	EventAttachment:        validateCasePacket,
	EventRead:              validatePacketRef,
	EventRecalled:          validatePacketRef,
}

func validateDraft(x *eventCheck) error {
	if !x.mine {
		return x.fail(ErrNotPermitted, "a draft is local and cannot come from another organisation")
	}
	return nil
}

func validateApprovalRequest(x *eventCheck) error {
	c, ev := x.c, x.ev
	switch {
	case ev.Landlord == zero:
		return x.fail(ErrInvalidEvent, "no current landlord named")
	case ev.Landlord == ev.Actor.Org:
		return x.fail(ErrInvalidEvent, "the nominating organisation cannot approve its own referral")
	case c.CurrentLandlord != zero && ev.Landlord != c.CurrentLandlord:
		return x.fail(ErrInvalidEvent, "the referral names a different current landlord")
	case !x.mine && ev.Landlord != c.Org:
		return x.fail(ErrInvalidEvent, "the approval request is addressed to another landlord")
	}
	return nil
}

func validateApproval(x *eventCheck) error {
	if !x.ev.NoSuitableHome || !x.ev.WillGiveHomeBack {
		return x.fail(ErrInvalidEvent, "an approval must confirm there is no suitable home in the landlord's own stock and that it will give a home back")
	}
	return nil
}

func validateReason(x *eventCheck) error {
	if x.ev.Why == "" {
		return x.fail(ErrInvalidEvent, "a reason is required")
	}
	return nil
}

func validateCirculation(x *eventCheck) error {
	c, ev := x.c, x.ev
	if len(ev.Orgs) == 0 {
		return x.fail(ErrInvalidEvent, "no candidate landlord named")
	}
	seen := map[[16]byte]bool{}
	for _, o := range ev.Orgs {
		switch {
		case o == zero:
			return x.fail(ErrInvalidEvent, "a candidate landlord id is zero")
		case o == ev.Actor.Org:
			return x.fail(ErrInvalidEvent, "the nominating organisation cannot be a candidate")
		case o == ev.Landlord && o != zero, o == c.CurrentLandlord && c.CurrentLandlord != zero:
			return x.fail(ErrInvalidEvent, "the household's current landlord cannot be a candidate")
		case seen[o]:
			return x.fail(ErrInvalidEvent, "candidate %x named twice", o)
		}
		seen[o] = true
	}
	if c.CurrentLandlord != zero && ev.Landlord != zero && ev.Landlord != c.CurrentLandlord {
		return x.fail(ErrInvalidEvent, "the referral names a different current landlord")
	}
	if x.mine {
		for _, o := range ev.Orgs {
			if slices.Contains(c.Candidates, o) {
				return x.fail(ErrInvalidEvent, "the referral was already circulated to %x", o)
			}
		}
		return nil
	}
	if c.Stage != StageNone {
		return x.fail(ErrInvalidEvent, "this organisation has already received the referral")
	}
	if !slices.Contains(ev.Orgs, c.Org) {
		return x.fail(ErrInvalidEvent, "the referral is not addressed to this organisation")
	}
	return nil
}

func validateOffer(x *eventCheck) error {
	c, ev := x.c, x.ev
	switch {
	case ev.Offer == zero:
		return x.fail(ErrInvalidEvent, "the offer has no id")
	case c.offer(ev.Offer) >= 0:
		return x.fail(ErrInvalidEvent, "offer %x was already made", ev.Offer)
	case slices.Contains(c.Filled, ev.Actor.Org):
		return x.fail(ErrNotPermitted, "the landlord was told the referral is filled and is no longer part of the case")
	case expiredAt(ev.Expires, ev.At):
		return x.fail(ErrOfferExpired, "the offer expired on %s, before it was made", ev.Expires)
	}
	return nil
}

func validateNoSuitableHome(x *eventCheck) error {
	c, ev := x.c, x.ev
	if ev.Why != "" {
		return x.fail(ErrInvalidEvent, "no reason goes with \"no suitable home\": a reason could identify the landlord's stock")
	}
	if slices.Contains(c.Declined, ev.Actor.Org) || slices.Contains(c.Filled, ev.Actor.Org) {
		return x.fail(ErrNotPermitted, "the landlord is no longer part of the case")
	}
	return nil
}

// validatePendingOffer checks that the event names an offer this
// organisation knows and that still waits for a decision.
func validatePendingOffer(x *eventCheck) error {
	i := x.c.offer(x.ev.Offer)
	if i < 0 {
		return x.fail(ErrInvalidEvent, "offer %x is not one this organisation knows", x.ev.Offer)
	}
	if x.c.Offers[i].State != OfferPending {
		return x.fail(ErrInvalidEvent, "offer %x is %s", x.ev.Offer, x.c.Offers[i].State)
	}
	return nil
}

func validateOfferAcceptance(x *eventCheck) error {
	if err := validatePendingOffer(x); err != nil {
		return err
	}
	if o := x.c.Offers[x.c.offer(x.ev.Offer)]; o.ExpiredAt(x.ev.At) {
		return x.fail(ErrOfferExpired, "offer %x expired on %s", x.ev.Offer, o.Expires)
	}
	return nil
}

func validateWithdrawal(x *eventCheck) error {
	if err := validateReason(x); err != nil {
		return err
	}
	return validateDates(x)
}

// validateDates checks a status event's effective date: a date, at most a
// day after the event, not before the case began, and in order
// (signed-up <= moved-in <= closed).
func validateDates(x *eventCheck) error {
	c, ev := x.c, x.ev
	if ev.Effective == "" {
		return nil
	}
	eff, err := time.Parse(time.DateOnly, ev.Effective)
	if err != nil {
		return x.fail(ErrInvalidEvent, "effective date %q is not a date as YYYY-MM-DD", ev.Effective)
	}
	if eff.After(ev.At.UTC().AddDate(0, 0, 1)) {
		return x.fail(ErrInvalidEvent, "effective date %s is in the future (more than a day ahead)", ev.Effective)
	}
	if !c.Created.IsZero() {
		if start := c.Created.UTC().Format(time.DateOnly); ev.Effective < start {
			return x.fail(ErrInvalidEvent, "effective date %s is before the case began (%s)", ev.Effective, start)
		}
	}
	switch {
	case ev.Kind == EventMovedIn && c.SignedUpOn != "" && ev.Effective < c.SignedUpOn:
		return x.fail(ErrInvalidEvent, "moved-in date %s is before the sign-up date %s", ev.Effective, c.SignedUpOn)
	case ev.Kind == EventClosed && c.MovedInOn != "" && ev.Effective < c.MovedInOn:
		return x.fail(ErrInvalidEvent, "closing date %s is before the moved-in date %s", ev.Effective, c.MovedInOn)
	}
	return nil
}

func validateOverride(x *eventCheck) error {
	switch {
	case !x.mine:
		return x.fail(ErrNotPermitted, "a guard override is local to this organisation")
	case x.ev.Match == "" || x.ev.Why == "":
		return x.fail(ErrInvalidEvent, "an override names the match and gives a reason")
	}
	return nil
}

func validateOfferDecline(x *eventCheck) error {
	if err := validateReason(x); err != nil {
		return err
	}
	return validatePendingOffer(x)
}

func validateFilled(x *eventCheck) error {
	c, ev := x.c, x.ev
	if c.MyRole() != RoleNominator {
		if ev.Landlord != c.Org {
			return x.fail(ErrInvalidEvent, "the notice is addressed to another landlord")
		}
		return nil
	}
	switch {
	case c.RoleOf(ev.Landlord) == RoleAcceptedLandlord:
		return x.fail(ErrInvalidEvent, "the accepted landlord cannot be told the referral is filled")
	case c.RoleOf(ev.Landlord) != RoleCandidate:
		return x.fail(ErrInvalidEvent, "%x is not a candidate landlord", ev.Landlord)
	case slices.Contains(c.Filled, ev.Landlord):
		return x.fail(ErrInvalidEvent, "%x was already told", ev.Landlord)
	}
	return nil
}

func validateRelease(x *eventCheck) error {
	c, ev := x.c, x.ev
	if ev.Landlord == zero || ev.Landlord != c.AcceptedLandlord {
		return x.fail(ErrNotPermitted, "household details go only to the landlord whose offer was accepted")
	}
	if ev.Consent == nil || (!ev.Consent.Given && ev.Consent.LegalBasis == "") {
		return x.fail(ErrNoConsent, "no consent or legal basis for sharing has been recorded")
	}
	if ev.Actor.Device != c.Device {
		return nil
	}
	// On the releasing device: the user must have been shown every reader.
	if len(ev.Consent.Readers) == 0 {
		return x.fail(ErrNoConsent, "the user has not been shown who will be able to read the details")
	}
	landlordReader := false
	for _, r := range ev.Consent.Readers {
		switch r.Org {
		case c.AcceptedLandlord:
			landlordReader = true
		case c.Nominator:
		default:
			return x.fail(ErrNoConsent, "reader %q at %q is neither at the accepted landlord nor a colleague", r.DeviceName, r.OrgName)
		}
	}
	if !landlordReader {
		return x.fail(ErrNoConsent, "no device of the accepted landlord was shown as a reader")
	}
	return nil
}

// validateCasePacket checks a case message's or attachment's recipients:
// hub and spoke, every recipient in the case.
func validateCasePacket(x *eventCheck) error {
	c, ev := x.c, x.ev
	if !c.InCase(ev.Actor.Org) {
		return x.fail(ErrNotPermitted, "the sender is no longer part of the case")
	}
	if len(ev.Orgs) == 0 {
		return x.fail(ErrInvalidEvent, "no recipient named")
	}
	for _, o := range ev.Orgs {
		switch {
		case o == ev.Actor.Org:
			return x.fail(ErrInvalidEvent, "the sender is among the recipients")
		case o == c.Org && !x.mine:
		case !c.InCase(o):
			return x.fail(ErrNotPermitted, "recipient %x is not part of the case", o)
		case x.role != RoleNominator && o != c.Nominator:
			return x.fail(ErrNotPermitted, "only the nominating organisation can write to other landlords in the case")
		}
	}
	if !x.mine && !slices.Contains(ev.Orgs, c.Org) {
		return x.fail(ErrInvalidEvent, "the packet is not addressed to this organisation")
	}
	return nil
}

func validatePacketRef(x *eventCheck) error {
	if x.ev.Packet == zero {
		return x.fail(ErrInvalidEvent, "no packet named")
	}
	return nil
}
