package guard

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word of normalised text: a maximal run of letters, digits,
// apostrophes and hyphens, with its byte offsets.
type token struct {
	start, end int
	text       string
}

// tokens splits text into words.
func tokens(text string) []token {
	var out []token
	start := -1
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '-'
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, token{start, i, text[start:i]})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, token{start, len(text), text[start:]})
	}
	return out
}

// capitalisedWord reports whether w starts with an upper-case letter
// followed by at least one lower-case letter.
func capitalisedWord(w string) bool {
	r, size := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) || size >= len(w) {
		return false
	}
	next, _ := utf8.DecodeRuneInString(w[size:])
	return unicode.IsLower(next) || next == '\''
}

// windows returns the byte ranges [max(0, s-before), min(len, e+after)]
// around each token for which want is true, merged when they overlap and
// widened to the nearest space so that word boundaries mean the same in a
// window as in the text.
func windows(text string, toks []token, before, after int, want func(t token) bool) [][2]int {
	var out [][2]int
	for _, t := range toks {
		if !want(t) {
			continue
		}
		s, e := max(0, t.start-before), min(len(text), t.end+after)
		if k := strings.LastIndexByte(text[:s], ' '); s > 0 && k >= 0 {
			s = k
		} else if s > 0 {
			s = 0
		}
		if k := strings.IndexByte(text[e:], ' '); e < len(text) {
			if k < 0 {
				e = len(text)
			} else {
				e += k
			}
		}
		if n := len(out); n > 0 && s <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], e)
		} else {
			out = append(out, [2]int{s, e})
		}
	}
	return out
}
