package passphrase

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// The rule's thresholds.
const (
	// MinLength is the fewest characters a passphrase may have.
	MinLength = 12
	// MinGuesses is the fewest guesses zxcvbn may estimate.
	MinGuesses = 1e10
	// maxEstimated bounds the part of a long passphrase given to zxcvbn
	// (its cost grows with length); anything longer is long enough.
	maxEstimated = 100
)

// ErrWeak is wrapped by every *WeakError.
var ErrWeak = errors.New("passphrase too easy to guess")

// WeakError says why a passphrase was refused.
type WeakError struct {
	// Reason is a plain sentence: what makes it easy to guess.
	Reason string
	// Guesses is zxcvbn's estimate (0 when refused for length).
	Guesses float64
}

func (e *WeakError) Error() string {
	return fmt.Sprintf("%v: %s", ErrWeak, e.Reason)
}

// Unwrap returns ErrWeak.
func (e *WeakError) Unwrap() error { return ErrWeak }

// Advice is what to tell the user to do instead, for a hint line.
const Advice = "choose four or more random words that mean nothing together, for example 'orbit lantern pebble mustard'"

// Check applies the rule to pass. context lists words an attacker would
// try first for this user (organisation and device names); they count as
// dictionary words.
func Check(pass string, context ...string) error {
	if n := utf8.RuneCountInString(pass); n < MinLength {
		return &WeakError{Reason: fmt.Sprintf("it has %d characters; use at least %d", n, MinLength)}
	}
	estimated := pass
	if len(estimated) > maxEstimated {
		return nil
	}
	inputs := []string{"saferef"}
	for _, c := range context {
		inputs = append(inputs, strings.Fields(strings.ToLower(c))...)
	}
	r := zxcvbn.PasswordStrength(estimated, inputs)
	if r.Guesses >= MinGuesses {
		return nil
	}
	return &WeakError{Reason: reason(r), Guesses: r.Guesses}
}

// reason explains a zxcvbn result in plain words: the weakest kind of
// part it found, in order of how much it helps an attacker.
func reason(r zxcvbn.Result) string {
	found := map[string]bool{}
	for _, m := range r.Sequence {
		k := m.Pattern
		if k == "dictionary" {
			k += "/" + m.DictionaryName
		}
		found[k] = true
	}
	why := "it is short or made of common words"
	for _, c := range []struct{ kind, why string }{
		{"dictionary/user_inputs", "it uses words about you, your organisation or Saferef, which an attacker tries first"},
		{"dictionary/passwords", "it contains a commonly used password"},
		{"spatial", "it follows a row of the keyboard"},
		{"repeat", "it repeats characters or words"},
		{"sequence", "it contains a sequence such as 'abcd' or '1234'"},
		{"date", "it contains a date"},
		{"regex", "it contains a year"},
	} {
		if found[c.kind] {
			why = c.why
			break
		}
	}
	return fmt.Sprintf("%s; about %s guesses would find it, and the rule asks for 10^10 (ten billion)", why, magnitude(r.Guesses))
}

// magnitude writes a guess count as a power of ten.
func magnitude(g float64) string {
	if g < 1 {
		g = 1
	}
	return fmt.Sprintf("10^%d", int(math.Floor(math.Log10(g))))
}
