package desktop

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
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
	submit   *widget.Button
	cancel   *widget.Button
	feedback *widget.Label
	first    fyne.Focusable
	content  fyne.CanvasObject
}

func newStepPanel(a *App, m *mainScreen, c *CaseView, submit string, onSubmit func(), keys ...string) *stepPanel {
	p := &stepPanel{app: a, main: m, c: c, errs: newFieldErrors(keys...)}
	p.submit = widget.NewButton(submit, func() { a.touch(); onSubmit() })
	p.submit.Importance = widget.HighImportance
	p.cancel = widget.NewButton(tr("Cancel"), func() { a.touch(); m.openCase(c.ID) })
	p.feedback = widget.NewLabel("")
	p.feedback.Wrapping = fyne.TextWrapWord
	return p
}

func (p *stepPanel) panel() *stepPanel { return p }

// build lays out the form: title, the case, an explanation, the rows, then
// the buttons.
func (p *stepPanel) build(title, intro string, rows ...fyne.CanvasObject) {
	objs := []fyne.CanvasObject{
		widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapped(trf("Case {{.Reference}}", map[string]any{"Reference": p.c.Reference})),
		wrapped(intro),
	}
	objs = append(objs, rows...)
	objs = append(objs, p.errs.label("form"), container.NewHBox(p.submit, p.cancel), p.feedback)
	p.content = container.NewVScroll(container.NewPadded(container.NewVBox(objs...)))
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
			default:
				p.feedback.SetText("")
			}
		})
	})
}

// invalid shows the feedback for problems found before sending.
func (p *stepPanel) invalid() {
	p.feedback.SetText(tr("Some fields need attention: see the messages under them."))
}
