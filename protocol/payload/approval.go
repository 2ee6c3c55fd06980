package payload

// Limits on free text in the workflow payloads, in characters.
const (
	MaxStaffNameChars = 200  // a named lead, a person recording consent
	MaxReasonChars    = 2000 // reasons and notes
)

// Approval is the household's current landlord's answer to a referral sent
// to it for approval, signed by its named lead. It goes to the nominating
// organisation only.
type Approval struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Case is the referral's case.
	Case ID `json:"case" cbor:"case"`
	// Approved is true when the landlord supports the move.
	Approved bool `json:"approved" cbor:"approved"`
	// NoSuitableHome confirms the landlord has no suitable home in its own
	// stock; must be true when approved.
	NoSuitableHome bool `json:"no_suitable_home" cbor:"no_suitable_home"`
	// WillGiveHomeBack confirms the landlord will give a home back to the
	// scheme; must be true when approved.
	WillGiveHomeBack bool `json:"will_give_home_back" cbor:"will_give_home_back"`
	// LeadName is the landlord's named lead (a member of staff, never the
	// household), 1 to MaxStaffNameChars characters.
	LeadName string `json:"lead_name" cbor:"lead_name"`
	// Reason explains a decline (required then) or adds a note to an
	// approval; at most MaxReasonChars characters, newlines allowed.
	Reason string `json:"reason" cbor:"reason"`
}

// PayloadType returns TypeApproval.
func (*Approval) PayloadType() string { return TypeApproval }

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (a *Approval) Validate() error {
	p := &problems{prefix: "approval"}
	p.schema(a.Schema)
	p.required("case", a.Case)
	if a.Approved && !a.NoSuitableHome {
		p.add("no_suitable_home", "must be confirmed (true) to approve")
	}
	if a.Approved && !a.WillGiveHomeBack {
		p.add("will_give_home_back", "must be confirmed (true) to approve")
	}
	p.line("lead_name", a.LeadName, 1, MaxStaffNameChars)
	if !a.Approved && a.Reason == "" {
		p.add("reason", "must be given when declining")
	} else {
		p.text("reason", a.Reason, 0, MaxReasonChars, true)
	}
	return p.err()
}

// AnonymousFields returns the reason. The lead's name is staff, not the
// household, and is not checked.
func (a *Approval) AnonymousFields() []Field {
	f := &anonymous{prefix: "approval"}
	f.add("reason", a.Reason)
	return f.list
}

// ExampleApproval returns a complete, valid approval of ExampleReferral's
// case by the household's current landlord (the CLI prints it as a
// template).
func ExampleApproval() *Approval {
	return &Approval{
		Schema:           SchemaVersion,
		Case:             ExampleReferral().Case,
		Approved:         true,
		NoSuitableHome:   true,
		WillGiveHomeBack: true,
		LeadName:         "Dawn Fairweather, Tenancy Services Manager, Medway Valley Housing",
		Reason:           "No two-bedroom stock outside Medway, Swale and Gravesham; a home will be given back from the Dartford pipeline.",
	}
}
