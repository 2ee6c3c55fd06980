package guard

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normalise returns s in the form every rule matches against: compatibility
// decomposition (NFKD: full-width digits become ASCII, ligatures split),
// accents and invisible format characters (zero-width space, soft hyphen)
// removed, every dash as "-", curly apostrophes as "'", and every run of
// white space as one space. Invalid UTF-8 becomes U+FFFD.
func normalise(s string) string {
	d := norm.NFKD.String(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(d))
	space := false
	for _, r := range d {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r):
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.Is(unicode.Pd, r) || r == '\u2212':
			r = '-'
		case r == '\u2018' || r == '\u2019' || r == '\u02bc':
			r = '\''
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

// isWordRune reports whether r is part of a word (a letter or digit in any
// script) for the word-boundary checks.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
