package guard

import "strings"

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

// relationWords are the words for a person in the household's life that
// put a following capitalised word under suspicion of being a name.
var relationWords = map[string]bool{}

func init() {
	for w := range strings.FieldsSeq(`ex-partner ex-husband ex-wife ex-boyfriend ex-girlfriend partner husband wife boyfriend girlfriend
perpetrator abuser father mother dad mum stepfather stepdad son daughter brother sister uncle aunt cousin grandmother grandfather nan
neighbour named called aka ex`) {
		relationWords[w] = true
	}
}

// titles are the titles that put a following capitalised word under
// suspicion of being a surname.
var titles = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true, "mister": true, "master": true}

// personNames returns the spans of people's names found by the rules
// above. It works on the text's words, in one pass.
func personNames(text string, toks []token) []span {
	var out []span
	name := func(i int) bool {
		return i < len(toks) && capitalisedWord(toks[i].text) && !notNames[strings.ToLower(strings.Trim(toks[i].text, "'-"))]
	}
	// gap reports whether only spaces (and, after a relation word, one
	// comma or colon) separate token i from the next.
	gap := func(i int, punct bool) bool {
		if i+1 >= len(toks) {
			return false
		}
		between := text[toks[i].end:toks[i+1].start]
		if punct {
			between = strings.TrimLeft(between, ",:.")
		}
		return between == " "
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		lower := strings.ToLower(t.text)
		switch {
		case titles[lower] && capitalisedWord(t.text) && gap(i, true) && name(i+1):
			end := toks[i+1].end
			if gap(i+1, false) && name(i+2) {
				end = toks[i+2].end
			}
			out = append(out, span{t.start, end, KindPersonName, false})
		case firstNames[lower] && capitalisedWord(t.text) && gap(i, false) && name(i+1):
			end := toks[i+1].end
			if gap(i+1, false) && name(i+2) {
				end = toks[i+2].end
			}
			out = append(out, span{t.start, end, KindPersonName, false})
			for i+1 < len(toks) && toks[i+1].end <= end {
				i++
			}
		case (relationWords[lower] || (lower == "as" && i > 0 && strings.EqualFold(toks[i-1].text, "known"))) && gap(i, true) && name(i+1):
			end := toks[i+1].end
			if gap(i+1, false) && name(i+2) {
				end = toks[i+2].end
			}
			out = append(out, span{toks[i+1].start, end, KindPersonName, false})
		}
	}
	return out
}
