package payload

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.hex")

func exampleCaseMessage() *CaseMessage { return ExampleCaseMessage() }

func exampleReceipt() *DeliveryReceipt { return ExampleDeliveryReceipt() }

// examplePayloads returns the example of every type, in Types() order.
func examplePayloads() []Payload {
	var l []Payload
	for _, pt := range Types() {
		p, err := Example(pt)
		if err != nil {
			panic(err)
		}
		l = append(l, p)
	}
	return l
}

// TestVectors pins the CBOR bytes of every payload type.
func TestVectors(t *testing.T) {
	for _, p := range examplePayloads() {
		b, err := Marshal(p)
		if err != nil {
			t.Fatalf("marshal %s: %v", p.PayloadType(), err)
		}
		name := strings.ReplaceAll(strings.TrimSuffix(p.PayloadType(), "/v1"), "-", "_") + ".hex"
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, []byte(hex.EncodeToString(b)+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read vector (run go test -update once): %v", err)
		}
		want, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s encodes to\n%x\nwant\n%x", p.PayloadType(), b, want)
		}
		got, err := Unmarshal(p.PayloadType(), want)
		if err != nil {
			t.Fatalf("unmarshal %s: %v", path, err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("unmarshal %s = %+v, want %+v", path, got, p)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, p := range examplePayloads() {
		j, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := FromJSON(p.PayloadType(), j)
		if err != nil {
			t.Fatalf("FromJSON(%s): %v", j, err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("JSON round trip of %s:\n%+v\nwant\n%+v", j, got, p)
		}
	}
	j, _ := json.Marshal(exampleReceipt())
	if want := `{"schema":1,"envelope":"303132333435363738393a3b3c3d3e3f","case":"5a1ef00dca5e00018b3c44216e902701","read_at":1767225600}`; string(j) != want {
		t.Errorf("receipt JSON = %s, want %s", j, want)
	}
}

func TestReferralJSONShape(t *testing.T) {
	r := ExampleReferral()
	r.Children, r.DistrictsToAvoid, r.Adaptations = nil, nil, nil
	r.CurrentLandlordOrg, r.NeededBy = ID{}, ""
	j, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"children", "districts_to_avoid", "adaptations"} {
		if l, ok := m[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, m[k])
		}
	}
	for _, k := range []string{"current_landlord_org", "needed_by"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s present when empty", k)
		}
	}
	if m["case_nonce"] != "c0de4e0ce00000015eed2b7a91063d01" {
		t.Errorf("case_nonce = %#v, want 32 hex digits", m["case_nonce"])
	}
	risk, _ := m["risk"].(map[string]any)
	if risk["dash_band"] != "high" || risk["marac"] != true {
		t.Errorf("risk = %#v", m["risk"])
	}
}

// TestDemoHouseholds reads every demo household's needs object, unchanged,
// as a referral: same key names, same shapes, valid values.
func TestDemoHouseholds(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "demo_households.json"))
	if err != nil {
		t.Fatal(err)
	}
	var households []struct {
		Reference string                     `json:"reference"`
		Needs     map[string]json.RawMessage `json:"needs"`
	}
	if err := json.Unmarshal(raw, &households); err != nil {
		t.Fatal(err)
	}
	if len(households) == 0 {
		t.Fatal("no households")
	}
	for i, h := range households {
		needs := h.Needs
		needs["schema"] = json.RawMessage(`1`)
		needs["case"] = json.RawMessage(`"00112233445566778899aabbccddeeff"`)
		needs["case_nonce"] = json.RawMessage(`"ffeeddccbbaa99887766554433221100"`)
		needs["reference"], _ = json.Marshal(h.Reference)
		b, _ := json.Marshal(needs)
		p, err := FromJSON(TypeReferral, b)
		if err != nil {
			t.Fatalf("household %d (%s): %v", i, h.Reference, err)
		}
		r := p.(*Referral)
		if r.Reference != h.Reference || r.Adults < 1 || len(r.DistrictsAcceptable) == 0 {
			t.Errorf("household %s read as %+v", h.Reference, r)
		}
		// Every needs key survives a round trip with the same JSON value.
		out, _ := json.Marshal(r)
		var back map[string]json.RawMessage
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		for k, v := range needs {
			if !jsonEqual(t, back[k], v) {
				t.Errorf("household %s key %s: %s, want %s", h.Reference, k, back[k], v)
			}
		}
		if _, err := Marshal(r); err != nil {
			t.Errorf("household %s: marshal: %v", h.Reference, err)
		}
	}
}

func jsonEqual(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func TestReferralValidationCollectsAll(t *testing.T) {
	r := &Referral{
		Schema:              2,
		Reference:           "kmr-2026-1",
		Adults:              0,
		Children:            []Child{{AgeBand: "0-4"}, {AgeBand: "5-10"}},
		Bedrooms:            8,
		Accessibility:       "",
		Adaptations:         []string{"grab rails\n"},
		Pets:                "none",
		DistrictsAcceptable: []string{"Maidstone", "Maidstone", "London"},
		DistrictsToAvoid:    []string{"Maidstone"},
		Risk:                Risk{DASHBand: "very high"},
		Urgency:             "asap",
		CurrentTenancy:      "",
		SupportInPlace:      "none",
		NeededBy:            "30/06/2026",
		Notes:               strings.Repeat("é", MaxReferralNotes+1),
	}
	err := r.Validate()
	var ve ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate = %v, want ValidationError", err)
	}
	var fields []string
	for _, fe := range ve {
		fields = append(fields, fe.Field)
	}
	want := []string{
		"referral.schema", "referral.case", "referral.case_nonce", "referral.reference", "referral.adults",
		"referral.children[1].age_band", "referral.bedrooms", "referral.accessibility",
		"referral.adaptations[0]", "referral.districts_acceptable[1]", "referral.districts_acceptable[2]",
		"referral.districts_to_avoid[0]", "referral.risk.dash_band", "referral.urgency",
		"referral.current_tenancy", "referral.needed_by", "referral.notes",
	}
	if !reflect.DeepEqual(fields, want) {
		t.Errorf("fields =\n%q\nwant\n%q\n(%v)", fields, want, err)
	}
	if !strings.Contains(err.Error(), "referral.bedrooms: must be between 1 and 7") {
		t.Errorf("Error() = %q", err)
	}
	// Marshal refuses it with the same error.
	if _, err := Marshal(r); !errors.As(err, &ve) {
		t.Errorf("Marshal = %v, want ValidationError", err)
	}
}

func TestReferralRules(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Referral)
		field string // "" means valid
	}{
		{"example", func(*Referral) {}, ""},
		{"4-letter reference", func(r *Referral) { r.Reference = "KMRS-2026-123456" }, ""},
		{"7-digit reference", func(r *Referral) { r.Reference = "KMR-2026-1234567" }, "referral.reference"},
		{"1-letter reference", func(r *Referral) { r.Reference = "K-2026-123" }, "referral.reference"},
		{"3-digit year", func(r *Referral) { r.Reference = "KMR-202-123" }, "referral.reference"},
		{"no districts", func(r *Referral) { r.DistrictsAcceptable = nil }, "referral.districts_acceptable"},
		{"lower-case district", func(r *Referral) { r.DistrictsAcceptable = []string{"maidstone"} }, "referral.districts_acceptable[0]"},
		{"avoid twice", func(r *Referral) { r.DistrictsToAvoid = []string{"Thanet", "Thanet"} }, "referral.districts_to_avoid[1]"},
		{"no needed_by", func(r *Referral) { r.NeededBy = "" }, ""},
		{"impossible date", func(r *Referral) { r.NeededBy = "2026-02-30" }, "referral.needed_by"},
		{"no notes", func(r *Referral) { r.Notes = "" }, ""},
		{"notes at limit", func(r *Referral) { r.Notes = strings.Repeat("ü", MaxReferralNotes) }, ""},
		{"notes with newline", func(r *Referral) { r.Notes = "a\nb" }, ""},
		{"notes with NUL", func(r *Referral) { r.Notes = "a\x00b" }, "referral.notes"},
		{"notes invalid utf-8", func(r *Referral) { r.Notes = "a\xffb" }, "referral.notes"},
		{"blank pets", func(r *Referral) { r.Pets = "  " }, "referral.pets"},
		{"too many children", func(r *Referral) { r.Children = make([]Child, MaxChildren+1) }, "referral.children"},
		{"11 adults", func(r *Referral) { r.Adults = 11 }, "referral.adults"},
		{"no support", func(r *Referral) { r.SupportInPlace = "" }, "referral.support_in_place"},
		{"no landlord", func(r *Referral) { r.CurrentLandlordOrg = ID{} }, ""},
		{"no case nonce", func(r *Referral) { r.CaseNonce = ID{} }, "referral.case_nonce"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ExampleReferral()
			tc.edit(r)
			err := r.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ve ValidationError
			if !errors.As(err, &ve) || len(ve) == 0 || ve[0].Field != tc.field {
				t.Fatalf("Validate = %v, want first problem in %s", err, tc.field)
			}
		})
	}
}

func TestOtherPayloadRules(t *testing.T) {
	var ve ValidationError
	err := (&CaseMessage{}).Validate()
	if !errors.As(err, &ve) || len(ve) != 3 {
		t.Errorf("empty case message: %v", err)
	}
	m := exampleCaseMessage()
	m.Text = strings.Repeat("x", MaxCaseMessageChars+1)
	if err := m.Validate(); !errors.As(err, &ve) || ve[0].Field != "case_message.text" {
		t.Errorf("long case message: %v", err)
	}
	err = (&DeliveryReceipt{Schema: 1, ReadAt: -1}).Validate()
	if !errors.As(err, &ve) || len(ve) != 3 || ve[2].Field != "delivery_receipt.read_at" {
		t.Errorf("empty receipt: %v", err)
	}
}

func cborOf(t *testing.T, v any) []byte {
	t.Helper()
	b, err := codec.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUnmarshalRejects(t *testing.T) {
	rcpt := exampleReceipt()
	good := map[string]any{"schema": 1, "envelope": rcpt.Envelope[:], "case": rcpt.Case[:], "read_at": rcpt.ReadAt}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for k2, v2 := range good {
			m[k2] = v2
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	valid := cborOf(t, good)
	if _, err := Unmarshal(TypeDeliveryReceipt, valid); err != nil {
		t.Fatalf("valid receipt: %v", err)
	}
	tests := []struct {
		name string
		pt   string
		in   []byte
		want error
	}{
		{"unknown type", "offer/v9", valid, ErrUnknownType},
		{"too large", TypeDeliveryReceipt, make([]byte, MaxSize+1), ErrTooLarge},
		{"not cbor", TypeDeliveryReceipt, []byte{0xff}, ErrMalformed},
		{"unknown key", TypeDeliveryReceipt, cborOf(t, with("device", []byte{1})), ErrMalformed},
		{"missing key", TypeDeliveryReceipt, cborOf(t, with("read_at", nil)), ErrMalformed},
		{"short id", TypeDeliveryReceipt, cborOf(t, with("case", rcpt.Case[:15])), ErrMalformed},
		{"id as text", TypeDeliveryReceipt, cborOf(t, with("case", rcpt.Case.String())), ErrMalformed},
		{"wrong type", TypeDeliveryReceipt, cborOf(t, with("read_at", "now")), ErrMalformed},
		{"trailing", TypeDeliveryReceipt, append(valid, 0), ErrMalformed},
		{"wrong payload type", TypeCaseMessage, valid, ErrMalformed},
		{"null list", TypeReferral, referralWith(t, "children", nil), ErrMalformed},
		{"referral without case_nonce", TypeReferral, referralWithout(t, "case_nonce"), ErrMalformed},
		{"short case_nonce", TypeReferral, referralWith(t, "case_nonce", []byte{1, 2, 3}), ErrMalformed},
		{"text as bytes", TypeCaseMessage, cborOf(t, map[string]any{"schema": 1, "case": rcpt.Case[:], "text": []byte("x")}), ErrMalformed},
		// {"case": h'..', "case": h'..', ...} duplicate key
		{"duplicate key", TypeCaseMessage, dupKey(t), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Unmarshal(tc.pt, tc.in)
			if !errors.Is(err, tc.want) || p != nil {
				t.Fatalf("Unmarshal = %v, %v; want %v", p, err, tc.want)
			}
		})
	}
	// Well-formed but invalid: a ValidationError.
	var ve ValidationError
	if _, err := Unmarshal(TypeDeliveryReceipt, cborOf(t, with("read_at", 0))); !errors.As(err, &ve) {
		t.Errorf("invalid receipt: %v, want ValidationError", err)
	}
}

// referralWith is the example referral's CBOR with key k set to v.
func referralWith(t *testing.T, k string, v any) []byte {
	var m map[string]any
	if err := codec.Unmarshal(mustMarshal(t, ExampleReferral()), &m); err != nil {
		t.Fatal(err)
	}
	m[k] = v
	return cborOf(t, m)
}

// referralWithout is the example referral's CBOR without key k.
func referralWithout(t *testing.T, k string) []byte {
	var m map[string]any
	if err := codec.Unmarshal(mustMarshal(t, ExampleReferral()), &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m[k]; !ok {
		t.Fatalf("example referral has no key %q", k)
	}
	delete(m, k)
	return cborOf(t, m)
}

func mustMarshal(t *testing.T, p Payload) []byte {
	t.Helper()
	b, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func dupKey(t *testing.T) []byte {
	b := mustMarshal(t, exampleCaseMessage())
	// b is a3 64"case" 50<16 bytes> ...; repeat the case pair and bump the count.
	pair := b[1 : 1+5+17]
	out := append([]byte{0xa4}, pair...)
	return append(out, b[1:]...)
}

func TestFromJSONRejects(t *testing.T) {
	j, _ := json.Marshal(ExampleReferral())
	for name, in := range map[string]string{
		"unknown key":  strings.Replace(string(j), `"schema":1`, `"schema":1,"name":"x"`, 1),
		"trailing":     string(j) + "{}",
		"upper hex id": strings.Replace(string(j), "5a1ef00d", "5A1EF00D", 1),
		"short id":     strings.Replace(string(j), "5a1ef00d", "5a1e", 1),
		"bedrooms 2.5": strings.Replace(string(j), `"bedrooms":2`, `"bedrooms":2.5`, 1),
	} {
		if _, err := FromJSON(TypeReferral, []byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: FromJSON = %v, want ErrMalformed", name, err)
		}
	}
	var ve ValidationError
	if _, err := FromJSON(TypeReferral, []byte(`{}`)); !errors.As(err, &ve) || len(ve) < 5 {
		t.Errorf("empty referral: %v", err)
	}
	if _, err := FromJSON("x", j); !errors.Is(err, ErrUnknownType) {
		t.Errorf("unknown type: %v", err)
	}
}

func TestMarshalNil(t *testing.T) {
	if _, err := Marshal(nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("Marshal(nil) = %v", err)
	}
	if _, err := Marshal((*Referral)(nil)); !errors.Is(err, ErrMalformed) {
		t.Errorf("Marshal(nil referral) = %v", err)
	}
}

func TestVocabulary(t *testing.T) {
	ds := Districts()
	if len(ds) != 13 {
		t.Fatalf("%d districts", len(ds))
	}
	ds[0] = "Narnia"
	if KnownDistrict("Narnia") || !KnownDistrict("Ashford") || !KnownDistrict("Folkestone and Hythe") || KnownDistrict("ashford") {
		t.Error("KnownDistrict wrong or Districts() shares its slice")
	}
}

// TestReferralHasNoIdentifyingFields adds each field of a demo household's
// secret details to an otherwise valid referral and checks that the
// referral is refused: a needs profile has nowhere to put a name, a date of
// birth, an address or a contact detail.
func TestReferralHasNoIdentifyingFields(t *testing.T) {
	base, err := json.Marshal(ExampleReferral())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromJSON(TypeReferral, base); err != nil {
		t.Fatalf("example referral refused: %v", err)
	}
	for field, value := range map[string]any{
		"names":           []string{"Amira Haddad"},
		"name":            "Amira Haddad",
		"dates_of_birth":  []string{"1991-03-14"},
		"current_address": "14 Orchard Row, Chatham, ME4 6ZZ",
		"address":         "14 Orchard Row, Chatham, ME4 6ZZ",
		"safe_contact":    map[string]any{"phone": "07700 900412"},
		"phone":           "07700 900412",
		"email":           "j.okafor.safe@example.org",
		"risk_notes":      "Perpetrator known to drive a blue van",
		"support_worker":  "Key worker at Harbour Refuge, 01634 960000",
	} {
		var m map[string]any
		if err := json.Unmarshal(base, &m); err != nil {
			t.Fatal(err)
		}
		m[field] = value
		b, _ := json.Marshal(m)
		if _, err := FromJSON(TypeReferral, b); !errors.Is(err, ErrMalformed) {
			t.Errorf("referral with %q accepted (err %v)", field, err)
		}
	}
}
