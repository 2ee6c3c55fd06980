package desktop

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/protocol/payload"
)

// caseView shows one case: where it stands and what this organisation may
// do now (only the actions the workflow allows), the needs profile, the
// offers side by side, a timeline of every event (who, which organisation
// and device, when, verified), read receipts and attachments.
type caseView struct {
	app      *App
	main     *mainScreen
	c        *CaseView
	buttons  []*widget.Button // the allowed actions, in order
	message  *entry           // nil when messages are not allowed now
	send     *widget.Button
	feedback *widget.Label
	saves    map[payload.ID]*widget.Button
	content  fyne.CanvasObject
}

func newCaseView(a *App, m *mainScreen, c *CaseView) *caseView {
	v := &caseView{app: a, main: m, c: c, saves: map[payload.ID]*widget.Button{}}
	head := widget.NewLabelWithStyle(c.Reference+" · "+statusLabel(string(c.Stage)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	role := wrapped(trf("Your organisation: {{.Role}} · {{.Waiting}}", map[string]any{"Role": roleLabel(c.Role), "Waiting": actionLabel(c.WaitingOn)}))
	orgs := wrapped(trf("Organisations: {{.Names}}", map[string]any{"Names": orgNames(c.Organisations)}))

	parts := []fyne.CanvasObject{head, role, orgs, v.actions()}
	if len(c.Offers) > 0 {
		parts = append(parts, widget.NewCard(tr("Offers"), tr("Side by side, oldest first"), offersGrid(c.Offers, a.opt.Location)))
	}
	if c.Referral != nil {
		parts = append(parts, widget.NewCard(tr("Needs profile"), "", needsProfile(c.Referral)))
	} else {
		parts = append(parts, widget.NewLabel(tr("The referral for this case has not arrived yet.")))
	}
	timeline := container.NewVBox()
	for _, e := range c.Timeline {
		timeline.Add(v.eventCard(e))
	}
	if len(c.Timeline) == 0 {
		timeline.Add(widget.NewLabel(tr("Nothing has happened on this case yet.")))
	}
	parts = append(parts, widget.NewCard(tr("Timeline"), "", timeline))
	parts = append(parts, widget.NewCard(tr("Read receipts"), "", v.receipts()))
	if len(c.Attachments) > 0 {
		parts = append(parts, widget.NewCard(tr("Attachments"), "", v.attachments()))
	}
	if v.message != nil {
		parts = append(parts, widget.NewCard(tr("Send a message"), "", container.NewVBox(v.message, v.send, v.feedback)))
	} else {
		parts = append(parts, v.feedback)
	}
	v.content = container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
	return v
}

// eventCard shows one timeline event.
func (v *caseView) eventCard(e TimelineEvent) fyne.CanvasObject {
	verified := tr("signature verified")
	if !e.Verified {
		verified = tr("NOT verified")
	}
	who := trf("{{.What}} · {{.Device}} ({{.Org}}) · {{.When}} · {{.Verified}}", map[string]any{
		"What": eventLabel(e.Kind), "Device": e.By.DeviceName, "Org": e.By.OrgName,
		"When": when(e.At, v.app.opt.Location), "Verified": verified})
	line := widget.NewLabelWithStyle(who, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	line.Wrapping = fyne.TextWrapWord
	if e.Text == "" {
		return line
	}
	return container.NewVBox(line, wrapped(e.Text), widget.NewSeparator())
}

// receipts lists who opened what, when.
func (v *caseView) receipts() fyne.CanvasObject {
	box := container.NewVBox()
	loc := v.app.opt.Location
	for _, r := range v.c.Reads {
		box.Add(wrapped(trf("{{.Device}} at {{.Org}} opened: {{.What}}, at {{.When}}", map[string]any{
			"Device": r.Reader.DeviceName, "Org": r.Reader.OrgName, "What": packetLabel(r.Kind), "When": when(r.ReadAt, loc)})))
	}
	for _, r := range v.c.Receipts {
		switch r.Kind {
		case client.ReceiptRead:
			continue // listed above, with what was opened
		case client.ReceiptRecall:
			box.Add(wrapped(trf("Shredded at a recall by {{.Device}} ({{.Org}}) at {{.When}}",
				map[string]any{"Device": r.Reader.DeviceName, "Org": r.Reader.OrgName, "When": when(r.ReadAt, loc)})))
		default:
			box.Add(wrapped(trf("Delivered to {{.Device}} ({{.Org}}) at {{.When}}",
				map[string]any{"Device": r.Reader.DeviceName, "Org": r.Reader.OrgName, "When": when(r.ReadAt, loc)})))
		}
	}
	if len(box.Objects) == 0 {
		box.Add(widget.NewLabel(tr("No read receipts yet.")))
	}
	return box
}

// attachments lists the case's files, each with a Save button once
// complete.
func (v *caseView) attachments() fyne.CanvasObject {
	box := container.NewVBox()
	for _, at := range v.c.Attachments {
		desc := trf("{{.Name}} · {{.Size}} · from {{.Device}} ({{.Org}}) · {{.When}}", map[string]any{
			"Name": at.Name, "Size": byteSize(at.Size), "Device": at.From.DeviceName, "Org": at.From.OrgName,
			"When": when(at.At, v.app.opt.Location)})
		if !at.Complete {
			box.Add(wrapped(desc + " · " + tr("still arriving")))
			continue
		}
		b := widget.NewButton(tr("Save…"), func() { v.app.touch(); v.saveAttachment(at) })
		v.saves[at.ID] = b
		box.Add(container.NewBorder(nil, nil, nil, b, wrapped(desc)))
	}
	return box
}

// byteSize formats a file size.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// actions are the buttons for what the workflow allows this organisation
// to do now, and nothing else. A case that allows nothing says so.
func (v *caseView) actions() fyne.CanvasObject {
	c := v.c
	add := func(label string, primary bool, open func()) {
		b := widget.NewButton(label, func() { v.app.touch(); open() })
		if primary {
			b.Importance = widget.HighImportance
		}
		v.buttons = append(v.buttons, b)
	}
	m := v.main
	if c.allows(workflow.EventApproved, workflow.EventApprovalDeclined) {
		add(tr("Approve or decline…"), c.WaitingOn == workflow.ActionApprove, func() { m.showStep(newApprovalForm(v.app, m, c)) })
	}
	if c.allows(workflow.EventCirculated) {
		add(tr("Circulate…"), c.WaitingOn == workflow.ActionCirculate, func() { m.showStep(newCirculateForm(v.app, m, c)) })
	}
	if c.allows(workflow.EventOfferMade) {
		add(tr("Make an offer…"), false, func() { m.showStep(newOfferForm(v.app, m, c)) })
	}
	if c.allows(workflow.EventOfferAccepted, workflow.EventOfferDeclined) && len(pendingOffers(c)) > 0 {
		add(tr("Decide on an offer…"), c.WaitingOn == workflow.ActionReviewOffers, func() { m.showStep(newDecisionForm(v.app, m, c)) })
	}
	if c.allows(workflow.EventDetailsReleased) {
		add(tr("Release household details…"), c.WaitingOn == workflow.ActionReleaseDetails, func() { m.showStep(newReleaseForm(v.app, m, c)) })
	}
	if len(allowedStatuses(c)) > 0 {
		add(tr("Update status…"), false, func() { m.showStep(newStatusForm(v.app, m, c)) })
	}
	if c.allows(workflow.EventAttachment) {
		add(tr("Attach a file…"), false, func() { m.showStep(newAttachForm(v.app, m, c)) })
	}
	if c.allows(workflow.EventRecalled) && len(recallable(c)) > 0 {
		add(tr("Recall…"), false, func() { m.showStep(newRecallForm(v.app, m, c)) })
	}
	v.feedback = widget.NewLabel("")
	v.feedback.Wrapping = fyne.TextWrapWord
	if c.allows(workflow.EventMessage) {
		v.message = newMultiLineEntry(v.app)
		v.message.SetPlaceHolder(tr("Message (no names, addresses or phone numbers)"))
		v.message.SetMinRowsVisible(3)
		v.send = widget.NewButton(tr("Send message"), v.sendMessage)
	}
	if len(v.buttons) == 0 {
		msg := tr("Nothing for your organisation to do on this case now.")
		if v.message != nil {
			msg = tr("Nothing for your organisation to do on this case now, apart from messages.")
		}
		return wrapped(msg)
	}
	objs := make([]fyne.CanvasObject, len(v.buttons))
	for i, b := range v.buttons {
		objs[i] = b
	}
	return widget.NewCard(tr("What you can do now"), "", container.NewGridWrap(fyne.NewSize(230, 38), objs...))
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
			errs := newFieldErrors()
			switch errs.showSendError(err) {
			case sendDone:
				v.message.SetText("")
				v.main.caseSent(id, err != nil)
			default:
				v.feedback.SetText(errs.label("form").Text)
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
	items := []*widget.FormItem{
		{Text: tr("Adults"), Widget: wrapped(fmt.Sprint(r.Adults))},
		{Text: tr("Children (age bands)"), Widget: wrapped(none(children))},
		{Text: tr("Pregnancy"), Widget: wrapped(yesNo(r.Pregnant))},
		{Text: tr("Bedrooms"), Widget: wrapped(fmt.Sprint(r.Bedrooms))},
		{Text: tr("Accessibility"), Widget: wrapped(r.Accessibility)},
		{Text: tr("Adaptations"), Widget: wrapped(none(r.Adaptations))},
		{Text: tr("Pets"), Widget: wrapped(r.Pets)},
		{Text: tr("Districts acceptable"), Widget: wrapped(none(r.DistrictsAcceptable))},
		{Text: tr("Districts to avoid"), Widget: wrapped(none(r.DistrictsToAvoid))},
		{Text: tr("DASH risk"), Widget: wrapped(r.Risk.DASHBand)},
		{Text: tr("MARAC"), Widget: wrapped(yesNo(r.Risk.MARAC))},
		{Text: tr("Urgency"), Widget: wrapped(r.Urgency)},
		{Text: tr("Current tenancy"), Widget: wrapped(r.CurrentTenancy)},
		{Text: tr("Support in place"), Widget: wrapped(r.SupportInPlace)},
		{Text: tr("Needed by"), Widget: wrapped(r.NeededBy)},
		{Text: tr("Notes"), Widget: wrapped(r.Notes)},
	}
	return widget.NewForm(items...)
}

func yesNo(b bool) string {
	if b {
		return tr("Yes")
	}
	return tr("No")
}

func none(s []string) string {
	if len(s) == 0 {
		return tr("None")
	}
	return strings.Join(s, ", ")
}

func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}
