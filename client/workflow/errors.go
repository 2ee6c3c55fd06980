package workflow

import "errors"

// Errors callers branch on. A refused event is a *TransitionError that
// wraps exactly one of ErrNotPermitted, ErrWrongStage, ErrInvalidEvent or
// ErrNoConsent.
var (
	// ErrNotPermitted means the actor's role in the case may not do this.
	ErrNotPermitted = errors.New("not permitted for this role")
	// ErrWrongStage means the case's stage does not allow this now.
	ErrWrongStage = errors.New("not allowed at this stage")
	// ErrInvalidEvent means the event does not fit the case (an unknown
	// offer, the wrong landlord, a missing reason or confirmation).
	ErrInvalidEvent = errors.New("event does not fit the case")
	// ErrNoConsent means household details were to be released without a
	// recorded consent or legal basis, or without showing the user who
	// will be able to read them.
	ErrNoConsent = errors.New("consent or readers not recorded")
	// ErrUnknownStatus is returned by StatusEvent for a status that is not
	// one of the status-update statuses.
	ErrUnknownStatus = errors.New("unknown status")
	// ErrOfferExpired means an offer was made after its expiry date or
	// accepted after it.
	ErrOfferExpired = errors.New("offer expired")
)

// TransitionError is a refused event: what was tried, by whom, from which
// stage, and why not.
type TransitionError struct {
	From   Stage
	Event  EventKind
	Actor  Role
	Reason string
	// Err is ErrNotPermitted, ErrWrongStage, ErrInvalidEvent or ErrNoConsent.
	Err error
}

// Error reads like "cannot accept an offer: case is withdrawn".
func (e *TransitionError) Error() string {
	return "cannot " + e.Event.verb() + ": " + e.Reason
}

// Unwrap returns the sentinel the error wraps.
func (e *TransitionError) Unwrap() error { return e.Err }
