package guard

import "strings"

// Phone number rules. A candidate starts at "+", "(" or a digit that does
// not follow a digit or "+", and runs over digits, spaces, "-" and
// brackets. Its digits, with a leading +44 or 0044 (and a "(0)" after it)
// read as the trunk 0, must make a UK national number: 0, a non-zero digit,
// then 8 or 9 more digits (01, 02, 03, 05, 07, 08 and 09 ranges, including
// 0800 and Ofcom's drama range 07700 900xxx), or be one of the household's
// own numbers (any country). Dots, slashes and colons end a candidate, so
// dates, times and prices are not phone numbers.
const (
	maxPhoneRunDigits = 16
	maxPhoneRunBytes  = 40
)

// phones returns the spans of phone numbers in text: UK numbers, and the
// numbers in own (the household's, as canonical digits; may be nil).
func phones(text string, own map[string]bool) []span {
	var out []span
	for i := 0; i < len(text); {
		c := text[i]
		if !(c == '+' || c == '(' || isDigit(c)) || (i > 0 && (isDigit(text[i-1]) || text[i-1] == '+')) {
			i++
			continue
		}
		if end := phoneAt(text, i, own); end > i {
			out = append(out, span{i, end, KindPhone})
			i = end
			continue
		}
		i++
	}
	return out
}

// phoneAt returns the end of the longest phone number starting at i, or i
// if there is none. A number ends after a digit that is not followed by
// another digit.
func phoneAt(text string, i int, own map[string]bool) int {
	var digits []byte
	best := i
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
				if d := canonicalPhone(plus, string(digits)); ukNational(d) || own[d] {
					best = j
				}
			}
			continue
		case c == ' ' || c == '-' || c == '(' || c == ')':
			seps++
			if seps > 2 {
				return best
			}
			j++
			continue
		}
		break
	}
	return best
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

// ukNational reports whether canonical digits are a UK national number.
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
