package payload

// Statuses a status update can report.
const (
	// StatusSignedUp: the household has signed the new tenancy (from the
	// accepting landlord).
	StatusSignedUp = "signed-up"
	// StatusMovedIn: the household has moved in (from the accepting landlord).
	StatusMovedIn = "moved-in"
	// StatusClosed: the nominator has closed the case.
	StatusClosed = "closed"
	// StatusWithdrawn: the nominator has withdrawn the referral.
	StatusWithdrawn = "withdrawn"
	// StatusFilled: another landlord's offer was accepted; sent to every
	// other candidate, with nothing more.
	StatusFilled = "filled"
	// StatusNoSuitableHome: a candidate landlord has no suitable home for
	// the referral; sent to the nominator only, with no note (a reason
	// could identify the landlord's stock).
	StatusNoSuitableHome = "no-suitable-home"
)

// Statuses returns the statuses a status update can report, in workflow order.
func Statuses() []string {
	return []string{StatusSignedUp, StatusMovedIn, StatusClosed, StatusWithdrawn, StatusFilled, StatusNoSuitableHome}
}

// StatusUpdate reports a change in a case's status to the organisations in
// the case. Which transitions are legal, and from whom, is the client
// workflow's business; this type checks only its own fields.
type StatusUpdate struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Case is the referral's case.
	Case ID `json:"case" cbor:"case"`
	// Status is one of Statuses().
	Status string `json:"status" cbor:"status"`
	// Effective is the date the status took effect, YYYY-MM-DD.
	Effective string `json:"effective" cbor:"effective"`
	// Note is optional free text, at most MaxReasonChars characters,
	// newlines allowed; must be empty with StatusFilled. It must not
	// identify the household.
	Note string `json:"note" cbor:"note"`
}

// PayloadType returns TypeStatusUpdate.
func (*StatusUpdate) PayloadType() string { return TypeStatusUpdate }

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (s *StatusUpdate) Validate() error {
	p := &problems{prefix: "status_update"}
	p.schema(s.Schema)
	p.required("case", s.Case)
	p.oneOf("status", s.Status, Statuses())
	p.date("effective", s.Effective, true)
	if s.Status == StatusFilled && s.Note != "" {
		p.add("note", "must be empty when the status is %q (other candidates learn nothing more)", StatusFilled)
	} else if s.Status == StatusNoSuitableHome && s.Note != "" {
		p.add("note", "must be empty when the status is %q (a reason could identify the landlord's stock)", StatusNoSuitableHome)
	} else {
		p.text("note", s.Note, 0, MaxReasonChars, true)
	}
	return p.err()
}

// AnonymousFields returns the note.
func (s *StatusUpdate) AnonymousFields() []Field {
	a := &anonymous{prefix: "status_update"}
	a.add("note", s.Note)
	return a.list
}

// ExampleStatusUpdate returns a complete, valid "moved-in" update for
// ExampleReferral's case (the CLI prints it as a template).
func ExampleStatusUpdate() *StatusUpdate {
	return &StatusUpdate{
		Schema:    SchemaVersion,
		Case:      ExampleReferral().Case,
		Status:    StatusMovedIn,
		Effective: "2026-06-22",
		Note:      "Keys handed over; tenancy sustainment visit booked for week two.",
	}
}
