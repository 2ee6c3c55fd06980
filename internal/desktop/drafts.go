package desktop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/saferef/saferef/protocol/payload"
)

// A form's state is the value of each of its fields, in the order they
// appear: what a draft holds (sealed in the case store by the core), what
// is compared to know whether the user changed anything, and what carries
// the user's typing over when a form is rebuilt after a sync.

// fieldValue is one field's value: text, a tick, or the options chosen.
type fieldValue struct {
	Text     *string  `json:"t,omitempty"`
	On       *bool    `json:"o,omitempty"`
	Selected []string `json:"s,omitempty"`
	Kind     string   `json:"k"`
}

// draft is what a draft holds: the form's fields and when it was saved.
type draft struct {
	Version int          `json:"v"`
	Saved   time.Time    `json:"saved"`
	Fields  []fieldValue `json:"fields"`
}

// draftVersion is the encoding of drafts; a draft of another version is
// ignored.
const draftVersion = 1

// maxDraftFields bounds a decoded draft.
const maxDraftFields = 500

var errBadDraft = errors.New("draft does not decode")

// decodeDraft reads a stored draft. It never panics on bad bytes.
func decodeDraft(b []byte) (*draft, error) {
	var d draft
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadDraft, err)
	}
	if d.Version != draftVersion || len(d.Fields) > maxDraftFields {
		return nil, fmt.Errorf("%w: version %d, %d fields", errBadDraft, d.Version, len(d.Fields))
	}
	return &d, nil
}

// formFields walks a form's containers in order and calls f on each field.
func formFields(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	switch w := o.(type) {
	case *fyne.Container:
		for _, k := range w.Objects {
			formFields(k, f)
		}
	case *container.Scroll:
		formFields(w.Content, f)
	case *entry, *focusCheck, *widget.Check, *widget.RadioGroup, *choice, *focusSelect, *widget.Select, *widget.CheckGroup:
		f(w)
	}
}

// captureForm reads every field of a form.
func captureForm(root fyne.CanvasObject) []fieldValue {
	var out []fieldValue
	formFields(root, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *entry:
			t := w.Text
			out = append(out, fieldValue{Kind: "text", Text: &t})
		case *focusCheck:
			on := w.Checked
			out = append(out, fieldValue{Kind: "check", On: &on})
		case *widget.Check:
			on := w.Checked
			out = append(out, fieldValue{Kind: "check", On: &on})
		case *widget.RadioGroup:
			out = append(out, fieldValue{Kind: "radio", Selected: nonEmpty(w.Selected)})
		case *choice:
			out = append(out, fieldValue{Kind: "radio", Selected: nonEmpty(w.Selected)})
		case *focusSelect:
			out = append(out, fieldValue{Kind: "select", Selected: nonEmpty(w.Selected)})
		case *widget.Select:
			out = append(out, fieldValue{Kind: "select", Selected: nonEmpty(w.Selected)})
		case *widget.CheckGroup:
			out = append(out, fieldValue{Kind: "checks", Selected: slices.Clone(w.Selected)})
		}
	})
	return out
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// restoreForm writes values back into a form built the same way; a value
// whose field is of another kind, or a choice no longer offered, is left
// out (the form shows what the case allows now).
func restoreForm(root fyne.CanvasObject, values []fieldValue) {
	i := 0
	formFields(root, func(o fyne.CanvasObject) {
		if i >= len(values) {
			return
		}
		v := values[i]
		i++
		switch w := o.(type) {
		case *entry:
			if v.Kind == "text" && v.Text != nil && w.Text != *v.Text {
				w.setText(*v.Text)
			}
		case *focusCheck:
			if v.Kind == "check" && v.On != nil {
				w.SetChecked(*v.On)
			}
		case *widget.Check:
			if v.Kind == "check" && v.On != nil {
				w.SetChecked(*v.On)
			}
		case *widget.RadioGroup:
			if v.Kind == "radio" && len(v.Selected) == 1 && slices.Contains(w.Options, v.Selected[0]) {
				w.SetSelected(v.Selected[0])
			}
		case *choice:
			if v.Kind == "radio" && len(v.Selected) == 1 {
				w.SetSelected(v.Selected[0])
			} else if v.Kind == "radio" {
				w.SetSelected("")
			}
		case *focusSelect:
			if v.Kind == "select" && len(v.Selected) == 1 && slices.Contains(w.Options, v.Selected[0]) {
				w.SetSelected(v.Selected[0])
			}
		case *widget.Select:
			if v.Kind == "select" && len(v.Selected) == 1 && slices.Contains(w.Options, v.Selected[0]) {
				w.SetSelected(v.Selected[0])
			}
		case *widget.CheckGroup:
			if v.Kind == "checks" {
				var keep []string
				for _, s := range v.Selected {
					if slices.Contains(w.Options, s) {
						keep = append(keep, s)
					}
				}
				w.SetSelected(keep)
			}
		}
	})
}

// sameFields reports whether two captures hold the same values.
func sameFields(a, b []fieldValue) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// openForm is the form shown in the detail pane: its content, the draft it
// saves to, and its fields as they were when it opened (or was restored).
type openForm struct {
	name    string     // the draft's form name
	caseID  payload.ID // zero for a new referral
	content fyne.CanvasObject
	base    []fieldValue // the fields when opened, empty
	saved   []fieldValue // the fields last saved as a draft
	banner  *fyne.Container
	notice  string // what the banner says, once a draft was restored
}

// dirty reports whether the user changed the form since it opened.
func (f *openForm) dirty() bool { return !sameFields(captureForm(f.content), f.base) }

// saveDraft seals the form's fields in the case store (off the UI
// goroutine) if they changed since the last save.
func (a *App) saveDraft(f *openForm) {
	if a.core == nil || f == nil {
		return
	}
	fields := captureForm(f.content)
	if sameFields(fields, f.saved) {
		return
	}
	f.saved = fields
	b, err := json.Marshal(&draft{Version: draftVersion, Saved: a.opt.Now(), Fields: fields})
	if err != nil {
		return
	}
	core, id, name := a.core, f.caseID, f.name
	if sameFields(fields, f.base) {
		a.bg(func(ctx context.Context) { _ = core.DeleteDraft(ctx, id, name) })
		return
	}
	a.bg(func(ctx context.Context) { _ = core.SaveDraft(ctx, id, name, b) })
}

// dropDraft forgets the form's draft (sent or discarded).
func (a *App) dropDraft(f *openForm) {
	if a.core == nil || f == nil {
		return
	}
	core, id, name := a.core, f.caseID, f.name
	f.saved = f.base
	a.bg(func(ctx context.Context) { _ = core.DeleteDraft(ctx, id, name) })
}

// restoreDraft loads the form's draft, if any, into it and says so in its
// banner, with a button to discard it.
func (a *App) restoreDraft(f *openForm) {
	core, id, name := a.core, f.caseID, f.name
	a.bg(func(ctx context.Context) {
		b, err := core.Draft(ctx, id, name)
		fyne.Do(func() {
			if a.core != core || a.main == nil || a.main.editing != f || err != nil || b == nil {
				return
			}
			d, err := decodeDraft(b)
			if err != nil {
				return
			}
			restoreForm(f.content, d.Fields)
			f.saved = captureForm(f.content)
			discard := widget.NewButton(tr("Discard draft"), func() {
				a.touch()
				a.confirmAction(tr("Discard this draft?"), tr("What you wrote is deleted from this device. This cannot be undone."),
					tr("Discard draft"), func() {
						a.dropDraft(f)
						restoreForm(f.content, f.base)
						f.banner.Hide()
					})
			})
			f.notice = trf("Draft restored: what you wrote on {{.When}} and did not send.", map[string]any{"When": when(d.Saved, a.opt.Location)})
			msg := wrapped(f.notice)
			msg.Importance = widget.HighImportance
			f.banner.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, discard, msg)}
			f.banner.Show()
			f.content.Refresh() // lay the form out again with the banner
		})
	})
}
