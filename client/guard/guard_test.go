package guard

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/protocol/payload"
)

// today is the fixed "today" of these tests.
var today = time.Date(2026, time.May, 1, 15, 0, 0, 0, time.UTC)

// amira is the first demo household, as the client would build it from the
// case's household details.
func amira() *Household {
	return &Household{
		Names:        []string{"Amira Haddad", "Yusuf Haddad", "Lina Haddad"},
		DatesOfBirth: []string{"1991-03-14", "2019-07-02", "2023-01-20"},
		Address:      "14 Orchard Row, Chatham, ME4 6ZZ",
		Phones:       []string{"07700 900412"},
		Passages:     []string{"Perpetrator known to drive a blue van; lives in Gillingham.", "Key worker at Harbour Refuge, 01634 960000", "weekdays 10:00-14:00"},
	}
}

func check(text string, h *Household) []Finding {
	return CheckAt([]Field{{Name: "referral.notes", Value: text}}, h, today)
}

// TestShapes is the table of real-world shapes: each text must give exactly
// these findings (kind and match), in order.
func TestShapes(t *testing.T) {
	type want struct{ kind, match string }
	tests := []struct {
		text string
		want []want
	}{
		// Postcodes in every shape, with and without the space, any case.
		{"Lives near ME4 6ZZ.", []want{{KindPostcode, "ME4 6ZZ"}}},
		{"me46zz", []want{{KindPostcode, "me46zz"}}},
		{"post code Me4 6zZ", []want{{KindPostcode, "Me4 6zZ"}}},
		{"M1 1AE", []want{{KindPostcode, "M1 1AE"}}},
		{"B33 8TH", []want{{KindPostcode, "B33 8TH"}}},
		{"CR2 6XH", []want{{KindPostcode, "CR2 6XH"}}},
		{"DN55 1PT", []want{{KindPostcode, "DN55 1PT"}}},
		{"W1A 0AX", []want{{KindPostcode, "W1A 0AX"}}},
		{"EC1A 1BB", []want{{KindPostcode, "EC1A 1BB"}}},
		{"ec1a1bb", []want{{KindPostcode, "ec1a1bb"}}},
		{"GIR 0AA", []want{{KindPostcode, "GIR 0AA"}}},
		{"(CT9 9ZZ)", []want{{KindPostcode, "CT9 9ZZ"}}},
		{"CT9  9ZZ", []want{{KindPostcode, "CT9 9ZZ"}}}, // white space collapsed
		{"ＭＥ４ ６ＺＺ", []want{{KindPostcode, "ME4 6ZZ"}}},  // full-width
		{"XME46ZZ", nil},        // inside a longer alphanumeric
		{"ME46ZZA", nil},        // inside a longer alphanumeric
		{"ref ABME4 6ZZ9", nil}, // both ends
		// Phone numbers.
		{"Call 07700 900412 after 10.", []want{{KindPhone, "07700 900412"}}},
		{"07700900412", []want{{KindPhone, "07700900412"}}},
		{"07700-900-412", []want{{KindPhone, "07700-900-412"}}},
		{"+44 7700 900733", []want{{KindPhone, "+44 7700 900733"}}},
		{"+447700900733", []want{{KindPhone, "+447700900733"}}},
		{"+44 (0)7700 900733", []want{{KindPhone, "+44 (0)7700 900733"}}},
		{"0044 7700 900733", []want{{KindPhone, "0044 7700 900733"}}},
		{"tel:01634 960000", []want{{KindPhone, "01634 960000"}}},
		{"(01634) 960000", []want{{KindPhone, "(01634) 960000"}}},
		{"020 7946 0018", []want{{KindPhone, "020 7946 0018"}}},
		{"0300 123 4567", []want{{KindPhone, "0300 123 4567"}}},
		{"0800 123 4567", []want{{KindPhone, "0800 123 4567"}}},
		{"0800 123456", []want{{KindPhone, "0800 123456"}}},
		{"ring 0７７００ ９００４１２", []want{{KindPhone, "07700 900412"}}},
		{"077009004123", nil}, // twelve digits: not a UK number
		{"107700900412", nil}, // touches a digit
		{"+33 1 23 45 67 89", []want{{KindPhone, "+33 1 23 45 67 89"}}}, // French, by libphonenumber
		// Email addresses.
		{"email j.okafor.safe@example.org please", []want{{KindEmail, "j.okafor.safe@example.org"}}},
		{"A.B+refuge@Mail.Example.co.uk", []want{{KindEmail, "A.B+refuge@Mail.Example.co.uk"}}},
		{"user@localhost", nil},
		// Dates of birth in each format.
		{"DOB 1991-03-14", []want{{KindDateOfBirth, "1991-03-14"}}},
		{"born 14/03/1991", []want{{KindDateOfBirth, "14/03/1991"}}},
		{"born 14.03.1991", []want{{KindDateOfBirth, "14.03.1991"}}},
		{"born 14-03-1991", []want{{KindDateOfBirth, "14-03-1991"}}},
		{"born 3/4/2019", []want{{KindDateOfBirth, "3/4/2019"}}},
		{"born 03/14/1991", []want{{KindDateOfBirth, "03/14/1991"}}}, // month first
		{"born 14 March 1991", []want{{KindDateOfBirth, "14 March 1991"}}},
		{"born 14th Mar 1991", []want{{KindDateOfBirth, "14th Mar 1991"}}},
		{"born 2 sept. 1968", []want{{KindDateOfBirth, "2 sept. 1968"}}},
		{"born March 14, 1991", []want{{KindDateOfBirth, "March 14, 1991"}}},
		{"born december 1st 1900", []want{{KindDateOfBirth, "december 1st 1900"}}},
		{"born 2026-04-30", []want{{KindDateOfBirth, "2026-04-30"}}}, // yesterday
		{"viewing 2026-05-02", nil},                                  // tomorrow: not a date of birth
		{"available 15 June 2026", nil},
		{"born 1899-12-31", nil},
		{"31/02/1991", nil}, // no such date
		{"14/03/91", nil},   // two-digit year: only a household's own
		{"10:00-14:00", nil},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			var got []want
			for _, f := range check(tc.text, nil) {
				if f.Field != "referral.notes" {
					t.Errorf("field %q", f.Field)
				}
				got = append(got, want{f.Kind, f.Match})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
		})
	}
}

// TestHouseholdShapes checks the household's own names, dates, address and
// contacts in different shapes.
func TestHouseholdShapes(t *testing.T) {
	gareth := &Household{
		Names:        []string{"Gareth Price", "Owen Price", "Siân O'Neill-Jones"},
		DatesOfBirth: []string{"1968-11-30", "14 March 1995"},
		Address:      "Flat 3, 22 Marine Parade, Margate, CT9 9ZZ",
		Phones:       []string{"+33 6 12 34 56 78"},
		Emails:       []string{"g.price@example.net"},
	}
	tests := []struct {
		text, kind, match string // kind "" means no finding
	}{
		{"Amira Haddad", KindName, "Amira Haddad"},
		{"AMIRA  HADDAD", KindName, "AMIRA HADDAD"},
		{"amira-haddad", KindName, "amira-haddad"},
		{"mum is amira", KindName, "amira"},
		{"Lina starts school", KindName, "Lina"},
		{"lina's school", KindName, "lina's"},
		{"the Haddad family", KindName, "Haddad"},
		{"Linacre ward", "", ""},
		{"Yusufzai", "", ""},
		{"carolina", "", ""},
		{"born 14/03/91", KindDateOfBirth, "14/03/91"},
		{"born 02.07.2019", KindDateOfBirth, "02.07.2019"},
		{"born 20 January 2023", KindDateOfBirth, "20 January 2023"},
		{"14 Orchard Row, Chatham, ME4 6ZZ", KindAddress, "14 Orchard Row, Chatham, ME4 6ZZ"},
		{"at 14 orchard row", KindAddress, "14 orchard row"},
		{"off Orchard Row", KindAddress, "Orchard Row"},
		{"Chatham", "", ""},
		{"07700900412", KindPhone, "07700900412"},
		{"+44 7700 900412", KindPhone, "+44 7700 900412"},
		{"drive a blue van; lives in Gillingham", KindDetails, "lives in Gillingham"},
		{"Perpetrator known to drive a blue van", KindDetails, "Perpetrator known to drive a blue van"},
		{"Key worker at Harbour Refuge", KindDetails, "Key worker at Harbour Refuge"},
		{"WEEKDAYS 10:00-14:00", KindDetails, "WEEKDAYS 10:00-14:00"},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			got := check(tc.text, amira())
			if tc.kind == "" {
				if len(got) != 0 {
					t.Fatalf("findings %v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Kind != tc.kind || got[0].Match != tc.match {
				t.Fatalf("findings %v, want one %s %q", got, tc.kind, tc.match)
			}
		})
	}
	for _, tc := range []struct{ text, kind, match string }{
		{"Mr price", KindName, "price"},       // an ordinary word, flagged all the same
		{"the rent price", KindName, "price"}, // documented: survivor safety first
		{"Sian", KindName, "Sian"},            // accent removed
		{"siân o'neill-jones", KindName, "sian o'neill-jones"},
		{"O'Neill", KindName, "O'Neill"},
		{"Jones", KindName, "Jones"},
		{"Neill", "", ""}, // part of a part, not on a boundary
		{"near 22 Marine Parade", KindAddress, "22 Marine Parade"},
		{"Flat 3, 22 Marine Parade", KindAddress, "Flat 3, 22 Marine Parade"},
		{"flat 3", "", ""},
		{"born 1995-03-14", KindDateOfBirth, "1995-03-14"},
		{"born 14/3/95", KindDateOfBirth, "14/3/95"},
		{"call +33 6 12 34 56 78", KindPhone, "+33 6 12 34 56 78"},
		{"or 0033612345678", KindPhone, "0033612345678"}, // the same number, international prefix
		{"or 10033612345678", "", ""},
		{"G.Price@Example.NET", KindEmail, "G.Price@Example.NET"},
	} {
		got := check(tc.text, gareth)
		if tc.kind == "" {
			if len(got) != 0 {
				t.Errorf("%q: findings %v, want none", tc.text, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Kind != tc.kind || got[0].Match != tc.match {
			t.Errorf("%q: findings %v, want one %s %q", tc.text, got, tc.kind, tc.match)
		}
	}
}

// TestCleanText checks that ordinary needs-profile and offer text passes.
func TestCleanText(t *testing.T) {
	for _, text := range []string{
		"Tonbridge and Malling", "within 4 weeks", "5-11", "12-17", "0-4",
		"Needs ground floor or lift; school places for two children needed.",
		"viewings 10:00-14:00 only", "£112.40 a week", "rent 112.40", "KMR-2026-0001",
		"2nd floor flat, 3rd bedroom small", "M25 junction 5", "A21 southbound", "Year 11 GCSEs",
		"2 bedrooms, 1 reception", "3-bed house", "Available 2026-06-15, viewing 16/06/2026 at 10:30",
		"Ages 5 and 11", "Level access shower; door width 900 mm", "one cat, two guinea pigs",
		"DASH 14/24", "support worker visits 2-3 times a week", "Flat 3",
		"Accompanied viewing with the lettings officer, weekday mornings; meet at the scheme office, not at the property.",
	} {
		if got := check(text, amira()); len(got) != 0 {
			t.Errorf("%q: findings %v, want none", text, got)
		}
	}
}

type demoHousehold struct {
	Reference string          `json:"reference"`
	Needs     json.RawMessage `json:"needs"`
	Details   struct {
		Names          []string `json:"names"`
		DatesOfBirth   []string `json:"dates_of_birth"`
		CurrentAddress string   `json:"current_address"`
		SafeContact    struct {
			Phone      string `json:"phone"`
			Email      string `json:"email"`
			SafeToCall string `json:"safe_to_call"`
		} `json:"safe_contact"`
		RiskNotes     string `json:"risk_notes"`
		SupportWorker string `json:"support_worker"`
	} `json:"details"`
}

func demoHouseholds(t *testing.T) []demoHousehold {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "demo_households.json"))
	if err != nil {
		t.Fatal(err)
	}
	var hs []demoHousehold
	if err := json.Unmarshal(raw, &hs); err != nil {
		t.Fatal(err)
	}
	if len(hs) < 3 {
		t.Fatalf("%d demo households", len(hs))
	}
	return hs
}

func (d demoHousehold) household() *Household {
	h := &Household{Names: d.Details.Names, DatesOfBirth: d.Details.DatesOfBirth, Address: d.Details.CurrentAddress,
		Passages: []string{d.Details.RiskNotes, d.Details.SupportWorker, d.Details.SafeContact.SafeToCall}}
	if d.Details.SafeContact.Phone != "" {
		h.Phones = append(h.Phones, d.Details.SafeContact.Phone)
	}
	if d.Details.SafeContact.Email != "" {
		h.Emails = append(h.Emails, d.Details.SafeContact.Email)
	}
	return h
}

// referral reads the demo household's needs as a referral and returns its
// anonymous fields converted for the guard, as the client does.
func (d demoHousehold) referral(t *testing.T) (*payload.Referral, []Field) {
	t.Helper()
	var needs map[string]json.RawMessage
	if err := json.Unmarshal(d.Needs, &needs); err != nil {
		t.Fatal(err)
	}
	needs["schema"] = json.RawMessage(`1`)
	needs["case"] = json.RawMessage(`"00112233445566778899aabbccddeeff"`)
	needs["case_nonce"] = json.RawMessage(`"ffeeddccbbaa99887766554433221100"`)
	needs["reference"], _ = json.Marshal(d.Reference)
	b, _ := json.Marshal(needs)
	p, err := payload.FromJSON(payload.TypeReferral, b)
	if err != nil {
		t.Fatalf("%s: %v", d.Reference, err)
	}
	var fields []Field
	for _, f := range p.AnonymousFields() {
		fields = append(fields, Field{Name: f.Name, Value: f.Value})
	}
	if len(fields) < 4 {
		t.Fatalf("%s: only %d anonymous fields", d.Reference, len(fields))
	}
	return p.(*payload.Referral), fields
}

// TestDemoNeedsPassClean checks every demo household's anonymous needs
// values, and the district, urgency and band vocabulary, against every demo
// household's details: no false positives.
func TestDemoNeedsPassClean(t *testing.T) {
	hs := demoHouseholds(t)
	for _, d := range hs {
		r, fields := d.referral(t)
		for _, v := range append(append(append(r.DistrictsAcceptable, r.DistrictsToAvoid...), r.Urgency, r.CurrentTenancy, r.Risk.DASHBand, r.Reference), payload.Districts()...) {
			fields = append(fields, Field{Name: "vocabulary", Value: v})
		}
		for _, c := range r.Children {
			fields = append(fields, Field{Name: "age_band", Value: c.AgeBand})
		}
		for _, other := range hs {
			if got := CheckAt(fields, other.household(), today); len(got) != 0 {
				t.Errorf("%s needs against %s details: %v", d.Reference, other.Reference, got)
			}
		}
	}
}

// TestDemoDetailsCaught pastes each value of each demo household's details
// into a needs-profile field, inside an ordinary sentence, and checks that
// the guard refuses it with a finding in that field.
func TestDemoDetailsCaught(t *testing.T) {
	for _, d := range demoHouseholds(t) {
		h := d.household()
		r, _ := d.referral(t)
		paste := func(what, value string, kinds ...string) {
			t.Helper()
			for _, field := range []string{"notes", "pets", "support_in_place", "adaptations"} {
				r := *r
				sentence := "Please note " + value + " thanks"
				switch field {
				case "notes":
					r.Notes = sentence
				case "pets":
					r.Pets = sentence
				case "support_in_place":
					r.SupportInPlace = sentence
				case "adaptations":
					r.Adaptations = []string{"grab rails", sentence}
					field = "adaptations[1]"
				}
				var fields []Field
				for _, f := range r.AnonymousFields() {
					fields = append(fields, Field{Name: f.Name, Value: f.Value})
				}
				err := Verify(fields, h, today)
				var ge *Error
				if !errors.As(err, &ge) || !errors.Is(err, ErrRefused) {
					t.Errorf("%s %s %q in %s: not refused", d.Reference, what, value, field)
					continue
				}
				ok := false
				for _, f := range ge.Findings {
					if f.Field != "referral."+field {
						t.Errorf("%s %s: finding in %s, pasted in %s", d.Reference, what, f.Field, field)
					}
					for _, k := range kinds {
						ok = ok || f.Kind == k
					}
				}
				if !ok {
					t.Errorf("%s %s %q in %s: findings %v, want kind %v", d.Reference, what, value, field, ge.Findings, kinds)
				}
			}
		}
		for _, n := range d.Details.Names {
			paste("name", n, KindName)
			paste("first name", strings.Fields(n)[0], KindName)
			paste("upper-case name", strings.ToUpper(n), KindName)
		}
		for _, dob := range d.Details.DatesOfBirth {
			paste("date of birth", dob, KindDateOfBirth)
			tm, err := time.Parse(time.DateOnly, dob)
			if err != nil {
				t.Fatal(err)
			}
			paste("UK date of birth", tm.Format("02/01/2006"), KindDateOfBirth)
			paste("long date of birth", tm.Format("2 January 2006"), KindDateOfBirth)
		}
		paste("address", d.Details.CurrentAddress, KindAddress)
		paste("address line", strings.Split(d.Details.CurrentAddress, ",")[0]+", "+strings.Split(d.Details.CurrentAddress, ",")[1], KindAddress)
		pc := d.Details.CurrentAddress[strings.LastIndex(d.Details.CurrentAddress, ",")+2:]
		paste("postcode", pc, KindPostcode)
		paste("postcode without space", strings.ReplaceAll(strings.ToLower(pc), " ", ""), KindPostcode)
		if p := d.Details.SafeContact.Phone; p != "" {
			paste("phone", p, KindPhone)
			paste("phone without spaces", strings.ReplaceAll(p, " ", ""), KindPhone)
		}
		if e := d.Details.SafeContact.Email; e != "" {
			paste("email", e, KindEmail)
		}
		paste("risk notes", d.Details.RiskNotes, KindDetails)
		paste("support worker", d.Details.SupportWorker, KindDetails, KindPhone)
		if len(d.Details.SafeContact.SafeToCall) >= MinPassageChars {
			paste("safe to call", d.Details.SafeContact.SafeToCall, KindDetails)
		}
	}
}

func TestOrderAndOverlap(t *testing.T) {
	fields := []Field{
		{Name: "referral.accessibility", Value: "none"},
		{Name: "referral.notes", Value: "Amira (born 14/03/1991) at 14 Orchard Row, Chatham, ME4 6ZZ; call 07700 900412 or amira.h@example.org. Amira again."},
		{Name: "referral.pets", Value: "a dog called Lina"},
	}
	got := CheckAt(fields, amira(), today)
	want := []Finding{
		{"referral.notes", KindName, "Amira", true},
		{"referral.notes", KindDateOfBirth, "14/03/1991", true},
		{"referral.notes", KindAddress, "14 Orchard Row, Chatham, ME4 6ZZ", true},
		{"referral.notes", KindPhone, "07700 900412", true},
		{"referral.notes", KindEmail, "amira.h@example.org", true}, // contains a household name
		{"referral.pets", KindName, "Lina", true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("findings\n%v\nwant\n%v", got, want)
	}
	for range 20 {
		if again := CheckAt(fields, amira(), today); !reflect.DeepEqual(again, got) {
			t.Fatal("order not deterministic")
		}
	}
	if s := got[0].String(); s != `referral.notes: contains a household member's name: "Amira"` {
		t.Errorf("String() = %s", s)
	}
	pc := CheckAt([]Field{{Name: "referral.notes", Value: "ME4 6ZZ"}}, nil, today)
	if len(pc) != 1 || pc[0].String() != `referral.notes: looks like a UK postcode: "ME4 6ZZ"` {
		t.Errorf("postcode finding %v", pc)
	}
	err := Verify(fields, amira(), today)
	var ge *Error
	if !errors.As(err, &ge) || len(ge.Findings) != len(want) || !errors.Is(err, ErrRefused) {
		t.Fatalf("Verify = %v", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "refused by the disclosure guard: referral.notes: contains a household member's name: \"Amira\"; ") ||
		!strings.Contains(msg, `referral.pets: contains a household member's name: "Lina"`) {
		t.Errorf("Error() = %s", msg)
	}
	if err := Verify([]Field{{Name: "referral.notes", Value: "Ground floor."}}, amira(), today); err != nil {
		t.Errorf("clean Verify = %v", err)
	}
	wrapped := fmt.Errorf("send referral: %w", err)
	if !errors.Is(wrapped, ErrRefused) {
		t.Error("wrapped error lost ErrRefused")
	}
}

func TestEdgeCases(t *testing.T) {
	if got := CheckAt(nil, nil, today); got != nil {
		t.Errorf("no fields: %v", got)
	}
	if got := Check([]Field{{Name: "x", Value: ""}, {Name: "y", Value: "   "}}, &Household{}); len(got) != 0 {
		t.Errorf("empty: %v", got)
	}
	// An empty household with blank entries matches nothing.
	h := &Household{Names: []string{"", " ", "Al"}, DatesOfBirth: []string{"", "not a date"}, Phones: []string{"12"}, Emails: []string{" "}, Passages: []string{"", "any time"}}
	if got := CheckAt([]Field{{Name: "x", Value: "Al can move any time"}}, h, today); len(got) != 0 {
		t.Errorf("blank household: %v", got)
	}
	// Invalid UTF-8 and control characters do not break matching.
	if got := check("\xff07700 900412\x00", nil); len(got) != 1 || got[0].Kind != KindPhone {
		t.Errorf("invalid UTF-8: %v", got)
	}
	// Zero-width and soft-hyphen characters do not hide a name or postcode.
	if got := check("Am\u200bira at ME4\u00ad 6ZZ", amira()); len(got) != 2 {
		t.Errorf("hidden characters: %v", got)
	}
	// Check uses the real clock: a date of birth this century is caught.
	if got := Check([]Field{{Name: "x", Value: "born 2001-02-03"}}, nil); len(got) != 1 {
		t.Errorf("Check: %v", got)
	}
}

// note4000 is a 4,000-character case note with a postcode and a name near
// the end.
func note4000() string {
	var b strings.Builder
	for b.Len() < 3900 {
		b.WriteString("Household needs a ground floor home within 4 weeks in Tonbridge and Malling; ages 5-11; rent about £112.40 a week. ")
	}
	b.WriteString("Lina, ME4 6ZZ, 07700 900412, 1991-03-14.")
	for b.Len() < 4000 {
		b.WriteByte('.')
	}
	return b.String()
}

func TestLongNote(t *testing.T) {
	n := note4000()
	if len(n) != 4000 {
		t.Fatalf("note is %d bytes", len(n))
	}
	if got := check(n, amira()); len(got) != 4 {
		t.Errorf("findings %v, want 4", got)
	}
}

func BenchmarkCheck4000(b *testing.B) {
	fields := []Field{{Name: "referral.notes", Value: note4000()}}
	h := amira()
	b.SetBytes(4000)
	for b.Loop() {
		if len(CheckAt(fields, h, today)) != 4 {
			b.Fatal("wrong findings")
		}
	}
}

func BenchmarkCheck4000NoHousehold(b *testing.B) {
	fields := []Field{{Name: "referral.notes", Value: note4000()}}
	b.SetBytes(4000)
	for b.Loop() {
		CheckAt(fields, nil, today)
	}
}

// TestPayloadExamplesPass checks that the anonymous fields of every
// payload type's example (the CLI's templates) pass the guard against each
// demo household: the templates must not teach users to trip it.
func TestPayloadExamplesPass(t *testing.T) {
	hs := demoHouseholds(t)
	for _, pt := range payload.Types() {
		p, err := payload.Example(pt)
		if err != nil {
			t.Fatal(err)
		}
		var fields []Field
		for _, f := range p.AnonymousFields() {
			fields = append(fields, Field{Name: f.Name, Value: f.Value})
		}
		for _, d := range hs {
			if err := Verify(fields, d.household(), today); err != nil {
				t.Errorf("%s example against %s: %v", pt, d.Reference, err)
			}
		}
	}
}
