package guard

import (
	"regexp"
	"strings"
)

// Third parties' names (a perpetrator, a relative, a neighbour) identify a
// household as surely as its own. Without the household details to go on,
// the guard flags a person's name when:
//
//   - a title comes before a capitalised word: "Mr Smith", "Mrs. O'Neill",
//     "Dr Patel";
//   - a common UK first name (a built-in list of a few hundred) starts a
//     run of two or three capitalised words: "Darren Smith";
//   - a word for a person in the household's life (partner, ex-partner,
//     husband, perpetrator, father, son, neighbour, "named", "called" ...)
//     comes before a capitalised word that is not a common word of the
//     scheme's own vocabulary: "ex-partner Darren", "her brother, Kyle".
//
// Names written in lower case, or alone in a sentence, pass unless they are
// the household's own (those are matched in any case).
var (
	titleRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9])((?:Mr|Mrs|Ms|Miss|Mx|Dr|Mister|Master)\.? [A-Z][A-Za-z'-]+(?: [A-Z][A-Za-z'-]+)?)`)
	// fullNameRE is two or three capitalised words; the first must be a
	// known first name.
	fullNameRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9])(([A-Z][a-z]+)((?: [A-Z][A-Za-z'-]+){1,2}))`)
	relationRE = regexp.MustCompile(`(?i:\b(?:ex-partner|ex-husband|ex-wife|ex-boyfriend|ex-girlfriend|partner|husband|wife|boyfriend|girlfriend|perpetrator|abuser|father|mother|dad|mum|stepfather|stepdad|son|daughter|brother|sister|uncle|aunt|cousin|grandmother|grandfather|nan|neighbour|named|called|known as|aka|ex))(?:,|:)? ([A-Z][a-z'-]+(?: [A-Z][A-Za-z'-]+)?)`)
)

// firstNames are common UK first names (ONS baby-name and census lists),
// lower case. Names that are also ordinary words or places ("Grace",
// "Kent", "Chelsea", "May") are left out to spare false positives.
var firstNames = map[string]bool{}

func init() {
	for n := range strings.FieldsSeq(`aaron adam adrian ahmed aidan alan albert alex alexander alfie ali alice alison amanda amelia amy andrea andrew angela anna anne annie anthony antony arthur ashley
barbara barry ben benjamin beth bethany bill billy bradley brandon brenda brian bruce caitlin callum cameron carl carol caroline carolyn catherine charles charlie charlotte chloe chris christine christopher claire clare connor craig
dale daniel danielle danny darren david dean debbie deborah declan denise dennis derek diane dominic donna douglas duncan dylan edward eleanor elizabeth ella ellie emily emma eric ethan evie
fatima frances francesca frank freddie gail gareth gary gavin gemma geoffrey george georgia gordon graham greg gregory hannah harry harvey hayley heather helen henry holly howard hussein
ian imran isaac isabella isabelle isla jack jacob jade jake james jamie jane janet jason jayden jean jennifer jenny jessica jill joan joanne jodie joe joel john jonathan jordan joseph josh joshua joyce judith julie justin
karen karl kate katie kayleigh keith kelly kerry kevin kieran kim kirsty kyle laura lauren leah lee leo leon lesley lewis liam lily linda lisa logan louis louise lucy luke lynn
mandy margaret maria marie mark martin mary matthew megan melanie michael michelle mohammed mohammad muhammad molly nadia naomi natalie nathan neil nicholas nicola nigel noah oliver olivia oscar owen
pamela patricia paul pauline peter philip phillip rachel rebecca ricky richard robert robin ross ruth ryan sally samantha samuel sandra sarah scott sean shane sharon shaun sheila simon sophie stacey stephanie stephen steven stuart susan
tanya teresa terry thomas tim timothy toby tom tony tracey tracy trevor tyler vanessa vicky victoria vincent wayne wendy william yasmin zara zoe`) {
		firstNames[n] = true
	}
}

// notNames are capitalised words that often follow a relation word or a
// first name without being a person's name.
var notNames = map[string]bool{}

func init() {
	for w := range strings.FieldsSeq(`the a an and or is was has had lives lived works who which that this his her their monday tuesday wednesday thursday friday saturday sunday
january february march april june july august september october november december year reception nursery school college
housing homes refuge support services service council police court social team idva marac dash kent medway
maidstone ashford canterbury dartford dover folkestone hythe gravesham sevenoaks swale thanet tonbridge malling tunbridge wells
nhs gp ccg street road avenue lane close way place court`) {
		notNames[w] = true
	}
}

// personNames returns the spans of people's names found by the rules
// above.
func personNames(text string) []span {
	var out []span
	for _, m := range groupSpans(titleRE, text) {
		out = append(out, span{m[0], m[1], KindPersonName, false})
	}
	for i := 0; i <= len(text); {
		m := fullNameRE.FindStringSubmatchIndex(text[i:])
		if m == nil {
			break
		}
		first := strings.ToLower(text[i+m[4] : i+m[5]])
		rest := strings.Fields(text[i+m[6] : i+m[7]])
		ok := firstNames[first] && len(rest) > 0 && !notNames[strings.ToLower(strings.Trim(rest[0], "'-"))]
		if ok {
			end := i + m[6] + 1 + len(rest[0])
			if len(rest) > 1 && !notNames[strings.ToLower(strings.Trim(rest[1], "'-"))] {
				end = i + m[7]
			}
			out = append(out, span{i + m[2], end, KindPersonName, false})
			i = end
			continue
		}
		i += m[4] + 1
	}
	for _, m := range relationRE.FindAllStringSubmatchIndex(text, -1) {
		name := text[m[2]:m[3]]
		words := strings.Fields(name)
		if notNames[strings.ToLower(words[0])] {
			continue
		}
		end := m[3]
		if len(words) > 1 && notNames[strings.ToLower(strings.Trim(words[1], "'-"))] {
			end = m[2] + len(words[0])
		}
		out = append(out, span{m[2], end, KindPersonName, false})
	}
	return out
}
