package desktop

import (
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/protocol/payload"
)

// fieldErrors holds one error line per field of a form, keyed by the
// field's JSON name without the payload prefix ("notes", "risk.dash_band"),
// plus "form" for problems that belong to no field. Validation problems and
// the disclosure guard's findings name fields by JSON path
// ("referral.notes", "offer.adaptations[1]"); fieldKey maps them here.
type fieldErrors struct {
	labels map[string]*widget.Label
	keys   []string          // in form order
	scroll *container.Scroll // the form's scroll, once built
}

func newFieldErrors(keys ...string) *fieldErrors {
	f := &fieldErrors{labels: map[string]*widget.Label{}, keys: append(slices.Clone(keys), "form")}
	for _, k := range append(keys, "form") {
		l := widget.NewLabel("")
		l.Importance = widget.DangerImportance
		l.Wrapping = fyne.TextWrapWord
		l.Hide()
		f.labels[k] = l
	}
	return f
}

// label returns the error line of a field key.
func (f *fieldErrors) label(key string) *widget.Label { return f.labels[key] }

// set shows msg under the field named by path (a JSON path or a key); an
// empty msg clears it. Problems for fields the form does not have go to
// the form's own line.
func (f *fieldErrors) set(path, msg string) {
	l, ok := f.labels[fieldKey(path)]
	if !ok {
		l = f.labels["form"]
	}
	if msg == "" {
		l.SetText("")
		l.Hide()
		return
	}
	msg = plainProblem(msg)
	if l.Text != "" {
		msg = l.Text + "\n" + msg
	}
	l.SetText(msg)
	l.Show()
}

// clear hides every error line.
func (f *fieldErrors) clear() {
	for _, l := range f.labels {
		l.SetText("")
		l.Hide()
	}
}

// any reports whether an error line shows.
func (f *fieldErrors) any() bool {
	for _, l := range f.labels {
		if l.Text != "" {
			return true
		}
	}
	return false
}

// showing lists the keys whose error lines show.
func (f *fieldErrors) showing() []string {
	var out []string
	for k, l := range f.labels {
		if l.Text != "" {
			out = append(out, k)
		}
	}
	return out
}

// row is a labelled field with its error line under it. The mouse wheel
// over the field scrolls the form.
func (f *fieldErrors) row(label, key string, w fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewStack(w, newScrollCatcher(&f.scroll)), f.labels[key])
}

// revealFirst scrolls the form to the first error shown.
func (f *fieldErrors) revealFirst() {
	for _, k := range f.keys {
		if l := f.labels[k]; l != nil && l.Text != "" {
			scrollTo(f.scroll, l)
			return
		}
	}
}

// nestedFields are the payload objects whose fields a form shows
// separately, so their error keys keep two levels ("risk.dash_band").
var nestedFields = []string{"risk", "safe_contact", "sharing_basis"}

// fieldKey maps a JSON path ("referral.children[1].age_band",
// "offer.adaptations[0]", "household_details.safe_contact.phone") to a
// form's field key ("children", "adaptations", "safe_contact.phone"). The
// payload prefix is the part before the first dot; a key without one is
// returned as it is.
func fieldKey(path string) string {
	p := path
	if i := strings.IndexByte(p, '.'); i >= 0 && !slices.Contains(nestedFields, p[:i]) {
		p = p[i+1:]
	}
	if i := strings.IndexByte(p, '['); i >= 0 {
		p = p[:i]
	}
	first, rest, nested := strings.Cut(p, ".")
	if !nested {
		return p
	}
	if slices.Contains(nestedFields, first) {
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			rest = rest[:i]
		}
		return first + "." + rest
	}
	return first
}

// findingText describes one disclosure-guard finding in the user's words.
// It contains the matched text: shown to the user who typed it, never
// logged.
func findingText(f guard.Finding) string {
	what := map[string]string{
		guard.KindPostcode:    tr("a postcode"),
		guard.KindPhone:       tr("a phone number"),
		guard.KindEmail:       tr("an email address"),
		guard.KindDateOfBirth: tr("a date of birth"),
		guard.KindName:        tr("a household member's name"),
		guard.KindAddress:     tr("the household's address"),
		guard.KindDetails:     tr("text from the household's details"),
		guard.KindStreet:      tr("a street address"),
		guard.KindNINumber:    tr("a National Insurance number"),
		guard.KindNHSNumber:   tr("an NHS number"),
		guard.KindHandle:      tr("a social-media handle"),
		guard.KindPersonName:  tr("a person's name"),
	}[f.Kind]
	if what == "" {
		what = tr("identifying data")
	}
	return trf("This looks like {{.What}}: “{{.Match}}”. Remove it: this goes to several organisations.", map[string]any{"What": what, "Match": f.Match})
}

// sendOutcome is what a send's error means for a form.
type sendOutcome int

const (
	sendDone    sendOutcome = iota // sent, or recorded and queued
	sendFields                     // problems shown on the fields
	sendRefused                    // refused as a whole (feedback set)
)

// showSendError shows err from a send on the form's fields and returns
// what it means. Guard findings and validation problems go under their
// fields; a workflow refusal or anything else goes to the form's line.
func (f *fieldErrors) showSendError(err error) sendOutcome {
	var gerr *guard.Error
	var verr payload.ValidationError
	var terr *workflow.TransitionError
	switch {
	case err == nil, errors.Is(err, client.ErrNotSent):
		return sendDone
	case errors.As(err, &gerr):
		for _, fd := range gerr.Findings {
			f.set(fd.Field, findingText(fd))
		}
		return sendFields
	case errors.As(err, &verr):
		for _, fe := range verr {
			f.set(fe.Field, fe.Problem)
		}
		return sendFields
	case errors.Is(err, client.ErrReadersChanged):
		f.set("form", tr("The devices that can read the details changed since you checked them. Review the list again."))
		return sendRefused
	case errors.As(err, &terr):
		f.set("form", trf("The case does not allow this now: {{.Why}}", map[string]any{"Why": terr.Error()}))
		return sendRefused
	case errors.Is(err, client.ErrRelayUntrusted), errors.Is(err, client.ErrNotInLog):
		f.set("form", tr("Sending is stopped: the relay's directory failed a check. Ask your scheme coordinator."))
		return sendRefused
	default:
		f.set("form", trf("This was not sent: {{.Why}}", map[string]any{"Why": err.Error()}))
		return sendRefused
	}
}
