package payload

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// ruleCase is one edit of an example payload and the first field Validate
// must report ("" means the edited payload is valid).
type ruleCase[T Payload] struct {
	name  string
	edit  func(T)
	field string
}

func checkRules[T Payload](t *testing.T, example func() T, tests []ruleCase[T]) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := example()
			tc.edit(v)
			err := v.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				if _, err := Marshal(v); err != nil {
					t.Fatalf("Marshal = %v", err)
				}
				return
			}
			var ve ValidationError
			if !errors.As(err, &ve) || len(ve) == 0 || ve[0].Field != tc.field {
				t.Fatalf("Validate = %v, want first problem in %s", err, tc.field)
			}
			if _, err := Marshal(v); !errors.As(err, &ve) {
				t.Fatalf("Marshal = %v, want ValidationError", err)
			}
		})
	}
}

func TestApprovalRules(t *testing.T) {
	checkRules(t, ExampleApproval, []ruleCase[*Approval]{
		{"example", func(*Approval) {}, ""},
		{"approved without note", func(a *Approval) { a.Reason = "" }, ""},
		{"approved without no_suitable_home", func(a *Approval) { a.NoSuitableHome = false }, "approval.no_suitable_home"},
		{"approved without will_give_home_back", func(a *Approval) { a.WillGiveHomeBack = false }, "approval.will_give_home_back"},
		{"declined with reason", func(a *Approval) {
			a.Approved, a.NoSuitableHome, a.WillGiveHomeBack = false, false, false
			a.Reason = "A suitable two-bedroom home is available in our own stock."
		}, ""},
		{"declined without reason", func(a *Approval) { a.Approved, a.Reason = false, "" }, "approval.reason"},
		{"no lead", func(a *Approval) { a.LeadName = "" }, "approval.lead_name"},
		{"lead with newline", func(a *Approval) { a.LeadName = "Dawn\nFairweather" }, "approval.lead_name"},
		{"no case", func(a *Approval) { a.Case = ID{} }, "approval.case"},
		{"long reason", func(a *Approval) { a.Reason = strings.Repeat("x", MaxReasonChars+1) }, "approval.reason"},
	})
}

func TestOfferRules(t *testing.T) {
	checkRules(t, ExampleOffer, []ruleCase[*Offer]{
		{"example", func(*Offer) {}, ""},
		{"no expiry", func(o *Offer) { o.Expires = "" }, ""},
		{"no adaptations", func(o *Offer) { o.Adaptations = nil }, ""},
		{"bedsit", func(o *Offer) { o.PropertyType, o.Bedrooms = PropertyBedsit, 0 }, ""},
		{"basement", func(o *Offer) { o.Floor = -1 }, ""},
		{"no offer id", func(o *Offer) { o.Offer = ID{} }, "offer.offer"},
		{"castle", func(o *Offer) { o.PropertyType = "castle" }, "offer.property_type"},
		{"flat with 0 bedrooms", func(o *Offer) { o.Bedrooms = 0 }, "offer.bedrooms"},
		{"bedsit with 2 bedrooms", func(o *Offer) { o.PropertyType = PropertyBedsit }, "offer.bedrooms"},
		{"floor 51", func(o *Offer) { o.Floor = 51 }, "offer.floor"},
		{"blank adaptation", func(o *Offer) { o.Adaptations = []string{"ramp", ""} }, "offer.adaptations[1]"},
		{"too many adaptations", func(o *Offer) { o.Adaptations = make([]string, MaxAdaptations+1) }, "offer.adaptations"},
		{"free home", func(o *Offer) { o.WeeklyRentPence = 0 }, "offer.weekly_rent_pence"},
		{"no available date", func(o *Offer) { o.AvailableFrom = "" }, "offer.available_from"},
		{"UK date", func(o *Offer) { o.AvailableFrom = "15/06/2026" }, "offer.available_from"},
		{"no district", func(o *Offer) { o.District = "" }, "offer.district"},
		{"London", func(o *Offer) { o.District = "Camden" }, "offer.district"},
		{"no viewing", func(o *Offer) { o.Viewing = "" }, "offer.viewing"},
		{"no address", func(o *Offer) { o.Address = "" }, "offer.address"},
		{"address on two lines", func(o *Offer) { o.Address = "9 Hazel Court\nMaidstone" }, "offer.address"},
		{"bad expiry", func(o *Offer) { o.Expires = "soon" }, "offer.expires"},
	})
}

func TestOfferDecisionRules(t *testing.T) {
	checkRules(t, ExampleOfferDecision, []ruleCase[*OfferDecision]{
		{"example", func(*OfferDecision) {}, ""},
		{"accept without reason", func(d *OfferDecision) { d.Reason = "" }, ""},
		{"decline", func(d *OfferDecision) { d.Decision = DecisionDecline }, ""},
		{"decline without reason", func(d *OfferDecision) { d.Decision, d.Reason = DecisionDecline, "" }, "offer_decision.reason"},
		{"maybe", func(d *OfferDecision) { d.Decision = "maybe" }, "offer_decision.decision"},
		{"no offer", func(d *OfferDecision) { d.Offer = ID{} }, "offer_decision.offer"},
	})
}

func TestHouseholdDetailsRules(t *testing.T) {
	checkRules(t, ExampleHouseholdDetails, []ruleCase[*HouseholdDetails]{
		{"example", func(*HouseholdDetails) {}, ""},
		{"email only", func(h *HouseholdDetails) { h.SafeContact.Phone, h.SafeContact.Email = "", "a.safe@example.org" }, ""},
		{"no direct contact", func(h *HouseholdDetails) { h.SafeContact.Phone, h.SafeContact.SafeToCall = "", "via IDVA only" }, ""},
		{"legal basis", func(h *HouseholdDetails) {
			h.SharingBasis.Basis, h.SharingBasis.LegalBasis = BasisLegal, "Crime and Disorder Act 1998 s.115"
		}, ""},
		{"fewer dates than names", func(h *HouseholdDetails) { h.DatesOfBirth = h.DatesOfBirth[:1] }, ""},
		{"no names", func(h *HouseholdDetails) { h.Names = nil }, "household_details.names"},
		{"blank name", func(h *HouseholdDetails) { h.Names[1] = " " }, "household_details.names[1]"},
		{"more dates than names", func(h *HouseholdDetails) { h.DatesOfBirth = append(h.DatesOfBirth, "2024-01-01") }, "household_details.dates_of_birth"},
		{"UK date of birth", func(h *HouseholdDetails) { h.DatesOfBirth[0] = "14/03/1991" }, "household_details.dates_of_birth[0]"},
		{"born 1850", func(h *HouseholdDetails) { h.DatesOfBirth[0] = "1850-03-14" }, "household_details.dates_of_birth[0]"},
		{"no address", func(h *HouseholdDetails) { h.CurrentAddress = "" }, "household_details.current_address"},
		{"phone with letters", func(h *HouseholdDetails) { h.SafeContact.Phone = "call Amira" }, "household_details.safe_contact.phone"},
		{"email without domain", func(h *HouseholdDetails) { h.SafeContact.Email = "amira@" }, "household_details.safe_contact.email"},
		{"no safe_to_call", func(h *HouseholdDetails) { h.SafeContact.SafeToCall = "" }, "household_details.safe_contact.safe_to_call"},
		{"no basis", func(h *HouseholdDetails) { h.SharingBasis.Basis = "" }, "household_details.sharing_basis.basis"},
		{"legal basis not named", func(h *HouseholdDetails) { h.SharingBasis.Basis = BasisLegal }, "household_details.sharing_basis.legal_basis"},
		{"consent with legal basis", func(h *HouseholdDetails) { h.SharingBasis.LegalBasis = "GDPR art. 6(1)(e)" }, "household_details.sharing_basis.legal_basis"},
		{"not recorded by", func(h *HouseholdDetails) { h.SharingBasis.RecordedBy = "" }, "household_details.sharing_basis.recorded_by"},
		{"not recorded at", func(h *HouseholdDetails) { h.SharingBasis.RecordedAt = 0 }, "household_details.sharing_basis.recorded_at"},
	})
}

func TestStatusUpdateRules(t *testing.T) {
	checkRules(t, ExampleStatusUpdate, []ruleCase[*StatusUpdate]{
		{"example", func(*StatusUpdate) {}, ""},
		{"filled", func(s *StatusUpdate) { s.Status, s.Note = StatusFilled, "" }, ""},
		{"filled with note", func(s *StatusUpdate) { s.Status = StatusFilled }, "status_update.note"},
		{"housed", func(s *StatusUpdate) { s.Status = "housed" }, "status_update.status"},
		{"no effective date", func(s *StatusUpdate) { s.Effective = "" }, "status_update.effective"},
		{"note with NUL", func(s *StatusUpdate) { s.Note = "a\x00" }, "status_update.note"},
	})
}

func TestAttachmentChunkRules(t *testing.T) {
	full := bytes.Repeat([]byte{'k'}, MaxChunkData)
	checkRules(t, ExampleAttachmentChunk, []ruleCase[*AttachmentChunk]{
		{"example", func(*AttachmentChunk) {}, ""},
		{"empty file", func(c *AttachmentChunk) { c.Size, c.Data = 0, nil }, ""},
		{"first of three", func(c *AttachmentChunk) { c.Size, c.Count, c.Data = 2*MaxChunkData+1, 3, full }, ""},
		{"last of three", func(c *AttachmentChunk) { c.Size, c.Count, c.Index, c.Data = 2*MaxChunkData+1, 3, 2, []byte{1} }, ""},
		{"largest file", func(c *AttachmentChunk) {
			c.Size, c.Count, c.Index, c.Data = MaxAttachmentBytes, MaxChunks, MaxChunks-1, full
		}, ""},
		{"no attachment id", func(c *AttachmentChunk) { c.Attachment = ID{} }, "attachment_chunk.attachment"},
		{"path in name", func(c *AttachmentChunk) { c.Name = "../../etc/passwd" }, "attachment_chunk.name"},
		{"windows path", func(c *AttachmentChunk) { c.Name = `C:\x.pdf` }, "attachment_chunk.name"},
		{"dot dot", func(c *AttachmentChunk) { c.Name = ".." }, "attachment_chunk.name"},
		{"no name", func(c *AttachmentChunk) { c.Name = "" }, "attachment_chunk.name"},
		{"media type with parameter", func(c *AttachmentChunk) { c.MediaType = "text/plain; charset=utf-8" }, "attachment_chunk.media_type"},
		{"media type capitals", func(c *AttachmentChunk) { c.MediaType = "Text/Plain" }, "attachment_chunk.media_type"},
		{"no media type", func(c *AttachmentChunk) { c.MediaType = "" }, "attachment_chunk.media_type"},
		{"too large", func(c *AttachmentChunk) { c.Size = MaxAttachmentBytes + 1 }, "attachment_chunk.size"},
		{"negative size", func(c *AttachmentChunk) { c.Size = -1 }, "attachment_chunk.size"},
		{"no digest", func(c *AttachmentChunk) { c.SHA256 = Digest{} }, "attachment_chunk.sha256"},
		{"no chunks", func(c *AttachmentChunk) { c.Count = 0 }, "attachment_chunk.count"},
		{"too few chunks", func(c *AttachmentChunk) { c.Size, c.Count, c.Data = MaxChunkData+1, 1, full }, "attachment_chunk.count"},
		{"empty chunks", func(c *AttachmentChunk) { c.Count = int(c.Size) + 1 }, "attachment_chunk.count"},
		{"index past count", func(c *AttachmentChunk) { c.Index = 1 }, "attachment_chunk.index"},
		{"negative index", func(c *AttachmentChunk) { c.Index = -1 }, "attachment_chunk.index"},
		{"oversized chunk", func(c *AttachmentChunk) {
			c.Size, c.Count, c.Data = 3*MaxChunkData, 3, append(full, 1)
		}, "attachment_chunk.data"},
		{"data larger than file", func(c *AttachmentChunk) { c.Size-- }, "attachment_chunk.data"},
		{"short single chunk", func(c *AttachmentChunk) { c.Data = c.Data[1:] }, "attachment_chunk.data"},
		{"empty chunk", func(c *AttachmentChunk) { c.Size, c.Count, c.Data = 100, 2, nil }, "attachment_chunk.data"},
	})
}

func TestReceiptAndRecallRules(t *testing.T) {
	checkRules(t, ExampleReadReceipt, []ruleCase[*ReadReceipt]{
		{"example", func(*ReadReceipt) {}, ""},
		{"no envelope", func(r *ReadReceipt) { r.Envelope = ID{} }, "read_receipt.envelope"},
		{"no time", func(r *ReadReceipt) { r.ReadAt = 0 }, "read_receipt.read_at"},
	})
	many := make([]ID, MaxRecallEnvelopes+1)
	for i := range many {
		many[i][0], many[i][1] = byte(i), 1
	}
	checkRules(t, ExampleRecall, []ruleCase[*Recall]{
		{"example", func(*Recall) {}, ""},
		{"no reason", func(r *Recall) { r.Reason = "" }, ""},
		{"most envelopes", func(r *Recall) { r.Envelopes = many[:MaxRecallEnvelopes] }, ""},
		{"no envelopes", func(r *Recall) { r.Envelopes = nil }, "recall.envelopes"},
		{"too many envelopes", func(r *Recall) { r.Envelopes = many }, "recall.envelopes"},
		{"zero envelope", func(r *Recall) { r.Envelopes = []ID{many[0], {}} }, "recall.envelopes[1]"},
		{"envelope twice", func(r *Recall) { r.Envelopes = []ID{many[0], many[1], many[0]} }, "recall.envelopes[2]"},
	})
	checkRules(t, ExampleRecallReceipt, []ruleCase[*RecallReceipt]{
		{"example", func(*RecallReceipt) {}, ""},
		{"no envelopes", func(r *RecallReceipt) { r.Envelopes = []ID{} }, "recall_receipt.envelopes"},
		{"no time", func(r *RecallReceipt) { r.ShreddedAt = -5 }, "recall_receipt.shredded_at"},
	})
}

func TestOutcomeRules(t *testing.T) {
	checkRules(t, ExampleOutcome, []ruleCase[*Outcome]{
		{"example", func(*Outcome) {}, ""},
		{"no giving landlord", func(o *Outcome) { o.GivingLandlord = ID{} }, ""},
		{"bedsit", func(o *Outcome) { o.Bedrooms = 0 }, ""},
		{"no outcome id", func(o *Outcome) { o.Outcome = ID{} }, "outcome.outcome"},
		{"no receiving landlord", func(o *Outcome) { o.ReceivingLandlord = ID{} }, "outcome.receiving_landlord"},
		{"same landlord", func(o *Outcome) { o.ReceivingLandlord = o.GivingLandlord }, "outcome.receiving_landlord"},
		{"full date", func(o *Outcome) { o.MovedMonth = "2026-06-22" }, "outcome.moved_month"},
		{"month 13", func(o *Outcome) { o.MovedMonth = "2026-13" }, "outcome.moved_month"},
		{"negative days", func(o *Outcome) { o.DaysToRehouse = -1 }, "outcome.days_to_rehouse"},
		{"8 bedrooms", func(o *Outcome) { o.Bedrooms = 8 }, "outcome.bedrooms"},
	})
}

// TestOutcomeHasNoIdentifyingFields adds a case id, a person or an address
// to an outcome's JSON and CBOR and checks that both are refused.
func TestOutcomeHasNoIdentifyingFields(t *testing.T) {
	o := ExampleOutcome()
	base, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromJSON(TypeOutcome, base); err != nil {
		t.Fatalf("example outcome refused: %v", err)
	}
	var good map[string]any
	if err := codec.Unmarshal(mustMarshal(t, o), &good); err != nil {
		t.Fatal(err)
	}
	for field, value := range map[string]any{
		"case":            ExampleReferral().Case.String(),
		"reference":       "KMR-2026-0001",
		"names":           []string{"Amira Haddad"},
		"name":            "Amira Haddad",
		"address":         "Flat 1, 9 Hazel Court, Shepway, Maidstone, ME15 9ZZ",
		"current_address": "14 Orchard Row, Chatham, ME4 6ZZ",
		"district":        "Maidstone",
		"moved_on":        "2026-06-22",
	} {
		var m map[string]any
		if err := json.Unmarshal(base, &m); err != nil {
			t.Fatal(err)
		}
		m[field] = value
		b, _ := json.Marshal(m)
		if _, err := FromJSON(TypeOutcome, b); !errors.Is(err, ErrMalformed) {
			t.Errorf("outcome JSON with %q accepted (err %v)", field, err)
		}
		c := map[string]any{field: value}
		for k, v := range good {
			c[k] = v
		}
		if _, err := Unmarshal(TypeOutcome, cborOf(t, c)); !errors.Is(err, ErrMalformed) {
			t.Errorf("outcome CBOR with %q accepted (err %v)", field, err)
		}
	}
}

// TestDemoHouseholdDetails reads every demo household's details object,
// unchanged apart from schema, case and sharing_basis, as household details,
// and checks that every key survives a round trip with the same value.
func TestDemoHouseholdDetails(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "demo_households.json"))
	if err != nil {
		t.Fatal(err)
	}
	var households []struct {
		Reference string                     `json:"reference"`
		Details   map[string]json.RawMessage `json:"details"`
	}
	if err := json.Unmarshal(raw, &households); err != nil {
		t.Fatal(err)
	}
	if len(households) == 0 {
		t.Fatal("no households")
	}
	for _, h := range households {
		d := h.Details
		d["schema"] = json.RawMessage(`1`)
		d["case"] = json.RawMessage(`"00112233445566778899aabbccddeeff"`)
		d["sharing_basis"] = json.RawMessage(`{"basis":"consent","recorded_by":"Priya Shah","recorded_at":1780300800}`)
		b, _ := json.Marshal(d)
		p, err := FromJSON(TypeHouseholdDetails, b)
		if err != nil {
			t.Fatalf("household %s: %v", h.Reference, err)
		}
		hd := p.(*HouseholdDetails)
		if len(hd.Names) == 0 || hd.CurrentAddress == "" || hd.SafeContact.SafeToCall == "" {
			t.Errorf("household %s read as %+v", h.Reference, hd)
		}
		out, _ := json.Marshal(hd)
		var back map[string]json.RawMessage
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		if len(back) != len(d) {
			t.Errorf("household %s: %d keys out, %d in: %s", h.Reference, len(back), len(d), out)
		}
		for k, v := range d {
			if !jsonEqual(t, back[k], v) {
				t.Errorf("household %s key %s: %s, want %s", h.Reference, k, back[k], v)
			}
		}
		c := mustMarshal(t, hd)
		again, err := Unmarshal(TypeHouseholdDetails, c)
		if err != nil || !reflect.DeepEqual(again, hd) {
			t.Errorf("household %s: CBOR round trip %+v, %v", h.Reference, again, err)
		}
	}
}

// TestAnonymousFields pins which fields each type offers to the disclosure
// guard, and that the identifying ones are never among them.
func TestAnonymousFields(t *testing.T) {
	want := map[string][]string{
		TypeReferral:         {"referral.accessibility", "referral.adaptations[0]", "referral.adaptations[1]", "referral.pets", "referral.support_in_place", "referral.notes"},
		TypeApproval:         {"approval.reason"},
		TypeOffer:            {"offer.adaptations[0]", "offer.adaptations[1]", "offer.viewing"},
		TypeOfferDecision:    {"offer_decision.reason"},
		TypeHouseholdDetails: nil,
		TypeStatusUpdate:     {"status_update.note"},
		TypeCaseMessage:      {"case_message.text"},
		TypeAttachmentChunk:  {"attachment_chunk.name"},
		TypeDeliveryReceipt:  nil,
		TypeReadReceipt:      nil,
		TypeRecall:           {"recall.reason"},
		TypeRecallReceipt:    nil,
		TypeOutcome:          nil,
	}
	for _, p := range examplePayloads() {
		if r, ok := p.(*Referral); ok {
			r.Adaptations = []string{"grab rails", "level access shower"}
		}
		var names []string
		for _, f := range p.AnonymousFields() {
			names = append(names, f.Name)
			if f.Value == "" {
				t.Errorf("%s: empty field %s listed", p.PayloadType(), f.Name)
			}
		}
		w, ok := want[p.PayloadType()]
		if !ok {
			t.Errorf("no expectation for %s", p.PayloadType())
		}
		if !reflect.DeepEqual(names, w) {
			t.Errorf("%s: AnonymousFields = %q, want %q", p.PayloadType(), names, w)
		}
	}
	o := ExampleOffer()
	for _, f := range o.AnonymousFields() {
		if strings.Contains(f.Value, o.Address) || strings.Contains(f.Value, "ME15") {
			t.Errorf("offer address offered as anonymous field %s", f.Name)
		}
	}
	// Empty optional text is left out.
	d := ExampleOfferDecision()
	d.Reason = ""
	if f := d.AnonymousFields(); len(f) != 0 {
		t.Errorf("empty reason listed: %v", f)
	}
	// The values are the payload's own.
	m := ExampleCaseMessage()
	if f := m.AnonymousFields(); len(f) != 1 || f[0].Value != m.Text {
		t.Errorf("case message fields = %v", f)
	}
}

// TestEveryTypeKnown checks that New, Example and the vectors cover every
// type string, each with its own Go type.
func TestEveryTypeKnown(t *testing.T) {
	seen := map[reflect.Type]string{}
	for _, pt := range Types() {
		p, err := New(pt)
		if err != nil {
			t.Fatalf("New(%q): %v", pt, err)
		}
		if p.PayloadType() != pt {
			t.Errorf("New(%q).PayloadType() = %q", pt, p.PayloadType())
		}
		if other, dup := seen[reflect.TypeOf(p)]; dup {
			t.Errorf("%s and %s share a Go type", pt, other)
		}
		seen[reflect.TypeOf(p)] = pt
		if err := p.Validate(); err == nil {
			t.Errorf("zero %s is valid", pt)
		}
		if _, err := Marshal(p); err == nil {
			t.Errorf("zero %s marshals", pt)
		}
		ex, err := Example(pt)
		if err != nil || ex.PayloadType() != pt || ex.Validate() != nil {
			t.Errorf("Example(%q) = %v, %v", pt, ex, err)
		}
	}
	if len(Types()) != 13 {
		t.Errorf("%d types", len(Types()))
	}
	if _, err := Example("offer/v9"); !errors.Is(err, ErrUnknownType) {
		t.Errorf("Example(unknown) = %v", err)
	}
}

// TestAttachmentChunkSize checks that a full chunk fits its own, larger
// cap, while every other type keeps MaxSize.
func TestAttachmentChunkSize(t *testing.T) {
	data := bytes.Repeat([]byte{0x5a}, MaxChunkData)
	c := ExampleAttachmentChunk()
	c.Name = strings.Repeat("n", MaxFileNameChars-4) + ".pdf"
	c.MediaType = "application/" + strings.Repeat("x", MaxMediaTypeChars-len("application/"))
	c.Size, c.Count, c.Index, c.Data = MaxAttachmentBytes, MaxChunks, MaxChunks-1, data
	c.SHA256 = sha256.Sum256([]byte("whole file"))
	b, err := Marshal(c)
	if err != nil {
		t.Fatalf("full chunk: %v", err)
	}
	if len(b) <= MaxSize || len(b) > MaxAttachmentChunkSize {
		t.Errorf("full chunk is %d bytes", len(b))
	}
	got, err := Unmarshal(TypeAttachmentChunk, b)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Fatalf("Unmarshal full chunk: %v", err)
	}
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := FromJSON(TypeAttachmentChunk, j); err != nil || !reflect.DeepEqual(got, c) {
		t.Fatalf("FromJSON full chunk: %v", err)
	}
	if MaxSizeOf(TypeAttachmentChunk) != MaxAttachmentChunkSize || MaxSizeOf(TypeCaseMessage) != MaxSize || MaxSizeOf("x") != MaxSize {
		t.Error("MaxSizeOf wrong")
	}
	if _, err := Unmarshal(TypeAttachmentChunk, make([]byte, MaxAttachmentChunkSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized chunk: %v", err)
	}
	// Other types keep the 64 KiB cap.
	if _, err := Unmarshal(TypeCaseMessage, make([]byte, MaxSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized case message: %v", err)
	}
	var m map[string]any
	if err := codec.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["index"] = 0
	if _, err := Unmarshal(TypeOutcome, cborOf(t, m)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("chunk-sized outcome: %v", err)
	}
}

func TestDigest(t *testing.T) {
	d := sha256.Sum256([]byte("x"))
	j, err := json.Marshal(Digest(d))
	if err != nil || string(j) != `"`+Digest(d).String()+`"` || len(j) != 66 {
		t.Fatalf("json = %s, %v", j, err)
	}
	var back Digest
	if err := json.Unmarshal(j, &back); err != nil || back != d {
		t.Fatalf("json back = %v, %v", back, err)
	}
	for _, bad := range []string{`""`, `"ab"`, `null`, `"` + strings.ToUpper(Digest(d).String()) + `"`, `"` + strings.Repeat("g", 64) + `"`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("json.Unmarshal(%s) accepted", bad)
		}
	}
	if _, err := ParseDigest("zz"); !errors.Is(err, ErrBadDigest) {
		t.Errorf("ParseDigest: %v", err)
	}
	b, err := codec.Marshal(Digest(d))
	if err != nil || len(b) != 34 || b[0] != 0x58 || b[1] != 32 {
		t.Errorf("cbor = %x, %v; want a 32-byte byte string", b, err)
	}
}

// TestValidationCollectsAll checks that one Validate reports every problem
// of a thoroughly broken offer and household details, in field order.
func TestValidationCollectsAll(t *testing.T) {
	o := &Offer{Schema: 2, PropertyType: "castle", Bedrooms: 9, Floor: 99, WeeklyRentPence: -1, AvailableFrom: "x", District: "Kent", Address: "a\nb", Expires: "y"}
	want := []string{"offer.schema", "offer.case", "offer.offer", "offer.property_type", "offer.bedrooms", "offer.floor",
		"offer.weekly_rent_pence", "offer.available_from", "offer.district", "offer.viewing", "offer.address", "offer.expires"}
	if got := problemFields(t, o.Validate()); !reflect.DeepEqual(got, want) {
		t.Errorf("offer problems\n%q\nwant\n%q", got, want)
	}
	h := &HouseholdDetails{DatesOfBirth: []string{"1991-13-01"}, SafeContact: SafeContact{Email: "x"}, SharingBasis: SharingBasis{Basis: BasisLegal}}
	want = []string{"household_details.schema", "household_details.case", "household_details.names", "household_details.dates_of_birth",
		"household_details.dates_of_birth[0]", "household_details.current_address", "household_details.safe_contact.email",
		"household_details.safe_contact.safe_to_call", "household_details.sharing_basis.legal_basis",
		"household_details.sharing_basis.recorded_by", "household_details.sharing_basis.recorded_at"}
	if got := problemFields(t, h.Validate()); !reflect.DeepEqual(got, want) {
		t.Errorf("household problems\n%q\nwant\n%q", got, want)
	}
}

func problemFields(t *testing.T, err error) []string {
	t.Helper()
	var ve ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want ValidationError", err)
	}
	var f []string
	for _, fe := range ve {
		f = append(f, fe.Field)
	}
	return f
}
