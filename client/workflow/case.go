package workflow

import (
	"slices"
	"time"

	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/crypto"
)

// OfferState is where one offer stands.
type OfferState string

// Offer states.
const (
	OfferPending  OfferState = "pending"
	OfferAccepted OfferState = "accepted"
	OfferDeclined OfferState = "declined"
	// OfferFilled is an offer left open when another offer was accepted.
	OfferFilled OfferState = "filled"
	// OfferExpired is how a pending offer past its expiry date is shown;
	// it can no longer be accepted. (The case records it as pending: the
	// state depends on when one looks.)
	OfferExpired OfferState = "expired"
)

// Offer is one offer of a property in a case, as this organisation knows
// it (a candidate knows only its own offers).
type Offer struct {
	ID       [16]byte
	Landlord crypto.OrgID
	State    OfferState
	Made     time.Time
	Decided  time.Time
	Why      string // the reason given when declined
	// Expires is the last day the offer stands, YYYY-MM-DD ("" for an
	// offer recorded before offers carried one).
	Expires string
}

// ExpiredAt reports whether the offer has expired at t: t is after the
// end of its last day (UTC).
func (o Offer) ExpiredAt(t time.Time) bool {
	return expiredAt(o.Expires, t)
}

func expiredAt(expires string, t time.Time) bool {
	if expires == "" {
		return false
	}
	d, err := time.Parse(time.DateOnly, expires)
	if err != nil {
		return true
	}
	return !t.Before(d.AddDate(0, 0, 1))
}

// Case is one case from the point of view of ONE organisation (Org): cases
// look different at each participant, and a candidate does not know the
// other candidates. Change it only through Apply.
type Case struct {
	ID     [16]byte
	Org    crypto.OrgID    // the organisation whose view this is
	Device crypto.DeviceID // this device: details-released checks readers only when it is the actor
	Stage  Stage

	Nominator       crypto.OrgID
	CurrentLandlord crypto.OrgID // zero when the household has no landlord in the scheme
	// Approved is true once the current landlord approved (or when the
	// nominator is itself the current landlord).
	Approved bool
	// Candidates are the landlords the referral was circulated to: every
	// one at the nominator, only itself at a candidate.
	Candidates []crypto.OrgID
	// Filled lists the candidates told "filled" (at the nominator).
	Filled []crypto.OrgID
	// Declined lists the candidates that answered "no suitable home" (at
	// the nominator); they are no longer part of the case.
	Declined []crypto.OrgID
	Offers   []Offer

	AcceptedOffer     [16]byte
	AcceptedLandlord  crypto.OrgID
	DetailsReleasedTo crypto.OrgID
	Consent           *Consent // as recorded when details were released
	SignedUp          bool
	// SignedUpOn and MovedInOn are the effective dates of the sign-up and
	// the move, YYYY-MM-DD.
	SignedUpOn, MovedInOn string
	// EndedWhy says why the case ended here when that is not plain from
	// the stage ("the nominator recalled the referral").
	EndedWhy string

	Created time.Time // first event
	Updated time.Time // last event
	Ended   time.Time // when the case became closed, withdrawn or filled here
	History []Event
}

// New returns an empty case as seen by organisation org on device device:
// the first event applied to it must be referral-drafted (by org),
// approval-requested or circulated.
func New(id [16]byte, org crypto.OrgID, device crypto.DeviceID) *Case {
	return &Case{ID: id, Org: org, Device: device}
}

// Replay builds a case from its history, applying each event in order.
func Replay(id [16]byte, org crypto.OrgID, device crypto.DeviceID, events []Event) (*Case, error) {
	c := New(id, org, device)
	for _, ev := range events {
		ev.ActorRole = ""
		if err := c.Apply(ev); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Clone returns a deep copy of the case.
func (c *Case) Clone() *Case {
	d := *c
	d.Candidates = slices.Clone(c.Candidates)
	d.Filled = slices.Clone(c.Filled)
	d.Declined = slices.Clone(c.Declined)
	d.Offers = slices.Clone(c.Offers)
	d.History = slices.Clone(c.History)
	if c.Consent != nil {
		cc := *c.Consent
		cc.Readers = slices.Clone(c.Consent.Readers)
		d.Consent = &cc
	}
	return &d
}

// RoleOf returns the role organisation org plays in the case, as this
// organisation knows it.
func (c *Case) RoleOf(org crypto.OrgID) Role {
	switch {
	case org.IsZero():
		return RoleNone
	case org == c.Nominator:
		return RoleNominator
	case org == c.CurrentLandlord:
		return RoleCurrentLandlord
	case org == c.AcceptedLandlord:
		return RoleAcceptedLandlord
	case slices.Contains(c.Candidates, org):
		return RoleCandidate
	}
	return RoleNone
}

// MyRole is the role of the organisation whose view this is.
func (c *Case) MyRole() Role { return c.RoleOf(c.Org) }

// InCase reports whether org is still part of the case: it has a role and,
// if a candidate, has not been told the referral is filled.
func (c *Case) InCase(org crypto.OrgID) bool {
	r := c.RoleOf(org)
	if r == RoleNone || r == RoleCoordinator {
		return false
	}
	return !(r == RoleCandidate && (slices.Contains(c.Filled, org) || slices.Contains(c.Declined, org)))
}

// Organisations returns the other organisations still part of the case as
// this organisation knows them (the ones a withdrawal or closure goes to):
// never this organisation, never a candidate already told "filled".
func (c *Case) Organisations() []crypto.OrgID {
	var out []crypto.OrgID
	add := func(o crypto.OrgID) {
		if !o.IsZero() && o != c.Org && c.InCase(o) && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	add(c.Nominator)
	add(c.CurrentLandlord)
	add(c.AcceptedLandlord)
	for _, o := range c.Candidates {
		add(o)
	}
	return out
}

// ToTellFilled returns the candidates still to be told "filled" after an
// acceptance (at the nominator).
func (c *Case) ToTellFilled() []crypto.OrgID {
	if c.AcceptedLandlord.IsZero() || c.MyRole() != RoleNominator {
		return nil
	}
	var out []crypto.OrgID
	for _, o := range c.Candidates {
		if o != c.AcceptedLandlord && !slices.Contains(c.Filled, o) && !slices.Contains(c.Declined, o) {
			out = append(out, o)
		}
	}
	return out
}

// Overrides returns the disclosure guard overrides recorded in the case.
func (c *Case) Overrides() []guard.Override {
	var out []guard.Override
	for _, e := range c.History {
		if e.Kind == EventGuardOverride {
			out = append(out, guard.Override{Match: e.Match, Reason: e.Why})
		}
	}
	return out
}

// offer returns the index of offer id, or -1.
func (c *Case) offer(id [16]byte) int {
	return slices.IndexFunc(c.Offers, func(o Offer) bool { return o.ID == id })
}

// pendingOffers counts the offers still waiting for a decision.
func (c *Case) pendingOffers() int {
	n := 0
	for _, o := range c.Offers {
		if o.State == OfferPending {
			n++
		}
	}
	return n
}
