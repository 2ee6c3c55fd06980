package workflow

// Stage is where a case stands, as seen by one organisation.
type Stage string

// The stages of a case (DESIGN.md "Referral workflow and staged
// disclosure"). StageNone is a case this organisation has not heard of yet.
const (
	StageNone             Stage = ""
	StageDraft            Stage = "draft"
	StageAwaitingApproval Stage = "awaiting-approval"
	StageCirculated       Stage = "circulated"
	StageOffersReceived   Stage = "offers-received"
	StageOfferAccepted    Stage = "offer-accepted"
	StageDetailsReleased  Stage = "details-released"
	StageMoved            Stage = "moved"
	StageClosed           Stage = "closed"
	StageWithdrawn        Stage = "withdrawn"
	// StageFilled is a candidate landlord's own view once another
	// landlord's offer was accepted: the case is over for it.
	StageFilled Stage = "filled"
	// StageDeclined is a candidate landlord's own view once it answered
	// that it has no suitable home: the case is over for it.
	StageDeclined Stage = "declined"
)

// Stages returns every stage a case can be in, in the order of the flow.
func Stages() []Stage {
	return []Stage{StageDraft, StageAwaitingApproval, StageCirculated, StageOffersReceived, StageOfferAccepted,
		StageDetailsReleased, StageMoved, StageClosed, StageWithdrawn, StageFilled, StageDeclined}
}

// Open reports whether a case in this stage can still be withdrawn: every
// stage from draft up to details released.
func (s Stage) Open() bool {
	switch s {
	case StageDraft, StageAwaitingApproval, StageCirculated, StageOffersReceived, StageOfferAccepted, StageDetailsReleased:
		return true
	}
	return false
}

// Final reports whether the case is over for this organisation (closed,
// withdrawn or filled): the stages after which the case store's retention
// clock runs.
func (s Stage) Final() bool {
	return s == StageClosed || s == StageWithdrawn || s == StageFilled || s == StageDeclined
}

// describe is the stage in words, for error messages.
func (s Stage) describe() string {
	switch s {
	case StageNone:
		return "the case's referral has not been received here"
	case StageDraft:
		return "the referral is still a draft"
	case StageAwaitingApproval:
		return "the case is awaiting the current landlord's approval"
	case StageCirculated:
		return "the referral is circulated and no offer is open"
	case StageOffersReceived:
		return "the case has offers waiting for a decision and none accepted"
	case StageOfferAccepted:
		return "an offer has already been accepted"
	case StageDetailsReleased:
		return "household details have already been released"
	case StageMoved:
		return "the household has moved"
	case StageClosed:
		return "case is closed"
	case StageWithdrawn:
		return "case is withdrawn"
	case StageFilled:
		return "the referral has been filled by another landlord"
	case StageDeclined:
		return "this landlord answered that it has no suitable home"
	}
	return "case is in unknown stage " + string(s)
}

// Role is the part an organisation plays in a case.
type Role string

// Roles of an organisation in a case. RoleNone is an organisation that is
// not part of the case as far as this organisation knows.
const (
	RoleNone             Role = "none"
	RoleNominator        Role = "nominator"
	RoleCurrentLandlord  Role = "current-landlord"
	RoleCandidate        Role = "candidate"
	RoleAcceptedLandlord Role = "accepted-landlord"
	RoleCoordinator      Role = "coordinator"
)

// Roles returns every role, RoleNone last.
func Roles() []Role {
	return []Role{RoleNominator, RoleCurrentLandlord, RoleCandidate, RoleAcceptedLandlord, RoleCoordinator, RoleNone}
}

// article returns the role with "the" or "a", for error messages.
func (r Role) article() string {
	switch r {
	case RoleCandidate:
		return "a candidate landlord"
	case RoleNominator:
		return "the nominating organisation"
	case RoleCurrentLandlord:
		return "the household's current landlord"
	case RoleAcceptedLandlord:
		return "the accepted landlord"
	case RoleCoordinator:
		return "the scheme coordinator"
	}
	return "an organisation outside the case"
}
