package payload

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// FieldError is one problem with one field. Field is the JSON path of the
// field prefixed with the payload kind, e.g. "referral.children[1].age_band".
type FieldError struct {
	Field   string
	Problem string
}

// Error returns "FIELD: PROBLEM", e.g. "referral.bedrooms: must be between 1 and 7".
func (e FieldError) Error() string { return e.Field + ": " + e.Problem }

// ValidationError lists every problem Validate found, in field order.
type ValidationError []FieldError

// Error joins the problems with "; ".
func (v ValidationError) Error() string {
	s := make([]string, len(v))
	for i, e := range v {
		s[i] = e.Error()
	}
	return strings.Join(s, "; ")
}

// problems collects field errors during validation.
type problems struct {
	prefix string
	list   ValidationError
}

func (p *problems) add(field, format string, args ...any) {
	p.list = append(p.list, FieldError{Field: p.prefix + "." + field, Problem: fmt.Sprintf(format, args...)})
}

// err returns the collected problems as a ValidationError, or nil.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return p.list
}

func (p *problems) schema(v int) {
	if v != SchemaVersion {
		p.add("schema", "must be %d", SchemaVersion)
	}
}

func (p *problems) intRange(field string, v, lo, hi int) {
	if v < lo || v > hi {
		p.add(field, "must be between %d and %d", lo, hi)
	}
}

func (p *problems) required(field string, id ID) {
	if id.IsZero() {
		p.add(field, "must be set")
	}
}

// line checks a required (min 1) or optional (min 0) single-line text field.
func (p *problems) line(field, s string, minChars, maxChars int) {
	p.text(field, s, minChars, maxChars, false)
}

// text checks a text field's length in characters, that it is valid UTF-8,
// and that it has no control characters other than (if multiline) newline
// and tab.
func (p *problems) text(field, s string, minChars, maxChars int, multiline bool) {
	if !utf8.ValidString(s) {
		p.add(field, "must be valid UTF-8")
		return
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n < minChars && minChars == 1:
		p.add(field, "must not be empty")
	case n < minChars:
		p.add(field, "must be at least %d characters", minChars)
	case n > maxChars:
		p.add(field, "must be at most %d characters (is %d)", maxChars, n)
	}
	if strings.TrimSpace(s) == "" && n > 0 {
		p.add(field, "must not be only spaces")
	}
	for _, r := range s {
		if (r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0)) && !(multiline && (r == '\n' || r == '\t')) {
			p.add(field, "must not contain control characters")
			break
		}
	}
}

// oneOf checks that v is one of allowed.
func (p *problems) oneOf(field, v string, allowed []string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	if v == "" {
		p.add(field, "must be set (one of %s)", quoteList(allowed))
		return
	}
	p.add(field, "%q is not one of %s", v, quoteList(allowed))
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// date checks a YYYY-MM-DD date; an empty string is an error only if
// required.
func (p *problems) date(field, s string, required bool) {
	if s == "" {
		if required {
			p.add(field, "must be set (a date as YYYY-MM-DD)")
		}
		return
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		p.add(field, "must be a date as YYYY-MM-DD")
	}
}

// unix checks that t is a positive Unix time.
func (p *problems) unix(field string, t int64) {
	if t <= 0 {
		p.add(field, "must be a positive Unix time")
	}
}

// envelopeList checks a list of 1 to MaxRecallEnvelopes distinct, non-zero
// envelope ids.
func (p *problems) envelopeList(field string, ids []ID) {
	if len(ids) == 0 || len(ids) > MaxRecallEnvelopes {
		p.add(field, "must list 1 to %d envelopes", MaxRecallEnvelopes)
	}
	seen := make(map[ID]bool, len(ids))
	for i, id := range ids {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case id.IsZero():
			p.add(f, "must be set")
		case seen[id]:
			p.add(f, "%s is listed twice", id)
		}
		seen[id] = true
	}
}
