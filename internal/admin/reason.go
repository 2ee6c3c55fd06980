package admin

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/saferef/saferef/client/guard"
)

// MaxPublicReasonChars caps a reason written to the public transparency
// log (a device revocation, an organisation's removal): a short phrase
// such as "laptop lost" or "member of staff left", never a story.
const MaxPublicReasonChars = 80

// ErrBadReason means a reason for the public log is empty, too long or
// more than one line; a reason the disclosure guard refuses wraps
// guard.ErrRefused as well.
var ErrBadReason = errors.New("not a short phrase for the public log")

// CheckPublicReason checks a reason before it is signed into the public
// log, which every relay and member of the scheme can read for ever: one
// line of at most MaxPublicReasonChars characters that passes the
// disclosure guard (no names, phone numbers, addresses, email addresses,
// handles or dates of birth).
func CheckPublicReason(reason string) error {
	r := strings.TrimSpace(reason)
	switch {
	case r == "":
		return fmt.Errorf("reason: %w: it is empty", ErrBadReason)
	case strings.ContainsAny(r, "\r\n"):
		return fmt.Errorf("reason: %w: it has more than one line", ErrBadReason)
	case utf8.RuneCountInString(r) > MaxPublicReasonChars:
		return fmt.Errorf("reason: %w: it is longer than %d characters", ErrBadReason, MaxPublicReasonChars)
	}
	if err := guard.Verify([]guard.Field{{Name: "reason", Value: r}}, nil, time.Now()); err != nil {
		return fmt.Errorf("reason: %w: %w", ErrBadReason, err)
	}
	return nil
}
