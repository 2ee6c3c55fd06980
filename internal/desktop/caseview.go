package desktop

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/guard"
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
	scroll   *container.Scroll
	content  fyne.CanvasObject
}

func newCaseView(a *App, m *mainScreen, c *CaseView) *caseView {
	v := &caseView{app: a, main: m, c: c, saves: map[payload.ID]*widget.Button{}}
	head := widget.NewLabelWithStyle(c.Reference+" · "+statusLabel(string(c.Stage)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	role := wrapped(trf("Your organisation: {{.Role}} · {{.Waiting}}", map[string]any{"Role": roleLabel(c.Role), "Waiting": actionLabel(c.WaitingOn)}))
	orgs := wrapped(trf("Organisations: {{.Names}}", map[string]any{"Names": orgNames(c.Organisations)}))

	parts := []fyne.CanvasObject{head, role, orgs, v.actions()}
	if c.Details != nil {
		parts = append(parts, v.household())
	}
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
	v.scroll = container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
	v.content = v.scroll
	return v
}

// household shows the household's details to those entitled to them (the
// accepting landlord, and the nominator's own organisation): how to contact
// them safely first and prominently, then each person on their own row,
// then the rest, and who else can read it.
func (v *caseView) household() fyne.CanvasObject {
	h := v.c.Details
	sc := h.SafeContact
	safe := container.NewVBox()
	call := sc.SafeToCall
	if call == "" {
		call = tr("No safe time to call was given: do not call; contact the support worker.")
	} else {
		call = trf("Safe to call: {{.When}}", map[string]any{"When": call})
	}
	callLabel := widget.NewLabelWithStyle(call, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	callLabel.Wrapping = fyne.TextWrapWord
	safe.Add(callLabel)
	msg := widget.NewLabelWithStyle(tr("Do NOT leave a message"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	msg.Importance = widget.DangerImportance
	if sc.SafeToLeaveMessage {
		msg = widget.NewLabelWithStyle(tr("Safe to leave a message"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	safe.Add(msg)
	if sc.Phone != "" {
		safe.Add(wrapped(trf("Safe phone: {{.Phone}}", map[string]any{"Phone": sc.Phone})))
	}
	if sc.Email != "" {
		safe.Add(wrapped(trf("Safe email: {{.Email}}", map[string]any{"Email": sc.Email})))
	}
	people := container.NewVBox()
	for i, n := range h.Names {
		dob := tr("date of birth not given")
		if i < len(h.DatesOfBirth) {
			dob = trf("born {{.Date}}", map[string]any{"Date": dateLabel(h.DatesOfBirth[i])})
		}
		people.Add(container.NewGridWithColumns(2, widget.NewLabelWithStyle(n, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), widget.NewLabel(dob)))
	}
	basis := tr("The household consented to sharing.")
	if h.SharingBasis.Basis == payload.BasisLegal {
		basis = trf("Shared without consent under: {{.Law}}", map[string]any{"Law": h.SharingBasis.LegalBasis})
	}
	rest := widget.NewForm(
		&widget.FormItem{Text: tr("Current address"), Widget: wrapped(h.CurrentAddress)},
		&widget.FormItem{Text: tr("Risk notes"), Widget: wrapped(h.RiskNotes)},
		&widget.FormItem{Text: tr("Support worker"), Widget: wrapped(h.SupportWorker)},
		&widget.FormItem{Text: tr("Basis for sharing"), Widget: wrapped(basis)},
	)
	readers := container.NewVBox()
	if len(v.c.DetailsReaders) > 0 {
		readers.Add(wrapped(tr("When the details were released, these devices were shown as able to read them:")))
		for _, r := range v.c.DetailsReaders {
			readers.Add(wrapped(trf("{{.Device}} at {{.Org}}", map[string]any{"Device": r.DeviceName, "Org": r.OrgName})))
		}
	} else {
		nom := v.c.Nominator.Name
		if nom == "" {
			nom = tr("the nominating organisation")
		}
		readers.Add(wrapped(trf("Readable by your organisation's devices and by {{.Nominator}}, who released them. No other organisation holds them.",
			map[string]any{"Nominator": nom})))
	}
	safeCard := widget.NewCard(tr("How to contact them safely"), tr("Read this before any contact"), safe)
	return widget.NewCard(tr("Household details"), tr("Identifying: shown only to the organisations entitled to them"),
		container.NewVBox(safeCard,
			widget.NewLabelWithStyle(tr("People moving"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), people,
			rest,
			widget.NewLabelWithStyle(tr("Who else can read this"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), readers))
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
	m, a := v.main, v.app
	for _, s := range caseSteps(a, m) {
		if s.allowed(c) {
			open := s
			add(s.label(c), s.primary(c), func() { m.openStep(c, open.name, open.allowed, open.build) })
		}
	}
	if c.allows(workflow.EventNoSuitableHome) {
		add(tr("No suitable home…"), false, func() { v.noSuitableHome() })
	}
	v.feedback = widget.NewLabel("")
	v.feedback.Wrapping = fyne.TextWrapWord
	if c.allows(workflow.EventMessage) {
		v.message = newMultiLineEntry(v.app)
		v.message.SetPlaceHolder(tr("Message (no names, addresses or phone numbers)"))
		v.message.SetMinRowsVisible(3)
		v.message.onLeave = func() {
			v.feedback.SetText("")
			for _, fd := range guard.CheckAt([]guard.Field{{Name: "case_message.text", Value: v.message.Text}}, nil, a.opt.Now()) {
				v.feedback.SetText(plainProblem(findingText(fd)))
			}
		}
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

// noSuitableHome answers the referral "no suitable home" after asking.
func (v *caseView) noSuitableHome() {
	a, core, id := v.app, v.app.core, v.c.ID
	a.confirmAction(tr("Answer “no suitable home”?"),
		tr("The nominating organisation is told only that you declined: no reason goes with it. The case then closes for your organisation and you cannot offer a home on it."),
		tr("No suitable home"), func() {
			a.bg(func(ctx context.Context) {
				err := core.NoSuitableHome(ctx, id)
				fyne.Do(func() {
					if a.core != core {
						return
					}
					errs := newFieldErrors()
					if errs.showSendError(err) == sendDone {
						v.main.caseSent(id, err != nil)
						return
					}
					v.feedback.SetText(errs.label("form").Text)
				})
			})
		})
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
		children = append(children, choiceLabel(c.AgeBand))
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
		{Text: tr("DASH risk"), Widget: wrapped(choiceLabel(r.Risk.DASHBand))},
		{Text: tr("MARAC"), Widget: wrapped(yesNo(r.Risk.MARAC))},
		{Text: tr("Urgency"), Widget: wrapped(choiceLabel(r.Urgency))},
		{Text: tr("Current tenancy"), Widget: wrapped(choiceLabel(r.CurrentTenancy))},
		{Text: tr("Support in place"), Widget: wrapped(r.SupportInPlace)},
		{Text: tr("Needed by"), Widget: wrapped(dateLabel(r.NeededBy))},
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

// caseStep is one workflow step the case view offers as a button: its
// form, when the case allows it, and whether it is what the case waits on.
type caseStep struct {
	name    string
	label   func(c *CaseView) string
	primary func(c *CaseView) bool
	allowed func(c *CaseView) bool
	build   func(c *CaseView) step
}

// caseSteps are the workflow forms, in the order the buttons show.
func caseSteps(a *App, m *mainScreen) []caseStep {
	fixed := func(s string) func(*CaseView) string { return func(*CaseView) string { return s } }
	waits := func(w workflow.Action) func(*CaseView) bool {
		return func(c *CaseView) bool { return c.WaitingOn == w }
	}
	never := func(*CaseView) bool { return false }
	return []caseStep{
		{"approval", fixed(tr("Approve or decline…")), waits(workflow.ActionApprove),
			func(c *CaseView) bool { return c.allows(workflow.EventApproved, workflow.EventApprovalDeclined) },
			func(c *CaseView) step { return newApprovalForm(a, m, c) }},
		{"circulate", fixed(tr("Circulate…")), waits(workflow.ActionCirculate),
			func(c *CaseView) bool { return c.allows(workflow.EventCirculated) },
			func(c *CaseView) step { return newCirculateForm(a, m, c) }},
		{"offer", fixed(tr("Make an offer…")), never,
			func(c *CaseView) bool { return c.allows(workflow.EventOfferMade) },
			func(c *CaseView) step { return newOfferForm(a, m, c) }},
		{"decision", fixed(tr("Decide on an offer…")), waits(workflow.ActionReviewOffers),
			func(c *CaseView) bool {
				return c.allows(workflow.EventOfferAccepted, workflow.EventOfferDeclined) && len(pendingOffers(c)) > 0
			},
			func(c *CaseView) step { return newDecisionForm(a, m, c) }},
		{"release", func(c *CaseView) string {
			// Once released, the details can still be corrected: a
			// different step from the user's point of view.
			if c.Stage == workflow.StageDetailsReleased {
				return tr("Send corrected household details…")
			}
			return tr("Release household details…")
		}, waits(workflow.ActionReleaseDetails),
			func(c *CaseView) bool { return c.allows(workflow.EventDetailsReleased) },
			func(c *CaseView) step { return newReleaseForm(a, m, c) }},
		{"status", fixed(tr("Update status…")), never,
			func(c *CaseView) bool { return len(allowedStatuses(c)) > 0 },
			func(c *CaseView) step { return newStatusForm(a, m, c) }},
		{"attach", fixed(tr("Attach a file…")), never,
			func(c *CaseView) bool { return c.allows(workflow.EventAttachment) },
			func(c *CaseView) step { return newAttachForm(a, m, c) }},
		{"recall", fixed(tr("Take back something sent…")), never,
			func(c *CaseView) bool { return c.allows(workflow.EventRecalled) && len(recallable(c)) > 0 },
			func(c *CaseView) step { return newRecallForm(a, m, c) }},
	}
}
