package payload

// MaxRecallEnvelopes is the most envelopes one recall or recall receipt names.
const MaxRecallEnvelopes = 64

// Recall asks every recipient device of some envelopes the sender sent in
// error to shred them. Honest clients do and answer with a RecallReceipt;
// a recall cannot reach back into a device that will not cooperate.
type Recall struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Case is the case the envelopes belonged to.
	Case ID `json:"case" cbor:"case"`
	// Envelopes lists the recalled envelope ids, 1 to MaxRecallEnvelopes,
	// no repeats.
	Envelopes []ID `json:"envelopes" cbor:"envelopes"`
	// Reason is optional free text, at most MaxReasonChars characters,
	// newlines allowed. It must not identify the household.
	Reason string `json:"reason" cbor:"reason"`
}

// PayloadType returns TypeRecall.
func (*Recall) PayloadType() string { return TypeRecall }

// MarshalJSON writes the recall with an empty envelope list as [].
func (r Recall) MarshalJSON() ([]byte, error) {
	type plain Recall
	p := plain(r)
	if p.Envelopes == nil {
		p.Envelopes = []ID{}
	}
	return marshalJSON("recall", p)
}

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (r *Recall) Validate() error {
	p := &problems{prefix: "recall"}
	p.schema(r.Schema)
	p.required("case", r.Case)
	p.envelopeList("envelopes", r.Envelopes)
	p.text("reason", r.Reason, 0, MaxReasonChars, true)
	return p.err()
}

// AnonymousFields returns the reason.
func (r *Recall) AnonymousFields() []Field {
	a := &anonymous{prefix: "recall"}
	a.add("reason", r.Reason)
	return a.list
}

// ExampleRecall returns a complete, valid recall of one envelope of
// ExampleReferral's case (the CLI prints it as a template).
func ExampleRecall() *Recall {
	return &Recall{
		Schema:    SchemaVersion,
		Case:      ExampleReferral().Case,
		Envelopes: []ID{exampleEnvelope()},
		Reason:    "Sent to the wrong case in error; please shred.",
	}
}

// RecallReceipt confirms that a device shredded the envelopes a Recall
// named (those it held). It travels in an envelope signed by that device.
type RecallReceipt struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Case is the case of the recall.
	Case ID `json:"case" cbor:"case"`
	// Envelopes lists the envelope ids shredded, 1 to MaxRecallEnvelopes,
	// no repeats.
	Envelopes []ID `json:"envelopes" cbor:"envelopes"`
	// ShreddedAt is when the device shredded them, Unix seconds (UTC), positive.
	ShreddedAt int64 `json:"shredded_at" cbor:"shredded_at"`
}

// PayloadType returns TypeRecallReceipt.
func (*RecallReceipt) PayloadType() string { return TypeRecallReceipt }

// MarshalJSON writes the receipt with an empty envelope list as [].
func (r RecallReceipt) MarshalJSON() ([]byte, error) {
	type plain RecallReceipt
	p := plain(r)
	if p.Envelopes == nil {
		p.Envelopes = []ID{}
	}
	return marshalJSON("recall receipt", p)
}

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (r *RecallReceipt) Validate() error {
	p := &problems{prefix: "recall_receipt"}
	p.schema(r.Schema)
	p.required("case", r.Case)
	p.envelopeList("envelopes", r.Envelopes)
	p.unix("shredded_at", r.ShreddedAt)
	return p.err()
}

// AnonymousFields returns nothing: a recall receipt has no free text.
func (*RecallReceipt) AnonymousFields() []Field { return nil }

// ExampleRecallReceipt returns a complete, valid receipt for ExampleRecall.
func ExampleRecallReceipt() *RecallReceipt {
	r := ExampleRecall()
	return &RecallReceipt{
		Schema:     SchemaVersion,
		Case:       r.Case,
		Envelopes:  r.Envelopes,
		ShreddedAt: 1780311600,
	}
}
