package desktop

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/protocol/payload"
)

// caseView shows one case: its needs profile, a timeline of every entry
// (who, which organisation, when, verified), read receipts, and the actions
// its state allows.
type caseView struct {
	app      *App
	main     *mainScreen
	c        *client.Case
	message  *entry
	send     *widget.Button
	feedback *widget.Label
	content  fyne.CanvasObject
}

func newCaseView(a *App, m *mainScreen, c *client.Case) *caseView {
	v := &caseView{app: a, main: m, c: c}
	loc := a.opt.Location
	head := widget.NewLabelWithStyle(c.Reference+" · "+statusLabel(c.Status), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	orgs := widget.NewLabel(trf("Organisations: {{.Names}}", map[string]any{"Names": orgNames(c.Organisations)}))
	orgs.Wrapping = fyne.TextWrapWord

	parts := []fyne.CanvasObject{head, orgs}
	if c.Referral != nil {
		parts = append(parts, widget.NewCard(tr("Needs profile"), "", needsProfile(c.Referral)))
	} else {
		parts = append(parts, widget.NewLabel(tr("The referral for this case has not arrived yet.")))
	}
	timeline := container.NewVBox()
	for _, e := range c.Entries {
		timeline.Add(v.entryCard(e))
	}
	parts = append(parts, widget.NewCard(tr("Timeline"), "", timeline))
	receipts := container.NewVBox()
	for _, r := range c.Receipts {
		receipts.Add(widget.NewLabel(trf("Opened by {{.Device}} ({{.Org}}) at {{.When}}",
			map[string]any{"Device": r.Reader.DeviceName, "Org": r.Reader.OrgName, "When": when(r.ReadAt, loc)})))
	}
	if len(c.Receipts) == 0 {
		receipts.Add(widget.NewLabel(tr("No read receipts yet.")))
	}
	parts = append(parts, widget.NewCard(tr("Read receipts"), "", receipts))
	parts = append(parts, v.actions())
	v.content = container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
	return v
}

// entryCard shows one timeline entry.
func (v *caseView) entryCard(e client.CaseEntry) fyne.CanvasObject {
	what := tr("Message")
	if e.Kind == "referral" {
		what = tr("Referral")
	}
	dir := tr("received")
	if e.Direction == "sent" {
		dir = tr("sent")
	}
	who := trf("{{.What}} {{.Dir}} · {{.Device}} ({{.Org}}) · {{.When}} · signature verified", map[string]any{
		"What": what, "Dir": dir, "Device": e.From.DeviceName, "Org": e.From.OrgName, "When": when(e.At, v.app.opt.Location)})
	line := widget.NewLabelWithStyle(who, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	line.Wrapping = fyne.TextWrapWord
	if e.Text == "" {
		return line
	}
	text := widget.NewLabel(e.Text)
	text.Wrapping = fyne.TextWrapWord
	return container.NewVBox(line, text, widget.NewSeparator())
}

// actions are what the case's state allows. Until the workflow lands in the
// core, every open case takes a message.
func (v *caseView) actions() fyne.CanvasObject {
	v.message = newMultiLineEntry(v.app)
	v.message.SetPlaceHolder(tr("Message to everyone on this case (no names, addresses or phone numbers)"))
	v.message.SetMinRowsVisible(3)
	v.send = widget.NewButton(tr("Send message"), v.sendMessage)
	v.feedback = widget.NewLabel("")
	v.feedback.Wrapping = fyne.TextWrapWord
	return widget.NewCard(tr("Send a message"), "", container.NewVBox(v.message, v.send, v.feedback))
}

// sendMessage sends the composer's text.
func (v *caseView) sendMessage() {
	a, core := v.app, v.app.core
	a.touch()
	text := strings.TrimSpace(v.message.Text)
	if text == "" {
		v.feedback.SetText(tr("Write a message first."))
		return
	}
	v.send.Disable()
	id := v.c.ID
	a.bg(func(ctx context.Context) {
		err := core.SendMessage(ctx, id, text)
		fyne.Do(func() {
			if a.core != core {
				return
			}
			v.send.Enable()
			switch {
			case err == nil, errors.Is(err, client.ErrNotSent):
				v.message.SetText("")
				v.main.caseSent(id, err != nil)
			default:
				v.feedback.SetText(tr("The message was not sent. Check it and try again."))
			}
		})
	})
}

// needsProfile lays out a referral's fields.
func needsProfile(r *payload.Referral) fyne.CanvasObject {
	children := make([]string, 0, len(r.Children))
	for _, c := range r.Children {
		children = append(children, c.AgeBand)
	}
	yes := func(b bool) string {
		if b {
			return tr("Yes")
		}
		return tr("No")
	}
	none := func(s []string) string {
		if len(s) == 0 {
			return tr("None")
		}
		return strings.Join(s, ", ")
	}
	items := []*widget.FormItem{
		{Text: tr("Adults"), Widget: wrapped(fmt.Sprint(r.Adults))},
		{Text: tr("Children (age bands)"), Widget: wrapped(none(children))},
		{Text: tr("Pregnancy"), Widget: wrapped(yes(r.Pregnant))},
		{Text: tr("Bedrooms"), Widget: wrapped(fmt.Sprint(r.Bedrooms))},
		{Text: tr("Accessibility"), Widget: wrapped(r.Accessibility)},
		{Text: tr("Adaptations"), Widget: wrapped(none(r.Adaptations))},
		{Text: tr("Pets"), Widget: wrapped(r.Pets)},
		{Text: tr("Districts acceptable"), Widget: wrapped(none(r.DistrictsAcceptable))},
		{Text: tr("Districts to avoid"), Widget: wrapped(none(r.DistrictsToAvoid))},
		{Text: tr("DASH risk"), Widget: wrapped(r.Risk.DASHBand)},
		{Text: tr("MARAC"), Widget: wrapped(yes(r.Risk.MARAC))},
		{Text: tr("Urgency"), Widget: wrapped(r.Urgency)},
		{Text: tr("Current tenancy"), Widget: wrapped(r.CurrentTenancy)},
		{Text: tr("Support in place"), Widget: wrapped(r.SupportInPlace)},
		{Text: tr("Needed by"), Widget: wrapped(r.NeededBy)},
		{Text: tr("Notes"), Widget: wrapped(r.Notes)},
	}
	return widget.NewForm(items...)
}

func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}
