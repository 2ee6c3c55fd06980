package guard

import (
	"regexp"
	"strings"
)

// Dates written in words: "the fourteenth of March nineteen ninety-one",
// "14th March nineteen ninety one", "March the 2nd, two thousand and
// nineteen", "twentieth of January 2023". The day is a number or an
// ordinal word, the year four digits or words ("nineteen ninety-one",
// "two thousand and nineteen", "twenty twenty-three"); at least one of
// them is in words (the numeric forms are dateForms).
const (
	unitWords     = `one|two|three|four|five|six|seven|eight|nine`
	teenWords     = `ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen`
	tensWords     = `twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety`
	ordinalUnits  = `first|second|third|fourth|fifth|sixth|seventh|eighth|ninth`
	ordinalWords  = `(?:(?:twenty|thirty)[ -]?(?:` + ordinalUnits + `)|` + ordinalUnits + `|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)`
	twoDigitWords = `(?:(?:` + tensWords + `)(?:[ -](?:` + unitWords + `))?|` + teenWords + `|oh[ -](?:` + unitWords + `))`
	yearWords     = `(?:(?:nineteen|twenty)[ -]` + twoDigitWords + `|nineteen hundred|two thousand(?:(?: and)? (?:` + twoDigitWords + `|` + unitWords + `))?)`
	dayPart       = `(?:the )?(` + ordinalWords + `|\d{1,2}(?:st|nd|rd|th)?)`
	yearPart      = `(` + yearWords + `|\d{4})`
)

var (
	wordDayMonthYearRE = regexp.MustCompile(`(?i)\b` + dayPart + `(?: of)?[ ,-]{1,3}(` + monthNames + `)\.?,?[ -]` + yearPart + `\b`)
	wordMonthDayYearRE = regexp.MustCompile(`(?i)\b(` + monthNames + `)\.?,? ` + dayPart + `,? ` + yearPart + `\b`)
)

// wordDates returns the spans of dates written with the day or year in
// words that could be dates of birth.
func (c *checker) wordDates(text string) []span {
	lower := strings.ToLower(text)
	if !monthMention(lower) {
		return nil
	}
	var out []span
	for _, form := range []struct {
		re               *regexp.Regexp
		day, month, year int
	}{{wordDayMonthYearRE, 1, 2, 3}, {wordMonthDayYearRE, 2, 1, 3}} {
		for _, m := range form.re.FindAllStringSubmatchIndex(text, -1) {
			g := func(n int) string { return strings.ToLower(text[m[2*n]:m[2*n+1]]) }
			dayText, yearText := g(form.day), g(form.year)
			if isDigit(dayText[0]) && isDigit(yearText[0]) {
				continue // all numbers: the numeric forms judge it
			}
			d := civilDate{y: wordsYear(yearText), m: month(g(form.month)), d: wordsDay(dayText)}
			if c.birthDate(d) {
				out = append(out, span{m[0], m[1], KindDateOfBirth, c.ownBirth(d)})
			}
		}
	}
	return out
}

// monthMention is a quick test for a month name in lower-case text.
func monthMention(lower string) bool {
	for _, m := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if strings.Contains(lower, m) {
			return true
		}
	}
	return false
}

var smallNumbers = map[string]int{
	"oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
	"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
	"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
	"tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
	"seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}

// wordsValue adds up number words ("twenty first" is 21, "oh five" is 5).
func wordsValue(s string) int {
	n := 0
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' }) {
		v, ok := smallNumbers[w]
		if !ok {
			return -1
		}
		n += v
	}
	return n
}

// wordsDay reads a day: digits with an optional suffix, or ordinal words.
func wordsDay(s string) int {
	if isDigit(s[0]) {
		return atoi(strings.TrimRight(s, "stndrh"))
	}
	return wordsValue(s)
}

// wordsYear reads a year: four digits, "nineteen ninety-one",
// "nineteen hundred", "two thousand and nineteen", "twenty twenty-three".
func wordsYear(s string) int {
	if isDigit(s[0]) {
		return atoi(s)
	}
	s = strings.ReplaceAll(s, " and ", " ")
	switch {
	case strings.HasPrefix(s, "two thousand"):
		rest := strings.TrimSpace(strings.TrimPrefix(s, "two thousand"))
		if rest == "" {
			return 2000
		}
		if v := wordsValue(rest); v >= 0 {
			return 2000 + v
		}
		return -1
	case s == "nineteen hundred":
		return 1900
	}
	century, rest, ok := strings.Cut(s, " ")
	if !ok {
		century, rest, ok = strings.Cut(s, "-")
	}
	c, r := wordsValue(century), wordsValue(rest)
	if !ok || c < 0 || r < 0 || r > 99 {
		return -1
	}
	return c*100 + r
}
