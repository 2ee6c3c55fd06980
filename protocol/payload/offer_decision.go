package payload

// Offer decisions.
const (
	DecisionAccept  = "accept"
	DecisionDecline = "decline"
)

// Decisions returns the possible offer decisions.
func Decisions() []string { return []string{DecisionAccept, DecisionDecline} }

// OfferDecision is the nominating organisation's answer to one offer, sent
// to the offering landlord only.
type OfferDecision struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Case is the referral's case.
	Case ID `json:"case" cbor:"case"`
	// Offer is the id of the offer decided on.
	Offer ID `json:"offer" cbor:"offer"`
	// Decision is DecisionAccept or DecisionDecline.
	Decision string `json:"decision" cbor:"decision"`
	// Reason is required for a decline, optional for an accept; at most
	// MaxReasonChars characters, newlines allowed. It must not identify the
	// household.
	Reason string `json:"reason" cbor:"reason"`
}

// PayloadType returns TypeOfferDecision.
func (*OfferDecision) PayloadType() string { return TypeOfferDecision }

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (d *OfferDecision) Validate() error {
	p := &problems{prefix: "offer_decision"}
	p.schema(d.Schema)
	p.required("case", d.Case)
	p.required("offer", d.Offer)
	p.oneOf("decision", d.Decision, Decisions())
	if d.Decision == DecisionDecline && d.Reason == "" {
		p.add("reason", "must be given when declining")
	} else {
		p.text("reason", d.Reason, 0, MaxReasonChars, true)
	}
	return p.err()
}

// AnonymousFields returns the reason.
func (d *OfferDecision) AnonymousFields() []Field {
	a := &anonymous{prefix: "offer_decision"}
	a.add("reason", d.Reason)
	return a.list
}

// ExampleOfferDecision returns a complete, valid acceptance of
// ExampleOffer (the CLI prints it as a template).
func ExampleOfferDecision() *OfferDecision {
	o := ExampleOffer()
	return &OfferDecision{
		Schema:   SchemaVersion,
		Case:     o.Case,
		Offer:    o.Offer,
		Decision: DecisionAccept,
		Reason:   "Ground floor, within reach of schools in an acceptable district; household has viewed and wants to proceed.",
	}
}
