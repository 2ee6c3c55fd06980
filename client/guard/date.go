package guard

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// civilDate is a calendar date without a time zone.
type civilDate struct{ y, m, d int }

func (a civilDate) after(b civilDate) bool {
	if a.y != b.y {
		return a.y > b.y
	}
	if a.m != b.m {
		return a.m > b.m
	}
	return a.d > b.d
}

// valid reports whether the date exists in the calendar.
func (a civilDate) valid() bool {
	if a.m < 1 || a.m > 12 || a.d < 1 || a.d > 31 {
		return false
	}
	t := time.Date(a.y, time.Month(a.m), a.d, 12, 0, 0, 0, time.UTC)
	return t.Day() == a.d
}

const minBirthYear = 1900

const monthNames = `january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec`

// The date patterns. Each has three groups; dateForms says which is which.
var (
	// 1991-03-14, 1991/03/14, 1991.03.14
	isoDateRE = regexp.MustCompile(`\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b`)
	// 14/03/1991, 14.03.1991, 14-03-1991 (and 03/14/1991, read both ways)
	numericDateRE = regexp.MustCompile(`\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b`)
	// 14 March 1991, 14th Mar. 1991, 14 of March, 1991
	dayMonthYearRE = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?(?: of)?[ ,-]{0,3}(` + monthNames + `)\.?,?[ -]?(\d{4})\b`)
	// March 14, 1991; Mar 14th 1991
	monthDayYearRE = regexp.MustCompile(`(?i)\b(` + monthNames + `)\.?,? (?:the )?(\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\b`)
	// 14/03/91: only when it is a household member's date of birth.
	shortYearDateRE = regexp.MustCompile(`\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})\b`)
)

// yearWindows returns the parts of text worth searching for a full date:
// around each run of exactly four digits (every full-date pattern has a
// four-digit year), from dateReach bytes before it to dateReach bytes after
// it, widened to the nearest space or the ends of the text so that the
// patterns' word boundaries mean the same in a window as in the text.
// Overlapping windows are merged. Searching windows rather than the whole
// text keeps a long note with few numbers fast.
func yearWindows(text string) [][2]int {
	var out [][2]int
	for i := 0; i < len(text); {
		if !isDigit(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isDigit(text[j]) {
			j++
		}
		if j-i == 4 {
			start := max(0, i-dateReach)
			if k := strings.LastIndexByte(text[:start], ' '); start > 0 {
				start = k + 1
			}
			end := min(len(text), j+dateReach)
			if k := strings.IndexByte(text[end:], ' '); end < len(text) {
				if k < 0 {
					end = len(text)
				} else {
					end += k
				}
			}
			if n := len(out); n > 0 && start <= out[n-1][1] {
				out[n-1][1] = max(out[n-1][1], end)
			} else {
				out = append(out, [2]int{start, end})
			}
		}
		i = j
	}
	return out
}

// dateReach is more than the longest text a date pattern can match on
// either side of the year ("31st of September, " is 19 bytes).
const dateReach = 32

// dateForm is one full-date pattern and how to read its groups: the
// candidate dates it may mean, most likely first.
type dateForm struct {
	re   *regexp.Regexp
	read func(m []string) []civilDate
}

// dateForms returns the full-date patterns.
func dateForms() []dateForm {
	return []dateForm{
		{isoDateRE, func(m []string) []civilDate { return []civilDate{{atoi(m[1]), atoi(m[2]), atoi(m[3])}} }},
		{numericDateRE, func(m []string) []civilDate {
			y := atoi(m[3])
			return []civilDate{{y, atoi(m[2]), atoi(m[1])}, {y, atoi(m[1]), atoi(m[2])}}
		}},
		{dayMonthYearRE, func(m []string) []civilDate { return []civilDate{{atoi(m[3]), month(m[2]), atoi(m[1])}} }},
		{monthDayYearRE, func(m []string) []civilDate { return []civilDate{{atoi(m[3]), month(m[1]), atoi(m[2])}} }},
	}
}

// dates returns the spans of full dates that could be dates of birth: a
// real calendar date from 1900-01-01 up to today, in any of the full-date
// patterns, and any date (including the two-digit-year form) equal to a
// household member's date of birth.
func (c *checker) dates(text string) []span {
	var out []span
	forms := dateForms()
	for _, w := range yearWindows(text) {
		window := text[w[0]:w[1]]
		for _, f := range forms {
			for _, m := range f.re.FindAllStringSubmatchIndex(window, -1) {
				groups := make([]string, 4)
				for g := range groups {
					groups[g] = window[m[2*g]:m[2*g+1]]
				}
				for _, d := range f.read(groups) {
					if c.birthDate(d) {
						out = append(out, span{w[0] + m[0], w[0] + m[1], KindDateOfBirth, c.ownBirth(d)})
						break
					}
				}
			}
		}
	}
	if c.household == nil || len(c.household.births) == 0 {
		return out
	}
	for _, m := range shortYearDateRE.FindAllStringSubmatchIndex(text, -1) {
		d, mo, yy := atoi(text[m[2]:m[3]]), atoi(text[m[4]:m[5]]), atoi(text[m[6]:m[7]])
		for _, b := range c.household.births {
			if b.y%100 == yy && ((b.m == mo && b.d == d) || (b.m == d && b.d == mo)) {
				out = append(out, span{m[0], m[1], KindDateOfBirth, true})
				break
			}
		}
	}
	return out
}

// birthDate reports whether d could be a date of birth: a real date from
// 1900 up to today, or a household member's date of birth.
func (c *checker) birthDate(d civilDate) bool {
	if !d.valid() {
		return false
	}
	if c.household != nil && slices.Contains(c.household.births, d) {
		return true
	}
	return d.y >= minBirthYear && !d.after(c.today)
}

// ownBirth reports whether d is a household member's date of birth.
func (c *checker) ownBirth(d civilDate) bool {
	return c.household != nil && slices.Contains(c.household.births, d)
}

// parseDate reads a whole string as one date in any full-date pattern
// (the first reading of an ambiguous numeric date), or reports false.
func parseDate(s string) (civilDate, bool) {
	s = strings.TrimSpace(normalise(s))
	for _, f := range dateForms() {
		m := f.re.FindStringSubmatch(s)
		if m != nil && len(m[0]) == len(s) {
			d := f.read(m)[0]
			return d, d.valid()
		}
	}
	return civilDate{}, false
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// month returns 1 to 12 for an English month name or abbreviation.
func month(s string) int {
	s = strings.ToLower(s)
	for i, name := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if strings.HasPrefix(s, name) {
			return i + 1
		}
	}
	return 0
}
