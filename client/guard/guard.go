package guard

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kinds of finding.
const (
	KindPostcode    = "postcode"
	KindPhone       = "phone"
	KindEmail       = "email"
	KindDateOfBirth = "date-of-birth"
	KindName        = "name"
	KindAddress     = "address"
	KindDetails     = "details"
	KindStreet      = "street-address"
	KindNINumber    = "ni-number"
	KindNHSNumber   = "nhs-number"
	KindHandle      = "handle"
	KindPersonName  = "person-name"
)

// Kinds returns every kind of finding.
func Kinds() []string {
	return []string{KindPostcode, KindPhone, KindEmail, KindDateOfBirth, KindName, KindAddress, KindDetails,
		KindStreet, KindNINumber, KindNHSNumber, KindHandle, KindPersonName}
}

// Field is one free-text field about to be sent, with its JSON path (e.g.
// "referral.notes"). The client converts payload.Field values to these.
type Field struct {
	Name  string
	Value string
}

// Household is what the case's household details say, when the sending
// device knows them; every field may be empty.
type Household struct {
	// Names are the full names of the household's members.
	Names []string
	// DatesOfBirth are dates of birth, normally YYYY-MM-DD (any format Check
	// recognises in text is accepted).
	DatesOfBirth []string
	// Address is the household's current address, e.g.
	// "14 Orchard Row, Chatham, ME4 6ZZ".
	Address string
	// Phones and Emails are the household's contact details.
	Phones, Emails []string
	// Passages is other free text from the household details (risk notes,
	// support worker, safe-to-call times), flagged when a sentence or clause
	// of at least MinPassageChars characters of it is pasted into a field.
	Passages []string
}

// MinPassageChars is the shortest clause of a Household passage that Check
// looks for; shorter ones ("any time") are too common to be telling.
const MinPassageChars = 12

// Finding is one piece of identifying data found in a field.
type Finding struct {
	// Field is the field's name, as given to Check.
	Field string
	// Kind is one of the Kind constants.
	Kind string
	// Match is the text matched, as normalised by Check (Unicode NFKC,
	// look-alike letters folded, accents removed, runs of white space as
	// one space).
	Match string
	// Own is true when the match is the household's own data (a name,
	// date of birth, address, phone or email from its details): such a
	// finding can never be overridden.
	Own bool
}

// String returns e.g. `referral.notes: looks like a UK postcode: "ME4 6ZZ"`.
// It contains the matched text: show it to the user who typed it, never
// log it.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %q", f.Field, describe(f.Kind), f.Match)
}

func describe(kind string) string {
	switch kind {
	case KindPostcode:
		return "looks like a UK postcode"
	case KindPhone:
		return "looks like a UK phone number"
	case KindEmail:
		return "looks like an email address"
	case KindDateOfBirth:
		return "looks like a date of birth"
	case KindName:
		return "contains a household member's name"
	case KindAddress:
		return "contains the household's address"
	case KindDetails:
		return "contains text from the household details"
	case KindStreet:
		return "looks like a street address"
	case KindNINumber:
		return "looks like a National Insurance number"
	case KindNHSNumber:
		return "looks like an NHS number"
	case KindHandle:
		return "looks like a social-media handle"
	case KindPersonName:
		return "looks like a person's name"
	}
	return "looks identifying (" + kind + ")"
}

// ErrRefused is what an *Error matches with errors.Is: the disclosure guard
// refused a send.
var ErrRefused = errors.New("refused by the disclosure guard")

// Error is returned by Verify, and by the client, to refuse a send. Its
// message contains the matched text: show it to the user, never log it.
type Error struct {
	Findings []Finding
}

// Error lists every finding.
func (e *Error) Error() string {
	s := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		s[i] = f.String()
	}
	return ErrRefused.Error() + ": " + strings.Join(s, "; ")
}

// Is reports whether target is ErrRefused.
func (e *Error) Is(target error) bool { return target == ErrRefused }

// Check returns every finding in fields, judging dates of birth against
// today's date on this machine's clock. See CheckAt.
func Check(fields []Field, h *Household) []Finding {
	return CheckAt(fields, h, time.Now())
}

// CheckAt returns every finding in fields: UK postcodes, UK phone numbers,
// email addresses, full dates from 1900 up to today (possible dates of
// birth), and, when h is not nil, the household's names, dates of birth,
// address, phones, emails and passages. Findings come in field order, then
// in order of position in the field; a finding inside another in the same
// field, and a repeat of the same text, are left out. h may be nil.
func CheckAt(fields []Field, h *Household, today time.Time) []Finding {
	c := newChecker(h, today)
	var out []Finding
	for _, f := range fields {
		out = append(out, c.field(f)...)
	}
	return out
}

// Verify returns an *Error listing every finding of CheckAt, or nil if
// there are none.
func Verify(fields []Field, h *Household, today time.Time) error {
	if f := CheckAt(fields, h, today); len(f) > 0 {
		return &Error{Findings: f}
	}
	return nil
}

// span is a finding's position in the normalised field text.
type span struct {
	start, end int
	kind       string
	own        bool // the household's own data
}

// checker holds the patterns for one Check call.
type checker struct {
	today     civilDate
	household *householdMatcher // nil without a household
}

func newChecker(h *Household, today time.Time) *checker {
	y, m, d := today.Date()
	return &checker{today: civilDate{y, int(m), d}, household: newHouseholdMatcher(h)}
}

func (c *checker) field(f Field) []Finding {
	text := normalise(f.Value)
	if text == "" {
		return nil
	}
	var spans []span
	toks := tokens(text)
	for _, s := range postcodesNI(text, toks) {
		s.own = s.kind == KindPostcode && c.household != nil && c.household.postcode != "" && squeeze(text[s.start:s.end]) == c.household.postcode
		spans = append(spans, s)
	}
	var own map[string]bool
	if c.household != nil {
		own = c.household.phones
	}
	spans = append(spans, numbers(text, own)...)
	spans = append(spans, emails(text, toks)...)
	if strings.ContainsRune(text, '@') {
		spans = append(spans, handles(text)...)
	}
	spans = append(spans, streets(text, toks)...)
	spans = append(spans, personNames(text, toks)...)
	spans = append(spans, c.dates(text)...)
	spans = append(spans, c.wordDates(text)...)
	if c.household != nil {
		spans = append(spans, c.household.find(text)...)
	}
	// Longest first at each position, so that a finding inside another
	// (the postcode of a whole address) is dropped; at the same place the
	// household's own data first.
	slices.SortFunc(spans, func(a, b span) int {
		if a.start != b.start {
			return a.start - b.start
		}
		if a.end != b.end {
			return b.end - a.end
		}
		if a.own != b.own {
			if a.own {
				return -1
			}
			return 1
		}
		return strings.Compare(a.kind, b.kind)
	})
	// A span that overlaps a longer one that contains household data is
	// household data too (the street of the household's own address).
	for i := range spans {
		for j := range spans {
			if spans[j].own && spans[i].start < spans[j].end && spans[j].start < spans[i].end {
				spans[i].own = true
			}
		}
	}
	var out []Finding
	seen := map[[2]string]bool{}
	coveredTo := -1
	for _, s := range spans {
		if s.end <= coveredTo {
			continue
		}
		coveredTo = max(coveredTo, s.end)
		m := text[s.start:s.end]
		key := [2]string{s.kind, strings.ToLower(m)}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Finding{Field: f.Name, Kind: s.kind, Match: m, Own: s.own})
	}
	return out
}

// Override is a caseworker's decision, with a reason, that a match the
// guard flagged is not identifying ("Church Road Surgery" is a landmark,
// not the household's address). It is recorded in the case's timeline and
// applies to that match in every field of that case from then on.
type Override struct {
	// Match is the flagged text, as the finding showed it.
	Match string
	// Reason says why it is not identifying.
	Reason string
}

// MaxOverrideReasonChars caps an override's reason.
const MaxOverrideReasonChars = 300

// ErrOverrideOwnData means an override was asked for a match that is the
// household's own data (or contains it): those are never overridden.
var ErrOverrideOwnData = errors.New("the household's own details cannot be overridden")

// CheckOverride refuses an override that would let the household's own
// data through (ErrOverrideOwnData), that names no match, or that gives no
// reason.
func CheckOverride(o Override, h *Household, today time.Time) error {
	m := strings.TrimSpace(normalise(o.Match))
	switch {
	case m == "":
		return errors.New("override: name the flagged text it applies to")
	case strings.TrimSpace(o.Reason) == "":
		return errors.New("override: a reason is required")
	case len([]rune(o.Reason)) > MaxOverrideReasonChars:
		return fmt.Errorf("override: the reason is longer than %d characters", MaxOverrideReasonChars)
	}
	for _, f := range CheckAt([]Field{{Name: "override", Value: m}}, h, today) {
		if f.Own {
			return fmt.Errorf("override %q: %w: %s", m, ErrOverrideOwnData, f)
		}
	}
	return nil
}

// WithoutOverridden returns the findings that no override covers: a
// finding is covered when it is not the household's own data and its
// match equals an override's match, ignoring case and spacing.
func WithoutOverridden(findings []Finding, overrides []Override) []Finding {
	if len(overrides) == 0 {
		return findings
	}
	allowed := map[string]bool{}
	for _, o := range overrides {
		allowed[overrideKey(o.Match)] = true
	}
	var out []Finding
	for _, f := range findings {
		if !f.Own && allowed[overrideKey(f.Match)] {
			continue
		}
		out = append(out, f)
	}
	return out
}

func overrideKey(s string) string { return strings.ToLower(strings.TrimSpace(normalise(s))) }

// VerifyWith is Verify with the case's overrides applied.
func VerifyWith(fields []Field, h *Household, today time.Time, overrides []Override) error {
	if f := WithoutOverridden(CheckAt(fields, h, today), overrides); len(f) > 0 {
		return &Error{Findings: f}
	}
	return nil
}
