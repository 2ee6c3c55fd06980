package payload

import "fmt"

// Field is one free-text field of a payload with its JSON path, prefixed
// with the payload kind as in FieldError, e.g. "referral.adaptations[0]".
// The client hands these to its disclosure guard before sending.
type Field struct {
	Name  string
	Value string
}

// anonymous collects the non-empty anonymous fields of a payload.
type anonymous struct {
	prefix string
	list   []Field
}

func (a *anonymous) add(name, value string) {
	if value != "" {
		a.list = append(a.list, Field{Name: a.prefix + "." + name, Value: value})
	}
}

func (a *anonymous) addList(name string, values []string) {
	for i, v := range values {
		a.add(fmt.Sprintf("%s[%d]", name, i), v)
	}
}

// AnonymousFields returns accessibility, each adaptation, pets,
// support_in_place and notes.
func (r *Referral) AnonymousFields() []Field {
	a := &anonymous{prefix: "referral"}
	a.add("accessibility", r.Accessibility)
	a.addList("adaptations", r.Adaptations)
	a.add("pets", r.Pets)
	a.add("support_in_place", r.SupportInPlace)
	a.add("notes", r.Notes)
	return a.list
}

// AnonymousFields returns the message text.
func (m *CaseMessage) AnonymousFields() []Field {
	a := &anonymous{prefix: "case_message"}
	a.add("text", m.Text)
	return a.list
}

// AnonymousFields returns nothing: a delivery receipt has no free text.
func (*DeliveryReceipt) AnonymousFields() []Field { return nil }
