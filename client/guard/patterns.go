package guard

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// sepClass is the separators people type inside postcodes, phone numbers
// and identity numbers: spaces, dots, dashes, slashes, underscores and
// brackets.
const sepClass = `[ ._/\\()\[\]{}-]`

// isSep reports whether c is one of sepClass.
func isSep(c byte) bool { return strings.IndexByte(" ._/\\()[]{}-", c) >= 0 }

// The fixed patterns, compiled once and never changed (a *regexp.Regexp is
// safe for concurrent use). They match normalised text, so white space is
// a single space. Each begins with a group that consumes the character
// before the match (or the start), because Go's \b counts "_" as a word
// character: "ME46ZZ_tenancy.pdf" must still show a postcode.
var (
	// postcodeRE matches a UK postcode in every official shape (A9 9AA,
	// A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA, and GIR 0AA), in any
	// case, with any run of separators between its characters, not inside
	// a longer run of letters and digits. standardPostcodeRE says which
	// matches need no known area (see postcodes).
	postcodeRE         = regexp.MustCompile(`(?i)(?:^|[^a-z0-9])(GIR` + sepClass + `*0` + sepClass + `*AA|(?:[A-Z]` + sepClass + `*){1,2}[0-9]` + sepClass + `*(?:[A-Z0-9]` + sepClass + `*)?[0-9]` + sepClass + `*[A-Z]` + sepClass + `*[A-Z])(?:$|[^a-z0-9])`)
	standardPostcodeRE = regexp.MustCompile(`(?i)^(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[ -]?[0-9][A-Z]{2})$`)

	// emailRE matches an email address with a dotted domain.
	emailRE = regexp.MustCompile(`(?i)[a-z0-9!#$%&'*+/=?^_{|}~.-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b`)

	// spelledEmailRE matches an email address written out to dodge a
	// filter: "j dot okafor at example dot org", "jo [at] mail (dot) com".
	spelledEmailRE = regexp.MustCompile(`(?i)\b[a-z0-9][a-z0-9_%+-]*(?: ?(?:\.|\bdot\b|\(dot\)|\[dot\]) ?[a-z0-9_%+-]+)* ?(?:@|\(at\)|\[at\]|\bat\b) ?[a-z0-9-]+(?: ?(?:\.|\bdot\b|\(dot\)|\[dot\]) ?[a-z0-9-]+)* ?(?:\.|\bdot\b|\(dot\)|\[dot\]) ?(?:com|org|net|uk|co|gov|nhs|ac|io|me|info|biz|eu|ie|de|fr|es|it|nl|pl|us)\b`)

	// handleRE matches a social-media handle: "@" then 2 to 30 letters,
	// digits, dots and underscores with at least one letter, not part of
	// an email address.
	handleRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_.@])(@[A-Za-z0-9_.]*[A-Za-z][A-Za-z0-9_.]*)`)

	// niRE matches a National Insurance number: two letters, three pairs
	// of digits and a letter A to D, with any separators.
	niRE = regexp.MustCompile(`(?i)(?:^|[^a-z0-9])([A-Z]` + sepClass + `*[A-Z]` + sepClass + `*[0-9]{2}` + sepClass + `*[0-9]{2}` + sepClass + `*[0-9]{2}` + sepClass + `*[A-D])(?:$|[^a-z0-9])`)
)

// postcodeAreas are the 121 UK postcode areas. A postcode written with
// unusual separators ("M E 4 / 6 Z Z") must start with one, so that a
// list of numbers and single letters is not mistaken for a postcode; a
// postcode in its standard shape may have any letters (a mistyped postcode
// still locates someone).
var postcodeAreas = map[string]bool{}

func init() {
	for a := range strings.FieldsSeq(`AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY
E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW
OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE`) {
		postcodeAreas[a] = true
	}
}

// squeeze returns s without separators, upper-cased.
func squeeze(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if !isSep(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return strings.ToUpper(b.String())
}

// postcodes returns the spans of UK postcodes in text.
func postcodes(text string) []span {
	return postcodesNI(text, tokens(text))
}

// postcodesNI returns the spans of UK postcodes and NI numbers in text,
// whose words are toks. Both always have a digit: the patterns run only
// around the words with one.
func postcodesNI(text string, toks []token) []span {
	var out []span
	for _, w := range windows(text, toks, 16, 16, func(t token) bool { return strings.ContainsAny(t.text, "0123456789") }) {
		for _, sp := range postcodesIn(text[w[0]:w[1]]) {
			out = append(out, span{w[0] + sp.start, w[0] + sp.end, sp.kind, false})
		}
		for _, sp := range niNumbers(text[w[0]:w[1]]) {
			out = append(out, span{w[0] + sp.start, w[0] + sp.end, sp.kind, false})
		}
	}
	return out
}

// postcodesIn returns the spans of UK postcodes in a window of text.
func postcodesIn(text string) []span {
	var out []span
	for _, m := range groupSpans(postcodeRE, text) {
		pc := text[m[0]:m[1]]
		if !standardPostcodeRE.MatchString(pc) {
			sq := squeeze(pc)
			area := sq[:1]
			if len(sq) > 1 && isASCIILetter(sq[1]) {
				area = sq[:2]
			}
			if !postcodeAreas[area] {
				continue
			}
		}
		out = append(out, span{m[0], m[1], KindPostcode, false})
	}
	return out
}

// groupSpans returns the positions of group 1 of each match of re, which
// must consume one boundary character on either side. A match's trailing
// boundary character may start the next match.
func groupSpans(re *regexp.Regexp, text string) [][2]int {
	var out [][2]int
	for i := 0; i <= len(text); {
		m := re.FindStringSubmatchIndex(text[i:])
		if m == nil {
			break
		}
		out = append(out, [2]int{i + m[2], i + m[3]})
		next := i + m[3]
		if next <= i {
			next = i + 1
		}
		i = next
	}
	return out
}

// emails returns the spans of email addresses in text, written plainly or
// spelled out.
func emails(text string, toks []token) []span {
	var out []span
	if strings.ContainsRune(text, '@') {
		out = regexpSpans(emailRE, text, KindEmail)
	}
	// A spelled-out address has an "at" word or an "@": search only
	// around those, so that a long note costs little.
	for _, w := range windows(text, toks, 80, 80, func(t token) bool {
		return strings.EqualFold(t.text, "at") || (t.end < len(text) && text[t.end] == '@')
	}) {
		for _, sp := range regexpSpans(spelledEmailRE, text[w[0]:w[1]], KindEmail) {
			out = append(out, span{w[0] + sp.start, w[0] + sp.end, KindEmail, false})
		}
	}
	return out
}

// handles returns the spans of social-media handles in text.
func handles(text string) []span {
	var out []span
	for _, m := range groupSpans(handleRE, text) {
		h := strings.TrimRight(text[m[0]:m[1]], ".")
		if len(h) >= 3 {
			out = append(out, span{m[0], m[0] + len(h), KindHandle, false})
		}
	}
	return out
}

// niNumbers returns the spans of National Insurance numbers in text.
func niNumbers(text string) []span {
	var out []span
	for _, m := range groupSpans(niRE, text) {
		out = append(out, span{m[0], m[1], KindNINumber, false})
	}
	return out
}

func regexpSpans(re *regexp.Regexp, text, kind string) []span {
	var out []span
	for _, m := range re.FindAllStringIndex(text, -1) {
		out = append(out, span{m[0], m[1], kind, false})
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
