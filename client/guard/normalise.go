package guard

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// normalise returns s in the form every rule matches against:
//
//  1. Unicode NFKC (full-width letters and digits become ASCII, ligatures
//     split, superscripts become digits);
//  2. each remaining non-ASCII letter whose Unicode confusables skeleton
//     (UTS #39, github.com/mtibben/confusables) is a plain ASCII letter is
//     replaced by it (Cyrillic "а", Greek "Α" and Latin look-alikes become
//     "a" and "A"), and a decimal digit of any script becomes its ASCII
//     digit ("٣" becomes "3");
//  3. canonical decomposition with accents and invisible format characters
//     (zero-width space, soft hyphen) removed, so "Siân" matches "Sian";
//  4. every dash as "-", curly apostrophes as "'", and every run of white
//     space as one space.
//
// ASCII text is never changed by the skeleton step: the skeleton of ASCII
// "m" is "rn" and of "1" is "l", which would break digits and words.
// Invalid UTF-8 becomes U+FFFD.
func normalise(s string) string {
	s = norm.NFKC.String(strings.ToValidUTF8(s, "\uFFFD"))
	var mapped strings.Builder
	mapped.Grow(len(s))
	for _, r := range s {
		mapped.WriteString(foldRune(r))
	}
	d := norm.NFD.String(mapped.String())
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
		case r == '\u2018' || r == '\u2019' || r == '\u02bc' || r == '\u2032':
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
	return norm.NFC.String(b.String())
}

// foldRune maps one rune after NFKC: a decimal digit of any script to its
// ASCII digit, a non-ASCII letter whose confusables skeleton is one ASCII
// letter (after removing accents) to that letter, anything else to itself.
func foldRune(r rune) string {
	if r < utf8.RuneSelf {
		return string(r)
	}
	if unicode.Is(unicode.Nd, r) {
		return string(rune('0' + digitValue(r)))
	}
	if !unicode.IsLetter(r) {
		return string(r)
	}
	// Keep the accents of a letter that has them (they are removed later
	// all the same); look up the base letter's skeleton.
	base := norm.NFD.String(string(r))
	first, size := utf8.DecodeRuneInString(base)
	sk := confusables.Skeleton(string(first))
	if len(sk) == 1 && sk[0] < utf8.RuneSelf && isASCIILetter(sk[0]) {
		out := sk
		if unicode.IsUpper(first) {
			out = strings.ToUpper(sk)
		} else if unicode.IsLower(first) {
			out = strings.ToLower(sk)
		}
		return out + base[size:]
	}
	return string(r)
}

// digitValue returns the value (0 to 9) of a decimal digit rune: the
// Unicode Nd category comes in runs of ten consecutive code points from 0
// to 9.
func digitValue(r rune) int {
	n := 0
	for unicode.Is(unicode.Nd, r-1) && n < 100 {
		r--
		n++
	}
	return n % 10
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// isWordRune reports whether r is part of a word (a letter or digit in any
// script) for the word-boundary checks.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
