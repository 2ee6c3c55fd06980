package desktop

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client/guard"
)

// step is a workflow form shown in the detail pane in place of its case.
type step interface {
	// panel returns the form's common parts.
	panel() *stepPanel
}

// stepPanel is what every workflow form has: a title, an explanation,
// labelled fields each with its own error line, a primary button, Cancel
// (back to the case) and a feedback line.
type stepPanel struct {
	app      *App
	main     *mainScreen
	c        *CaseView
	errs     *fieldErrors
	submit   *keyButton
	cancel   *keyButton
	feedback *widget.Label
	banner   *fyne.Container // "draft restored", when it is
	first    fyne.Focusable
	content  fyne.CanvasObject
}

func newStepPanel(a *App, m *mainScreen, c *CaseView, submit string, onSubmit func(), keys ...string) *stepPanel {
	p := &stepPanel{app: a, main: m, c: c, errs: newFieldErrors(keys...)}
	p.submit = newKeyButton(a, submit, func() { a.touch(); onSubmit() })
	p.submit.Importance = widget.HighImportance
	p.cancel = newKeyButton(a, tr("Cancel"), func() { a.touch(); m.leaveForm(nil) })
	p.feedback = widget.NewLabel("")
	p.feedback.Wrapping = fyne.TextWrapWord
	p.banner = container.NewVBox()
	p.banner.Hide()
	return p
}

func (p *stepPanel) panel() *stepPanel { return p }

// build lays out the form: title, the case, an explanation, the rows, then
// the buttons.
func (p *stepPanel) build(title, intro string, rows ...fyne.CanvasObject) {
	objs := []fyne.CanvasObject{
		widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapped(trf("Case {{.Reference}}", map[string]any{"Reference": p.c.Reference})),
		p.banner,
		wrapped(intro),
	}
	objs = append(objs, rows...)
	objs = append(objs, p.errs.label("form"), container.NewHBox(p.submit, p.cancel), p.feedback)
	sc := container.NewVScroll(container.NewPadded(container.NewVBox(objs...)))
	p.errs.scroll = sc
	p.content = sc
}

// guardOnLeave checks a free-text field with the disclosure guard (and
// clears its old problems) as the user leaves it, not only on Send.
func (p *stepPanel) guardOnLeave(e *entry, key, path string) {
	e.onLeave = func() { checkFieldNow(p.errs, p.app, e.Text, key, path) }
}

// send runs a send off the UI goroutine and shows its outcome: problems on
// their fields, or on success the case again (queued sends show in the
// connection bar).
func (p *stepPanel) send(work func(ctx context.Context, core Core) error) {
	a, core := p.app, p.app.core
	if core == nil {
		return
	}
	p.submit.Disable()
	p.feedback.SetText(tr("Sending…"))
	id := p.c.ID
	a.bg(func(ctx context.Context) {
		err := work(ctx, core)
		fyne.Do(func() {
			if a.core != core {
				return
			}
			p.submit.Enable()
			switch p.errs.showSendError(err) {
			case sendDone:
				p.feedback.SetText("")
				p.main.caseSent(id, err != nil)
			case sendFields:
				p.feedback.SetText(tr("Some fields need attention: see the messages under them."))
				p.errs.revealFirst()
			default:
				p.feedback.SetText("")
			}
		})
	})
}

// invalid shows the feedback for problems found before sending and
// scrolls to the first.
func (p *stepPanel) invalid() {
	p.feedback.SetText(tr("Some fields need attention: see the messages under them."))
	p.errs.revealFirst()
}

// checkFieldNow runs the disclosure guard over one field's text and shows
// its findings under the field, or clears the field's line.
func checkFieldNow(errs *fieldErrors, a *App, text, key, path string) {
	errs.set(key, "")
	for _, fd := range guard.CheckAt([]guard.Field{{Name: path, Value: text}}, nil, a.opt.Now()) {
		errs.set(key, findingText(fd))
	}
}
