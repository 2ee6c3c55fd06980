package guard

import (
	"errors"
	"testing"
)

// TestIssueExamples are the phrasings that went through before the guard
// was rebuilt (issue 10): each must now be refused with the kind shown.
func TestIssueExamples(t *testing.T) {
	for _, tc := range []struct {
		text string
		kind string
		h    *Household
	}{
		{"Ex-partner Darren Smith lives at 22 Church Street, Gillingham.", KindPersonName, nil},
		{"Ex-partner Darren Smith lives at 22 Church Street, Gillingham.", KindStreet, nil},
		{"phone 07700 - 900 - 412", KindPhone, nil},
		{"postcode ME4-6ZZ", KindPostcode, nil},
		{"ME46ZZ_tenancy.pdf", KindPostcode, nil},
		{"NI AB 12 34 56 C", KindNINumber, nil},
		{"NHS 943 476 5919", KindNHSNumber, nil},
		{"find him at @dazza_smith", KindHandle, nil},
		{"j dot okafor at example dot org", KindEmail, nil},
		{"\u0410mira", KindName, amira()},                                                            // Cyrillic A
		{"call \u0660\u0667\u0667\u0660\u0660 \u0669\u0660\u0660\u0664\u0661\u0662", KindPhone, nil}, // Arabic-Indic digits
		{"the Haddads", KindName, amira()},
		{"A.m.i.r.a", KindName, amira()},
		{"born the fourteenth of March nineteen ninety-one", KindDateOfBirth, nil},
	} {
		got := CheckAt([]Field{{Name: "case_message.text", Value: tc.text}}, tc.h, today)
		found := false
		for _, f := range got {
			found = found || f.Kind == tc.kind
		}
		if !found {
			t.Errorf("%q: findings %v, want a %s", tc.text, got, tc.kind)
		}
	}
}

// TestOverride checks that a false positive that is not the household's
// own data can be let through with a reason, and that the household's own
// data never can.
func TestOverride(t *testing.T) {
	fields := []Field{{Name: "case_message.text", Value: "Nearest GP is Church Road Surgery."}}
	err := Verify(fields, amira(), today)
	var ge *Error
	if !errors.As(err, &ge) || ge.Findings[0].Kind != KindStreet || ge.Findings[0].Own {
		t.Fatalf("Verify = %v, want a street finding that is not own data", err)
	}
	o := Override{Match: ge.Findings[0].Match, Reason: "a GP surgery, not an address of the household"}
	if err := CheckOverride(o, amira(), today); err != nil {
		t.Fatalf("CheckOverride: %v", err)
	}
	if err := VerifyWith(fields, amira(), today, []Override{o}); err != nil {
		t.Errorf("VerifyWith the override: %v", err)
	}
	// The override covers that match only.
	more := []Field{{Name: "x", Value: "Church Road Surgery, 7 Mill Lane"}}
	if err := VerifyWith(more, amira(), today, []Override{o}); err == nil {
		t.Error("override let another match through")
	}
	// The household's own data: never.
	for _, m := range []string{"Orchard Row", "Amira", "ME4 6ZZ", "07700 900412", "14/03/1991", "the Haddads"} {
		if err := CheckOverride(Override{Match: m, Reason: "not identifying"}, amira(), today); !errors.Is(err, ErrOverrideOwnData) {
			t.Errorf("override of %q: %v, want ErrOverrideOwnData", m, err)
		}
		f := CheckAt([]Field{{Name: "x", Value: "see " + m}}, amira(), today)
		if len(f) == 0 || !f[0].Own {
			t.Errorf("%q: findings %v, want own data", m, f)
		}
		if err := VerifyWith([]Field{{Name: "x", Value: "see " + m}}, amira(), today, []Override{{Match: m, Reason: "x"}}); err == nil {
			t.Errorf("own data %q let through by an override", m)
		}
	}
	if err := CheckOverride(Override{Match: "Church Road", Reason: " "}, nil, today); err == nil {
		t.Error("override without a reason accepted")
	}
}
