package guard

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Phone and NHS number rules. A candidate starts at "+" or a digit that
// does not follow a digit or "+", and runs over digits and runs of
// separators (spaces, dots, dashes, slashes, underscores, brackets) of at
// most maxSepRun characters: "07700 - 900 - 412" is one candidate. At each
// digit that ends a group, the digits so far are judged:
//
//   - a UK number: with +44 or 0044 (and a "(0)" after it) read as the
//     trunk 0, 0 then a non-zero digit then 8 or 9 more digits that
//     libphonenumber (github.com/nyaruka/phonenumbers) calls a possible
//     GB number. "Possible", not "valid", because Ofcom's drama ranges
//     (07700 900xxx, which the demo uses) are deliberately not valid and
//     a real number typed with one digit wrong still identifies;
//   - an international number: "+" or "00" then a country code and a
//     number libphonenumber calls valid for that country;
//   - one of the household's own numbers (any country), however spaced;
//   - an NHS number: 10 digits whose last is the modulus-11 check digit
//     of the first nine.
//
// The longest judged prefix wins. A candidate that contains a full date
// ("01/06/2026 10") is not a phone number.
//
// nyaruka/phonenumbers v1.8.1 ports libphonenumber's parsing and metadata
// but not its PhoneNumberMatcher (NewPhoneNumberMatcher is a stub that
// returns nil), so finding candidates in free text is done here and only
// the judging uses the library.
const (
	maxPhoneRunDigits = 16
	maxPhoneRunBytes  = 48
	maxSepRun         = 4
)

// numbers returns the spans of phone numbers and NHS numbers in text: UK
// and international numbers, the numbers in own (the household's, as
// canonical digits; may be nil), and NHS numbers.
func numbers(text string, own map[string]bool) []span {
	var out []span
	for i := 0; i < len(text); {
		c := text[i]
		if !(c == '+' || c == '(' || isDigit(c)) || (i > 0 && (isDigit(text[i-1]) || text[i-1] == '+')) {
			i++
			continue
		}
		if end, kind, isOwn := numberAt(text, i, own); end > i {
			out = append(out, span{i, end, kind, isOwn})
			i = end
			continue
		}
		i++
	}
	return out
}

// numberAt returns the end and kind of the longest number starting at i,
// or i if there is none.
func numberAt(text string, i int, own map[string]bool) (end int, kind string, isOwn bool) {
	var digits []byte
	best, bestKind, bestOwn := i, "", false
	plus := text[i] == '+'
	j := i
	if plus {
		j++
	}
	seps := 0
	for j < len(text) && j-i <= maxPhoneRunBytes && len(digits) <= maxPhoneRunDigits {
		c := text[j]
		switch {
		case isDigit(c):
			digits = append(digits, c)
			seps = 0
			j++
			if j == len(text) || !isDigit(text[j]) {
				if k, o := judgeNumber(plus, string(digits), own); k != "" && !containsDate(text[i:j]) {
					best, bestKind, bestOwn = j, k, o
				}
			}
			continue
		case isSep(c):
			seps++
			if seps > maxSepRun {
				return best, bestKind, bestOwn
			}
			j++
			continue
		}
		break
	}
	return best, bestKind, bestOwn
}

// judgeNumber returns the kind of number the digits make ("" for none) and
// whether it is the household's own.
func judgeNumber(plus bool, digits string, own map[string]bool) (string, bool) {
	d := canonicalPhone(plus, digits)
	switch {
	case own[d]:
		return KindPhone, true
	case ukNational(d) && possibleGB(d):
		return KindPhone, false
	case (plus || strings.HasPrefix(digits, "00")) && !strings.HasPrefix(d, "0") && validInternational(d):
		return KindPhone, false
	case !plus && nhsNumber(digits):
		return KindNHSNumber, false
	}
	return "", false
}

// possibleGB reports whether national digits (starting 0) are a possible
// GB number by libphonenumber's metadata.
func possibleGB(d string) bool {
	n, err := phonenumbers.Parse(d, "GB")
	return err == nil && phonenumbers.IsPossibleNumber(n)
}

// validInternational reports whether digits (a country code and number,
// without "+" or "00") are a valid number by libphonenumber.
func validInternational(d string) bool {
	if len(d) < 8 || len(d) > 15 {
		return false
	}
	n, err := phonenumbers.Parse("+"+d, "")
	return err == nil && phonenumbers.IsValidNumber(n)
}

// nhsNumber reports whether d is 10 digits with a valid NHS modulus-11
// check digit.
func nhsNumber(d string) bool {
	if len(d) != 10 {
		return false
	}
	sum := 0
	for k := range 9 {
		sum += int(d[k]-'0') * (10 - k)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(d[9]-'0')
}

// containsDate reports whether a number candidate contains a full numeric
// date (then it is a date and a time, not a phone number).
func containsDate(s string) bool {
	return numericDateRE.MatchString(s) || isoDateRE.MatchString(s)
}

// canonicalPhone returns a number's digits in one form: a UK number
// (national, +44 or 0044, with or without "(0)") as its national digits
// starting 0; any other international number (+ or 00) as its digits
// without the prefix; anything else unchanged.
func canonicalPhone(plus bool, d string) string {
	switch {
	case plus && strings.HasPrefix(d, "44"):
		return "0" + strings.TrimPrefix(d[2:], "0")
	case plus:
		return d
	case strings.HasPrefix(d, "0044"):
		return "0" + strings.TrimPrefix(d[4:], "0")
	case strings.HasPrefix(d, "00"):
		return d[2:]
	}
	return d
}

// ukNational reports whether canonical digits are shaped like a UK
// national number.
func ukNational(d string) bool {
	return len(d) >= 10 && len(d) <= 11 && d[0] == '0' && d[1] != '0'
}

// ownPhones returns the canonical digits of the household's numbers with
// at least 7 digits.
func ownPhones(numbers []string) map[string]bool {
	own := map[string]bool{}
	for _, n := range numbers {
		n = normalise(n)
		var digits []byte
		for _, c := range []byte(n) {
			if isDigit(c) {
				digits = append(digits, c)
			}
		}
		if len(digits) >= 7 {
			own[canonicalPhone(strings.HasPrefix(strings.TrimSpace(n), "+"), string(digits))] = true
		}
	}
	return own
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
