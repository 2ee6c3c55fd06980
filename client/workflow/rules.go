package workflow

import "slices"

// refusal builds the *TransitionError of a refusal.
type refusal func(sentinel error, reason string) *TransitionError

// rule says who may make an event and in which stages of the case. Most
// rules are a list of roles and a list of stages; the few that depend on
// more say so in before, stage or after.
type rule struct {
	// roles may make the event (the actor's role, computed by the case).
	roles []Role
	// stages allow the event; with anyOpen, every open stage does.
	stages  []Stage
	anyOpen bool
	// notYetWhy is the refusal at a stage in notYet (stages earlier in
	// the flow than the event needs), instead of describing the stage.
	notYet    []Stage
	notYetWhy string
	// before runs after the role check and before the stage check.
	before func(c *Case, fail refusal) *TransitionError
	// stage, when set, replaces the stage check.
	stage func(c *Case, fail refusal) *TransitionError
	// after runs once role and stage allow the event.
	after func(c *Case, k EventKind, fail refusal) *TransitionError
	// note says in words what before, stage and after add, for the
	// table in the package doc.
	note string
}

// allows reports whether the stage allows the event.
func (r rule) allows(s Stage) bool {
	if r.anyOpen {
		return s.Open()
	}
	return slices.Contains(r.stages, s)
}

// caseRoles are the roles of every organisation taking part in a case.
var caseRoles = []Role{RoleNominator, RoleCurrentLandlord, RoleCandidate, RoleAcceptedLandlord}

// openBefore lists the open stages before s in the flow.
func openBefore(s Stage) []Stage {
	var out []Stage
	for _, st := range Stages() {
		if st == s || !st.Open() {
			break
		}
		out = append(out, st)
	}
	return out
}

// rules is the permission table: for each event kind, who may make it and
// when. TestRulesDocumented keeps the table in doc.go in step with it.
var rules = map[EventKind]rule{
	EventReferralDrafted: {
		roles: []Role{RoleNominator}, stages: []Stage{StageNone, StageDraft},
		note: "a draft stays on the nominator's own devices",
		before: func(c *Case, fail refusal) *TransitionError {
			if c.Stage != StageNone && c.MyRole() != RoleNominator {
				return fail(ErrNotPermitted, "a draft is local to the nominating organisation")
			}
			return nil
		},
	},
	EventApprovalRequested: {
		roles: []Role{RoleNominator}, stages: []Stage{StageNone, StageDraft},
		note: "not once approved",
		after: func(c *Case, _ EventKind, fail refusal) *TransitionError {
			if c.Approved {
				return fail(ErrWrongStage, "the referral is already approved")
			}
			return nil
		},
	},
	EventApproved:         approvalRule,
	EventApprovalDeclined: approvalRule,
	EventCirculated: {
		roles: []Role{RoleNominator}, stages: []Stage{StageNone, StageDraft, StageAwaitingApproval, StageCirculated, StageOffersReceived},
		note: "after the current landlord's approval when the referral names one",
		before: func(c *Case, fail refusal) *TransitionError {
			if c.Stage != StageNone && c.MyRole() != RoleNominator {
				return fail(ErrWrongStage, "this organisation has already received the referral")
			}
			return nil
		},
		stage: circulationStage,
	},
	EventOfferMade:      candidateAnswerRule,
	EventNoSuitableHome: candidateAnswerRule,
	EventOfferAccepted:  offerDecisionRule,
	EventOfferDeclined:  offerDecisionRule,
	EventFilled: {roles: []Role{RoleNominator}, stages: filledStages, stage: filledStage,
		note: "a candidate is told it at circulated or offers-received"},
	EventDetailsReleased: {
		roles: []Role{RoleNominator}, stages: []Stage{StageOfferAccepted, StageDetailsReleased},
		notYet: openBefore(StageOfferAccepted), notYetWhy: "no offer has been accepted yet",
	},
	EventSignedUp: moveRule,
	EventMovedIn:  moveRule,
	EventClosed: {roles: []Role{RoleNominator}, stages: []Stage{StageMoved}, stage: closedStage,
		note: "the current landlord takes it at circulated, once it has approved"},
	EventWithdrawn: {roles: []Role{RoleNominator}, anyOpen: true},
	EventMessage: {roles: caseRoles,
		stages: []Stage{StageAwaitingApproval, StageCirculated, StageOffersReceived, StageOfferAccepted, StageDetailsReleased, StageMoved}},
	EventAttachment: {roles: caseRoles,
		stages: []Stage{StageCirculated, StageOffersReceived, StageOfferAccepted, StageDetailsReleased, StageMoved}},
	EventRead:     afterDraftRule,
	EventRecalled: afterDraftRule,
	EventGuardOverride: {roles: caseRoles, stages: Stages(),
		note: "local to this organisation; never listed as a step"},
}

var (
	// filledStages are the nominator's stages in which it records
	// "filled" for another candidate.
	filledStages = []Stage{StageOfferAccepted, StageDetailsReleased, StageMoved, StageClosed}
	approvalRule = rule{
		roles: []Role{RoleCurrentLandlord}, stages: []Stage{StageAwaitingApproval},
		note: "once",
		after: func(c *Case, _ EventKind, fail refusal) *TransitionError {
			if c.Approved {
				return fail(ErrWrongStage, "the current landlord has already approved")
			}
			return nil
		},
	}
	candidateAnswerRule = rule{roles: []Role{RoleCandidate}, stages: []Stage{StageCirculated, StageOffersReceived}}
	offerDecisionRule   = rule{
		roles: []Role{RoleNominator}, stages: []Stage{StageOffersReceived},
		notYet: []Stage{StageDraft, StageAwaitingApproval, StageCirculated}, notYetWhy: "there is no offer waiting for a decision",
	}
	moveRule = rule{
		roles: []Role{RoleAcceptedLandlord}, stages: []Stage{StageDetailsReleased},
		note:   "signed-up once, before moved-in",
		notYet: []Stage{StageOfferAccepted}, notYetWhy: "household details have not been released yet",
		after: func(c *Case, k EventKind, fail refusal) *TransitionError {
			if k == EventSignedUp && c.SignedUp {
				return fail(ErrWrongStage, "the tenancy is already signed up")
			}
			if k == EventMovedIn && !c.SignedUp {
				return fail(ErrWrongStage, "the tenancy has not been signed up yet")
			}
			return nil
		},
	}
	afterDraftRule = rule{roles: caseRoles,
		stages: []Stage{StageAwaitingApproval, StageCirculated, StageOffersReceived, StageOfferAccepted, StageDetailsReleased,
			StageMoved, StageClosed, StageWithdrawn, StageFilled, StageDeclined}}
)

// circulationStage: a referral names its current landlord's approval as
// the step before circulation.
func circulationStage(c *Case, fail refusal) *TransitionError {
	switch c.Stage {
	case StageNone, StageCirculated, StageOffersReceived:
		return nil
	case StageDraft:
		if c.CurrentLandlord != zero && !c.Approved {
			return fail(ErrWrongStage, "the referral names a current landlord, whose approval is needed first")
		}
		return nil
	case StageAwaitingApproval:
		if !c.Approved {
			return fail(ErrWrongStage, "the current landlord has not approved yet")
		}
		return nil
	}
	return fail(ErrWrongStage, c.Stage.describe())
}

// filledStage: the nominator records "filled" for each other candidate
// after accepting an offer; a candidate is told it while its own answer
// is still open.
func filledStage(c *Case, fail refusal) *TransitionError {
	switch c.MyRole() {
	case RoleNominator:
		if slices.Contains(filledStages, c.Stage) {
			return nil
		}
		if c.Stage.Open() {
			return fail(ErrWrongStage, "no offer has been accepted yet")
		}
	case RoleCandidate:
		if slices.Contains(candidateAnswerRule.stages, c.Stage) {
			return nil
		}
	default:
		return fail(ErrInvalidEvent, "only a candidate landlord is told the referral is filled")
	}
	return fail(ErrWrongStage, c.Stage.describe())
}

// closedStage: the household must have moved; the current landlord,
// which never sees the move, takes "closed" once it has approved.
func closedStage(c *Case, fail refusal) *TransitionError {
	switch {
	case c.Stage == StageMoved:
		return nil
	case c.MyRole() == RoleCurrentLandlord && c.Stage == StageCirculated && c.Approved:
		return nil
	case c.Stage.Open():
		return fail(ErrWrongStage, "the household has not moved yet")
	}
	return fail(ErrWrongStage, c.Stage.describe())
}
