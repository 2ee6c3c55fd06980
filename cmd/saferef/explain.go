package main

import (
	"errors"
	"strings"

	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/protocol/payload"
)

// guardHint is printed after the disclosure guard's findings.
const guardHint = "remove identifying details from anonymous fields; they go to several organisations"

// explain turns the errors a workflow command meets into what the user
// reads: each field problem and each disclosure-guard finding on its own
// error line (the guard's findings quote the matched text back to the user
// who typed it; they are printed, never logged), and a hint saying what to
// do next. Other errors are returned unchanged.
func explain(err error) error {
	var ge *guard.Error
	if errors.As(err, &ge) && len(ge.Findings) > 0 {
		lines := make([]string, len(ge.Findings))
		for i, f := range ge.Findings {
			lines[i] = f.String()
		}
		return cli.WithHint(errors.New(strings.Join(lines, "\n")), guardHint)
	}
	var ve payload.ValidationError
	if errors.As(err, &ve) {
		return fieldErrors(err)
	}
	return err
}

// fieldErrors puts each field problem of a validation error on its own
// line, so that each is printed as its own error line.
func fieldErrors(err error) error {
	return fieldErrorsHint(err, "fix the fields above; 'saferef referral template' prints a complete example")
}

// fieldErrorsHint is fieldErrors with a hint of the caller's choosing.
func fieldErrorsHint(err error, hint string) error {
	var ve payload.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	lines := make([]string, len(ve))
	for i, fe := range ve {
		lines[i] = fe.Error()
	}
	return cli.WithHint(errors.New(strings.Join(lines, "\n")), hint)
}

// transitionHint suggests what to do after the case's state machine refused
// a step.
func transitionHint(err error) string {
	switch {
	case errors.Is(err, workflow.ErrNoConsent):
		return "record the household's consent (or the legal basis for sharing without it) in sharing_basis, and confirm the readers with --confirm-readers"
	case errors.Is(err, workflow.ErrWrongStage):
		return "run 'saferef sync', then 'saferef cases show CASE_ID' to see the case's stage and what it allows now"
	case errors.Is(err, workflow.ErrNotPermitted):
		return "your organisation's role in this case does not allow that; 'saferef cases show CASE_ID' lists what it allows"
	case errors.Is(err, workflow.ErrInvalidEvent):
		return "check the ids and reasons given; 'saferef cases show CASE_ID' lists the case's offers and organisations"
	}
	return ""
}
