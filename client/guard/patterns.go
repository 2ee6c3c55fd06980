package guard

import (
	"regexp"
	"unicode/utf8"
)

// The fixed patterns, compiled once and never changed (a *regexp.Regexp is
// safe for concurrent use). They match normalised text, so white space is
// a single space.
var (
	// postcodeRE matches a UK postcode in every official shape (A9 9AA,
	// A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA, and GIR 0AA), with or
	// without the space, in any case, not inside a longer run of letters
	// and digits.
	postcodeRE = regexp.MustCompile(`(?i)\b(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b`)

	// emailRE matches an email address with a dotted domain.
	emailRE = regexp.MustCompile(`(?i)[a-z0-9!#$%&'*+/=?^_{|}~.-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b`)
)

// postcodes returns the spans of UK postcodes in text.
func postcodes(text string) []span {
	return regexpSpans(postcodeRE, text, KindPostcode)
}

// emails returns the spans of email addresses in text.
func emails(text string) []span {
	return regexpSpans(emailRE, text, KindEmail)
}

func regexpSpans(re *regexp.Regexp, text, kind string) []span {
	var out []span
	for _, m := range re.FindAllStringIndex(text, -1) {
		out = append(out, span{m[0], m[1], kind})
	}
	return out
}

// boundaryBefore reports whether position i of text is not inside a word
// (letters and digits in any script; Go's \b knows only ASCII).
func boundaryBefore(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	first, _ := utf8.DecodeRuneInString(text[i:])
	return !(isWordRune(r) && isWordRune(first))
}

// boundaryAfter reports whether a match ending at i does not end inside a word.
func boundaryAfter(text string, i int) bool {
	if i >= len(text) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	last, _ := utf8.DecodeLastRuneInString(text[:i])
	return !(isWordRune(r) && isWordRune(last))
}
