package guard

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minNamePartLetters is the shortest part of a name matched on its own.
const minNamePartLetters = 3

// householdMatcher finds one household's own details in text.
type householdMatcher struct {
	// phrases are the names, address terms, emails and passages, indexed
	// by the lower-case first rune of their first word, longest first.
	phrases map[rune][]phrase
	phones  map[string]bool // household phones, canonical digits
	births  []civilDate
	// postcode is the household's postcode, squeezed (no separators,
	// upper case), or "".
	postcode string
}

// phrase is one literal phrase of the household's details, matched
// case-insensitively with any run of spaces, commas and hyphens between
// its words, on word boundaries.
type phrase struct {
	first string         // the phrase's first word, for a quick prefix test
	re    *regexp.Regexp // anchored at the start
	kind  string
	size  int // length of the normalised phrase, for longest-first
}

// newHouseholdMatcher compiles h's details into case-insensitive patterns,
// or returns nil if h is nil.
func newHouseholdMatcher(h *Household) *householdMatcher {
	if h == nil {
		return nil
	}
	m := &householdMatcher{phrases: map[rune][]phrase{}}
	m.addNames(nameTerms(h.Names))
	m.addPhrases(addressTerms(h.Address), KindAddress)
	var emails []string
	for _, e := range h.Emails {
		if e = strings.TrimSpace(normalise(e)); e != "" {
			emails = append(emails, e)
		}
	}
	m.addPhrases(emails, KindEmail)
	m.addPhrases(passageTerms(h.Passages), KindDetails)
	for _, list := range m.phrases {
		slices.SortStableFunc(list, func(a, b phrase) int { return b.size - a.size })
	}
	m.phones = ownPhones(h.Phones)
	if pcs := postcodes(normalise(h.Address)); len(pcs) > 0 {
		a := normalise(h.Address)
		m.postcode = squeeze(a[pcs[len(pcs)-1].start:pcs[len(pcs)-1].end])
	}
	for _, d := range h.DatesOfBirth {
		if cd, ok := parseDate(d); ok {
			m.births = append(m.births, cd)
		}
	}
	return m
}

// addPhrases adds literal phrases (already normalised) of one kind.
func (m *householdMatcher) addPhrases(phrases []string, kind string) {
	for _, p := range phrases {
		w := words(p)
		if len(w) == 0 {
			continue
		}
		quoted := make([]string, len(w))
		for i, x := range w {
			quoted[i] = regexp.QuoteMeta(x)
		}
		first, _ := utf8.DecodeRuneInString(w[0])
		key := unicode.ToLower(first)
		m.phrases[key] = append(m.phrases[key], phrase{
			first: w[0],
			re:    regexp.MustCompile(`^(?i:` + strings.Join(quoted, `[ ,-]+`) + `)`),
			kind:  kind,
			size:  len(p),
		})
	}
}

// addNames adds the household's names (already normalised): each word
// also matches with its letters split by dots, spaces, dashes or
// underscores ("A.m.i.r.a", "H A D D A D"), and the whole name with a
// plural or possessive ending ("the Haddads", "Amira's", "the Haddads'").
func (m *householdMatcher) addNames(names []string) {
	for _, p := range names {
		w := words(p)
		if len(w) == 0 {
			continue
		}
		alts := make([]string, len(w))
		for i, x := range w {
			alts[i] = regexp.QuoteMeta(x)
			if letters := []rune(x); len(letters) >= minNamePartLetters {
				split := make([]string, len(letters))
				for k, r := range letters {
					split[k] = regexp.QuoteMeta(string(r))
				}
				alts[i] = `(?:` + alts[i] + `|` + strings.Join(split, `[ ._*-]+`) + `)`
			}
		}
		first, _ := utf8.DecodeRuneInString(w[0])
		key := unicode.ToLower(first)
		m.phrases[key] = append(m.phrases[key], phrase{
			re:   regexp.MustCompile(`^(?i:` + strings.Join(alts, `[ ,._-]+`) + `(?:'s|s'|es|s|')?)`),
			kind: KindName,
			size: len(p),
		})
	}
}

// find returns the spans of the household's own details in text.
func (m *householdMatcher) find(text string) []span {
	var out []span
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if boundaryBefore(text, i) {
			if end, kind, ok := m.phraseAt(text, i, unicode.ToLower(r)); ok {
				out = append(out, span{i, end, kind, true})
				i = end
				continue
			}
		}
		i += size
	}
	return out
}

// phraseAt returns the end of the longest phrase starting at i and ending
// on a word boundary.
func (m *householdMatcher) phraseAt(text string, i int, lower rune) (end int, kind string, ok bool) {
	for _, p := range m.phrases[lower] {
		// A match is at most a few times the phrase's length (separator
		// runs), so the search never reads the rest of a long text.
		rest := text[i:min(len(text), i+4*p.size+8)]
		if p.first != "" && (len(rest) < len(p.first) || !strings.EqualFold(rest[:len(p.first)], p.first)) {
			continue
		}
		if loc := p.re.FindStringIndex(rest); loc != nil && boundaryAfter(text, i+loc[1]) {
			return i + loc[1], p.kind, true
		}
	}
	return 0, "", false
}

// words splits normalised text into words for phrase matching: commas and
// hyphens separate words like spaces do.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '-' })
}

// nameTerms returns each full name and each part of it with at least
// minNamePartLetters letters. Parts are split at spaces and hyphens
// ("Smith-Jones" gives "Smith" and "Jones" as well as the whole).
func nameTerms(names []string) []string {
	var out []string
	for _, n := range names {
		w := words(normalise(n))
		if len(w) == 0 {
			continue
		}
		if len(w) > 1 || letters(w[0]) >= minNamePartLetters {
			out = append(out, strings.Join(w, " "))
		}
		for _, part := range w {
			if letters(part) >= minNamePartLetters {
				out = append(out, part)
			}
		}
		for _, part := range strings.Fields(normalise(n)) {
			if strings.Contains(part, "-") && letters(part) >= minNamePartLetters {
				out = append(out, part)
			}
		}
	}
	return out
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// flatPrefixRE matches an address line that only names a flat or room
// ("Flat 3"), which says nothing on its own.
var flatPrefixRE = regexp.MustCompile(`(?i)^(?:flat|apartment|apt|room|unit|studio|maisonette)\.? ?[0-9a-z]{1,4}$`)

// streetLineRE matches a street line: a house number then a street name
// ("14 Orchard Row", "14a Orchard Row"), capturing the street name.
var streetLineRE = regexp.MustCompile(`(?i)^[0-9]{1,4}[a-z]? (\D{3,})$`)

// addressTerms returns the whole address, its first line (with the next
// one when the first only names a flat), and each street line with and
// without its house number. The postcode is found by the postcode rule.
func addressTerms(address string) []string {
	a := strings.TrimSpace(normalise(address))
	if a == "" {
		return nil
	}
	var lines []string
	for l := range strings.SplitSeq(a, ",") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	out := []string{a}
	if len(lines) == 0 {
		return out
	}
	if flatPrefixRE.MatchString(lines[0]) {
		if len(lines) > 1 {
			out = append(out, lines[0]+" "+lines[1])
		}
	} else {
		out = append(out, lines[0])
	}
	for _, l := range lines {
		if m := streetLineRE.FindStringSubmatch(l); m != nil {
			out = append(out, l)
			if len(words(m[1])) >= 2 {
				out = append(out, m[1])
			}
		}
	}
	return out
}

// passageTerms returns each passage and each of its sentences and clauses
// (split at . ; , ! ? and line breaks) of at least MinPassageChars
// characters.
func passageTerms(passages []string) []string {
	var out []string
	for _, p := range passages {
		p = strings.TrimSpace(normalise(p))
		pieces := append([]string{p}, strings.FieldsFunc(p, func(r rune) bool { return strings.ContainsRune(".;,!?\n", r) })...)
		for _, piece := range pieces {
			piece = strings.Trim(piece, " .;,!?")
			if utf8.RuneCountInString(piece) >= MinPassageChars {
				out = append(out, piece)
			}
		}
	}
	return out
}
