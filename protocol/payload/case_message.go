package payload

// MaxCaseMessageChars is the longest case message text, in characters.
const MaxCaseMessageChars = 4000

// CaseMessage is a free-text message between the organisations working on a
// case.
type CaseMessage struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Case is the case the message belongs to.
	Case ID `json:"case" cbor:"case"`
	// Text is 1 to MaxCaseMessageChars characters; newlines and tabs allowed.
	Text string `json:"text" cbor:"text"`
}

// PayloadType returns TypeCaseMessage.
func (*CaseMessage) PayloadType() string { return TypeCaseMessage }

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (m *CaseMessage) Validate() error {
	p := &problems{prefix: "case_message"}
	p.schema(m.Schema)
	p.required("case", m.Case)
	p.text("text", m.Text, 1, MaxCaseMessageChars, true)
	return p.err()
}
