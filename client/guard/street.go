package guard

import (
	"regexp"
	"strings"
)

// Street address rule: a house number or a street name followed by a
// thoroughfare word ("22 Church Street", "14a orchard row", "Church
// Road"), with the thoroughfare word's plural and abbreviations ("St",
// "Rd", "Ave", "Gdns", "Tce"...).
//
//   - With a house number (1 to 4 digits, an optional letter), the street
//     name is one to three words in any case that are not ordinary
//     counting words ("2 minutes from the high street" is not an
//     address), then the thoroughfare word. Thoroughfare words that are
//     also ordinary English ("close", "way", "row", "court", "drive",
//     "place", "walk") must then start with a capital letter.
//   - Without a house number, one or two capitalised words then a
//     capitalised thoroughfare word: "Church Road", "Marine Parade". This
//     also flags a landmark such as "Church Road Surgery", which the
//     caseworker can override with a reason (it is not the household's
//     own data).
var (
	unambiguousThoroughfares = `street|streets|st|road|roads|rd|avenue|avenues|ave|av|lane|lanes|ln|crescent|crescents|cres|cresc|terrace|terraces|terr|tce|parade|parades|pde|gardens|gdns|mews|square|sq|grove|gr`
	ambiguousThoroughfares   = `Close|Closes|Cl|Row|Rows|Court|Courts|Ct|Way|Ways|Drive|Drives|Dr|Place|Places|Pl|Walk|Walks`

	numberedStreetRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9])([0-9]{1,4}[A-Za-z]?,? ((?:[A-Za-z][A-Za-z'-]* ){1,3})(?:(?i:` + unambiguousThoroughfares + `)|` + ambiguousThoroughfares + `)\.?)(?:$|[^A-Za-z0-9])`)
	namedStreetRE    = regexp.MustCompile(`(?:^|[^A-Za-z0-9])(((?:[A-Z][a-z'-]+ ){1,2})(?:` + capitalised(unambiguousThoroughfares) + `|` + ambiguousThoroughfares + `)\.?)(?:$|[^A-Za-z0-9])`)
)

// capitalised returns an alternation of words with each word's first
// letter upper-cased ("street|st" gives "Street|St").
func capitalised(alt string) string {
	words := strings.Split(alt, "|")
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, "|")
}

// abbreviations are the thoroughfare abbreviations that may end in a dot.
var abbreviations = map[string]bool{"st": true, "rd": true, "ave": true, "av": true, "ln": true, "pde": true, "ct": true,
	"cres": true, "cresc": true, "terr": true, "tce": true, "gdns": true, "sq": true, "gr": true, "cl": true, "dr": true, "pl": true}

// notStreetNames are words that cannot be part of a street name: counting
// words and small words that put a number in front of a thoroughfare word
// in ordinary text.
var notStreetNames = map[string]bool{}

func init() {
	for w := range strings.FieldsSeq(`a an the of to from for in on at by near off and or with within into
min mins minute minutes mile miles metre metres meter meters yard yards km hour hours hr hrs day days week weeks month months year years
bed beds bedroom bedrooms bedded child children kid kids adult adults people person bus buses stop stops walk walking
floor floors storey storeys steps step flight flights door doors room rooms times visits nights houses homes flats
is are was be been has have had no not very quite too more less than only just also`) {
		notStreetNames[w] = true
	}
}

// thoroughfareWords are the thoroughfare words in lower case, for finding
// where to look.
var thoroughfareWords = map[string]bool{}

func init() {
	for _, w := range strings.Split(unambiguousThoroughfares+"|"+strings.ToLower(ambiguousThoroughfares), "|") {
		thoroughfareWords[w] = true
	}
}

// streets returns the spans of street addresses in text: the patterns run
// only on the text just before each thoroughfare word.
func streets(text string, toks []token) []span {
	var out []span
	for _, w := range windows(text, toks, 80, 2, func(t token) bool { return thoroughfareWords[strings.ToLower(t.text)] }) {
		for _, sp := range streetsIn(text[w[0]:w[1]]) {
			out = append(out, span{w[0] + sp.start, w[0] + sp.end, sp.kind, false})
		}
	}
	return out
}

// streetsIn returns the spans of street addresses in a window of text.
func streetsIn(text string) []span {
	var out []span
	for _, re := range []*regexp.Regexp{numberedStreetRE, namedStreetRE} {
		for i := 0; i <= len(text); {
			m := re.FindStringSubmatchIndex(text[i:])
			if m == nil {
				break
			}
			start, end := i+m[2], i+m[3]
			name := text[i+m[4] : i+m[5]]
			ok := true
			for w := range strings.FieldsSeq(name) {
				if notStreetNames[strings.ToLower(strings.Trim(w, "'-"))] {
					ok = false
				}
			}
			if ok {
				// A full stop belongs to an abbreviation ("St."), not to
				// "Street." at the end of a sentence.
				if m := text[start:end]; strings.HasSuffix(m, ".") {
					last := m[strings.LastIndexByte(m, ' ')+1 : len(m)-1]
					if !abbreviations[strings.ToLower(last)] {
						end--
					}
				}
				out = append(out, span{start, end, KindStreet, false})
			}
			// Go on after the first character of the match: the name
			// words may start a later address.
			next := i + m[2] + 1
			if ok {
				next = end
			}
			i = next
		}
	}
	return out
}
