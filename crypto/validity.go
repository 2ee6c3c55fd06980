package crypto

import (
	"fmt"
	"time"
)

// checkValidity reports ErrNotYetValid before notBefore and ErrExpired after
// notAfter; both bounds are inclusive.
func checkValidity(notBefore, notAfter, now time.Time) error {
	if now.Before(notBefore) {
		return fmt.Errorf("%w: valid from %s", ErrNotYetValid, notBefore.Format(time.RFC3339))
	}
	if now.After(notAfter) {
		return fmt.Errorf("%w: at %s", ErrExpired, notAfter.Format(time.RFC3339))
	}
	return nil
}

// unix converts a wire time (Unix seconds) to a UTC time.Time.
func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }

// unixOrZero is unix, except that 0 means the zero time.
func unixOrZero(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return unix(s)
}

// toUnixOrZero is the inverse of unixOrZero.
func toUnixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// checkText bounds a human-readable field.
func checkText(what, s string, max int, required bool) error {
	if required && s == "" {
		return fmt.Errorf("%w: empty %s", ErrMalformed, what)
	}
	if len(s) > max {
		return fmt.Errorf("%w: %s longer than %d bytes", ErrMalformed, what, max)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: control character in %s", ErrMalformed, what)
		}
	}
	return nil
}
