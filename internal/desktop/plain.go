package desktop

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/saferef/saferef/protocol/payload"
)

// choiceLabel is a fixed choice of the scheme's vocabulary (urgency, DASH
// band, tenancy, age band, property type…) in the words people use. The
// payload keeps its own values; the app shows these, and maps them back
// through choiceValue.
func choiceLabel(v string) string {
	switch v {
	case "":
		return ""
	case payload.UrgencyUrgent:
		return tr("Urgent")
	case payload.UrgencyWithin4Weeks:
		return tr("Within 4 weeks")
	case payload.UrgencyWithin8Weeks:
		return tr("Within 8 weeks")
	case payload.UrgencyWithin12Weeks:
		return tr("Within 12 weeks")
	case payload.DASHHigh:
		return tr("High risk")
	case payload.DASHMedium:
		return tr("Medium risk")
	case payload.DASHStandard:
		return tr("Standard risk")
	case payload.TenancySecureCouncil:
		return tr("Secure council tenancy")
	case payload.TenancyFlexibleCouncil:
		return tr("Flexible council tenancy")
	case payload.TenancyIntroductoryCouncil:
		return tr("Introductory council tenancy")
	case payload.TenancyAssuredHousingAssoc:
		return tr("Assured housing association tenancy")
	case payload.TenancyFixedTermHousingAssoc:
		return tr("Fixed-term housing association tenancy")
	case payload.TenancyStarterHousingAssoc:
		return tr("Starter housing association tenancy")
	case payload.TenancyPrivateRented:
		return tr("Private rented")
	case payload.TenancyTemporaryAccommodation:
		return tr("Temporary accommodation")
	case payload.TenancyRefuge:
		return tr("Refuge")
	case payload.TenancyNone:
		return tr("No tenancy")
	case payload.AgeBand0To4:
		return tr("Aged 0 to 4")
	case payload.AgeBand5To11:
		return tr("Aged 5 to 11")
	case payload.AgeBand12To17:
		return tr("Aged 12 to 17")
	}
	// Anything else (a property type, a value from a newer version):
	// capitalised, dashes as spaces.
	s := strings.ReplaceAll(v, "-", " ")
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// choiceLabels maps a list of values to their labels.
func choiceLabels(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = choiceLabel(v)
	}
	return out
}

// choiceValue maps a label chosen back to its value among values ("" when
// none matches).
func choiceValue(values []string, label string) string {
	for _, v := range values {
		if choiceLabel(v) == label {
			return v
		}
	}
	return ""
}

// dateLayout is the one date format the app shows and accepts first.
const dateLayout = "2 Jan 2006"

// dateLabel shows a YYYY-MM-DD date as "6 Dec 2026" (other text as it is).
func dateLabel(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return t.Format(dateLayout)
}

// parseDate reads a date as people type it: "6 Dec 2026", "6 December
// 2026", "06/12/2026" (day first, as in the UK) or "2026-12-06".
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{dateLayout, "2 January 2006", "02/01/2006", "2/1/2006", time.DateOnly, "2 Jan 06"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var quotedValue = regexp.MustCompile(`^"[^"]*" is not one of `)

// plainProblem rewrites a validation problem from the payload package
// ("must be set (one of …)") in plain words for the form. Problems already
// written for people pass through.
func plainProblem(p string) string {
	switch {
	case strings.HasPrefix(p, "must be set (one of"), quotedValue.MatchString(p):
		return tr("Choose one of the options.")
	case strings.HasPrefix(p, "must be set (a date"), strings.Contains(p, "a date as YYYY-MM-DD"):
		return tr("Enter a date, for example 6 Dec 2026.")
	case strings.HasPrefix(p, "must be set (a district"), strings.HasSuffix(p, "is not a district of the scheme"):
		return tr("Choose a district.")
	case p == "must be set", p == "must not be empty", p == "must not be only spaces":
		return tr("Fill this in.")
	case p == "must list at least one district":
		return tr("Choose at least one district.")
	case p == "must list at least one name":
		return tr("Enter at least one name.")
	case strings.HasPrefix(p, "must be between"):
		return trf("Enter a number {{.Range}}.", map[string]any{"Range": strings.TrimPrefix(p, "must be ")})
	case strings.HasPrefix(p, "must be at most") && strings.Contains(p, "characters"):
		return trf("This is too long: it must be {{.Limit}}.", map[string]any{"Limit": strings.TrimPrefix(p, "must be ")})
	case strings.HasPrefix(p, "must look like"):
		return tr("Use the scheme's reference format, for example KMR-2026-0001.")
	case strings.HasPrefix(p, "must be a phone number"):
		return tr("Enter a phone number (digits, spaces, + and brackets).")
	case p == "must be an email address":
		return tr("Enter an email address.")
	case p == "must not list more dates than names":
		return tr("There are more dates of birth than names.")
	case p == "must be given when declining":
		return tr("Give a reason.")
	case strings.HasPrefix(p, "must "):
		return trf("Check this field: it {{.Problem}}.", map[string]any{"Problem": p})
	}
	return p
}
