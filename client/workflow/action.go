package workflow

import (
	"bytes"
	"sort"
)

// Action is something waiting on this organisation's user in a case.
type Action string

// Actions, most pressing first (see Rank). ActionNone means nothing is
// waiting on this organisation.
const (
	ActionNone           Action = ""
	ActionApprove        Action = "approve"
	ActionReviewOffers   Action = "review offers"
	ActionReleaseDetails Action = "release details"
	ActionTellFilled     Action = "tell other candidates"
	ActionConsiderOffer  Action = "consider an offer"
	ActionConfirmSignUp  Action = "confirm sign-up"
	ActionConfirmMoveIn  Action = "confirm move-in"
	ActionCirculate      Action = "circulate"
	ActionSend           Action = "send referral"
	ActionClose          Action = "close case"
)

// Rank orders actions for "what needs action first": lower is more
// pressing; ActionNone ranks last.
func (a Action) Rank() int {
	switch a {
	case ActionApprove:
		return 0
	case ActionReviewOffers:
		return 1
	case ActionReleaseDetails:
		return 2
	case ActionTellFilled:
		return 3
	case ActionConsiderOffer:
		return 4
	case ActionConfirmSignUp:
		return 5
	case ActionConfirmMoveIn:
		return 6
	case ActionCirculate:
		return 7
	case ActionSend:
		return 8
	case ActionClose:
		return 9
	}
	return 100
}

// WaitingOn returns what the case waits on this organisation's user to do
// next, or ActionNone when it waits on someone else (or is over).
func (c *Case) WaitingOn() Action {
	switch c.MyRole() {
	case RoleNominator:
		switch c.Stage {
		case StageDraft:
			if c.CurrentLandlord != zero && !c.Approved {
				return ActionSend
			}
			return ActionCirculate
		case StageAwaitingApproval:
			if c.Approved {
				return ActionCirculate
			}
		case StageOffersReceived:
			return ActionReviewOffers
		case StageOfferAccepted, StageDetailsReleased, StageMoved:
			if len(c.ToTellFilled()) > 0 {
				return ActionTellFilled
			}
			switch c.Stage {
			case StageOfferAccepted:
				return ActionReleaseDetails
			case StageMoved:
				return ActionClose
			}
		}
	case RoleCurrentLandlord:
		if c.Stage == StageAwaitingApproval && !c.Approved {
			return ActionApprove
		}
	case RoleCandidate:
		if c.Stage == StageCirculated {
			return ActionConsiderOffer
		}
	case RoleAcceptedLandlord:
		if c.Stage == StageDetailsReleased {
			if c.SignedUp {
				return ActionConfirmMoveIn
			}
			return ActionConfirmSignUp
		}
	}
	return ActionNone
}

// SortByAction sorts cases so that those waiting on this organisation come
// first, most pressing action first; within one action, the case waiting
// longest (oldest last activity) first; cases waiting on no one last, most
// recent activity first. Ties break on case id.
func SortByAction(cases []*Case) {
	sort.SliceStable(cases, func(i, j int) bool {
		a, b := cases[i], cases[j]
		ra, rb := a.WaitingOn().Rank(), b.WaitingOn().Rank()
		if ra != rb {
			return ra < rb
		}
		if !a.Updated.Equal(b.Updated) {
			if ra == ActionNone.Rank() {
				return a.Updated.After(b.Updated)
			}
			return a.Updated.Before(b.Updated)
		}
		return bytes.Compare(a.ID[:], b.ID[:]) < 0
	})
}
