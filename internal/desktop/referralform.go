package desktop

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client"

	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// referralForm writes a new referral: the needs profile, nothing that
// identifies the household. Every field has its own error line, keyed by
// the field's JSON name ("bedrooms", "risk.dash_band"), where validation
// problems (and the disclosure guard's findings) show.
type referralForm struct {
	app  *App
	main *mainScreen
	orgs []Organisation

	reference, adults, bedrooms  *entry
	children                     map[string]*entry // per age band
	pregnant, marac              *focusCheck
	accessibility, pets, support *entry
	needed                       *dateField
	adaptations, notes           *entry
	// The household section: who the household is, kept on this device
	// (never sent until release) so that the guard refuses it anywhere.
	names, births, address, phone, email *entry
	safeToCall, riskNotes, supportWorker *entry
	leaveMessage                         *widget.Check
	acceptable, avoid                    *districtPicker
	dash, urgency, tenancy, landlord     *focusSelect
	recipients                           *widget.CheckGroup
	recipientsNote                       *widget.Label
	recipientIDs                         map[string]crypto.OrgID
	errs                                 *fieldErrors
	send, cancel                         *keyButton
	feedback                             *widget.Label
	banner                               *fyne.Container // "draft restored", when it is
	content                              fyne.CanvasObject
	duplicate                            *dialog.ConfirmDialog // the repeated-reference question, while shown
}

// districtPicker is a compact choice of districts: ticks in two columns
// (the scheme's thirteen districts take seven rows, not thirteen, and the
// form still fits beside the case list on a 1024-pixel screen).
type districtPicker struct {
	checks    []*focusCheck
	content   *fyne.Container
	onChanged func()
}

func newDistrictPicker(a *App, districts []string, changed func()) *districtPicker {
	p := &districtPicker{onChanged: changed}
	grid := container.NewGridWithColumns(2)
	for _, d := range districts {
		c := newCheck(a, d, func(bool) {
			if p.onChanged != nil {
				p.onChanged()
			}
		})
		p.checks = append(p.checks, c)
		grid.Add(c)
	}
	p.content = grid
	return p
}

// selected lists the districts ticked, in the scheme's order.
func (p *districtPicker) selected() []string {
	out := []string{}
	for _, c := range p.checks {
		if c.Checked {
			out = append(out, c.Text)
		}
	}
	return out
}

// SetSelected ticks exactly the districts given.
func (p *districtPicker) SetSelected(ds []string) {
	for _, c := range p.checks {
		c.SetChecked(slices.Contains(ds, c.Text))
	}
}

// referralFields are the field keys in form order.
func referralFields() []string {
	return []string{"reference", "adults", "children", "pregnant", "bedrooms", "accessibility",
		"adaptations", "pets", "districts_acceptable", "districts_to_avoid", "risk.dash_band", "risk.marac",
		"urgency", "current_tenancy", "current_landlord_org", "support_in_place", "needed_by", "notes",
		"names", "dates_of_birth", "current_address", "safe_contact.phone", "safe_contact.email", "safe_contact.safe_to_call",
		"risk_notes", "support_worker", "recipients", "form"}
}

func newReferralForm(a *App, m *mainScreen, orgs []Organisation) *referralForm {
	f := &referralForm{app: a, main: m, orgs: orgs, children: map[string]*entry{}, errs: newFieldErrors(referralFields()...)}
	f.reference = newEntry(a)
	f.reference.SetPlaceHolder("KMR-2026-0001")
	f.adults = newEntry(a)
	f.adults.SetText("1")
	for _, b := range payload.AgeBands() {
		e := newEntry(a)
		e.SetText("0")
		f.children[b] = e
	}
	f.pregnant = newCheck(a, tr("Someone in the household is pregnant"), nil)
	f.bedrooms = newEntry(a)
	f.bedrooms.SetText("1")
	f.accessibility = newEntry(a)
	f.accessibility.SetText("none")
	f.adaptations = newMultiLineEntry(a)
	f.adaptations.SetPlaceHolder(tr("One adaptation a line, e.g. level-access shower"))
	f.adaptations.SetMinRowsVisible(2)
	f.pets = newEntry(a)
	f.pets.SetText("none")
	f.acceptable = newDistrictPicker(a, payload.Districts(), func() { f.refreshRecipients() })
	f.avoid = newDistrictPicker(a, payload.Districts(), func() { f.refreshRecipients() })
	f.dash = newSelect(a, choiceLabels(payload.DASHBands()), nil)
	f.marac = newCheck(a, tr("Heard at MARAC"), nil)
	f.urgency = newSelect(a, choiceLabels(payload.Urgencies()), nil)
	f.tenancy = newSelect(a, choiceLabels(payload.Tenancies()), nil)
	f.landlord = newSelect(a, f.landlordOptions(), func(string) { f.refreshRecipients() })
	f.landlord.PlaceHolder = tr("Not a tenant of a scheme landlord")
	f.support = newEntry(a)
	f.support.SetText("none")
	f.needed = newDateField(a)
	f.notes = newMultiLineEntry(a)
	f.notes.SetPlaceHolder(tr("For landlords: no names, addresses, dates of birth or phone numbers"))
	f.notes.SetMinRowsVisible(3)
	f.names = newMultiLineEntry(a)
	f.names.SetPlaceHolder(tr("Full name of everyone moving, one a line"))
	f.names.SetMinRowsVisible(2)
	f.births = newMultiLineEntry(a)
	f.births.SetPlaceHolder(tr("Dates of birth, e.g. 6 Dec 1990, one a line, in the same order"))
	f.births.SetMinRowsVisible(2)
	f.address = newEntry(a)
	f.address.SetPlaceHolder(tr("Current address, one line"))
	f.phone = newEntry(a)
	f.email = newEntry(a)
	f.safeToCall = newEntry(a)
	f.safeToCall.SetPlaceHolder(tr("e.g. weekdays 10:00-14:00, or via the support worker only"))
	f.leaveMessage = widget.NewCheck(tr("Safe to leave a message"), nil)
	f.riskNotes = newMultiLineEntry(a)
	f.riskNotes.SetMinRowsVisible(2)
	f.supportWorker = newEntry(a)
	f.recipientIDs = map[string]crypto.OrgID{}
	f.recipients = widget.NewCheckGroup(nil, func([]string) { a.touch() })
	f.recipientsNote = widget.NewLabel("")
	f.recipientsNote.Wrapping = fyne.TextWrapWord
	f.send = newKeyButton(a, tr("Send referral"), f.submit)
	f.send.Importance = widget.HighImportance
	f.cancel = newKeyButton(a, tr("Cancel"), func() { a.touch(); m.leaveForm(nil) })
	f.feedback = widget.NewLabel("")
	f.feedback.Wrapping = fyne.TextWrapWord
	f.banner = container.NewVBox()
	f.banner.Hide()

	kids := container.NewGridWithColumns(len(payload.AgeBands()))
	for _, b := range payload.AgeBands() {
		kids.Add(container.NewVBox(widget.NewLabel(choiceLabel(b)), f.children[b]))
	}
	row := f.errs.row
	f.refreshRecipients()
	sc := container.NewVScroll(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle(tr("New referral"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		f.banner,
		wrapped(tr("Describe what the household needs. Nothing that identifies them: that is released later, only to the landlord whose offer is accepted.")),
		row(tr("Scheme reference"), "reference", f.reference),
		row(tr("Adults moving"), "adults", f.adults),
		row(tr("Children moving"), "children", kids),
		row(tr("Pregnancy"), "pregnant", f.pregnant),
		row(tr("Bedrooms needed"), "bedrooms", f.bedrooms),
		row(tr("Accessibility needs"), "accessibility", f.accessibility),
		row(tr("Adaptations"), "adaptations", f.adaptations),
		row(tr("Pets"), "pets", f.pets),
		row(tr("Districts acceptable"), "districts_acceptable", f.acceptable.content),
		row(tr("Districts to avoid"), "districts_to_avoid", f.avoid.content),
		row(tr("DASH risk band"), "risk.dash_band", f.dash),
		row(tr("MARAC"), "risk.marac", f.marac),
		row(tr("Urgency"), "urgency", f.urgency),
		row(tr("Current tenancy"), "current_tenancy", f.tenancy),
		row(tr("Current landlord"), "current_landlord_org", f.landlord),
		row(tr("Support in place"), "support_in_place", f.support),
		row(tr("Needed by"), "needed_by", f.needed.content),
		row(tr("Notes for landlords"), "notes", f.notes),
		widget.NewLabelWithStyle(tr("The household (kept on this device)"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapped(tr("Who the household is. This stays sealed on your organisation's devices and is sent to nobody until you release it to the landlord whose offer you accept. Everything you send in this case is checked against it.")),
		row(tr("Names"), "names", f.names),
		row(tr("Dates of birth"), "dates_of_birth", f.births),
		row(tr("Current address"), "current_address", f.address),
		row(tr("Safe phone"), "safe_contact.phone", f.phone),
		row(tr("Safe email"), "safe_contact.email", f.email),
		row(tr("When it is safe to call"), "safe_contact.safe_to_call", container.NewVBox(f.safeToCall, f.leaveMessage)),
		row(tr("Risk notes"), "risk_notes", f.riskNotes),
		row(tr("Support worker"), "support_worker", f.supportWorker),
		row(tr("Send to these landlords (homes in an acceptable district)"), "recipients", container.NewVBox(f.recipientsNote, f.recipients)),
		f.errs.label("form"), container.NewHBox(f.send, f.cancel), f.feedback,
	)))
	f.errs.scroll = sc
	f.content = sc
	// The disclosure guard checks each free-text field as the user leaves
	// it, not only on Send.
	for e, key := range map[*entry]string{f.reference: "reference", f.accessibility: "accessibility", f.pets: "pets",
		f.support: "support_in_place", f.adaptations: "adaptations", f.notes: "notes"} {
		e.onLeave = func() { f.checkField(key) }
	}
	return f
}

// checkField checks one field as the user leaves it: the disclosure
// guard's findings show at once; a problem shown before (at Send) is
// checked again, so that it goes once fixed. A field merely passed over is
// not told it is empty.
func (f *referralForm) checkField(key string) {
	had := f.errs.label(key) != nil && f.errs.label(key).Text != ""
	saved := map[string]string{}
	for k, l := range f.errs.labels {
		saved[k] = l.Text
	}
	r, _ := f.referral()
	// referral() reports number problems itself: keep only this field's.
	for k, l := range f.errs.labels {
		if k != key && l.Text != saved[k] {
			l.SetText(saved[k])
			if saved[k] == "" {
				l.Hide()
			}
		}
	}
	f.errs.set(key, "")
	var verr payload.ValidationError
	if err := r.Validate(); had && errors.As(err, &verr) {
		for _, fe := range verr {
			if fieldKey(fe.Field) == key {
				f.errs.set(fe.Field, fe.Problem)
			}
		}
	}
	for _, fd := range guard.CheckAt(toGuardFields(r.AnonymousFields()), nil, f.app.opt.Now()) {
		if fieldKey(fd.Field) == key {
			f.errs.set(fd.Field, findingText(fd))
		}
	}
}

// focusFirst focuses the first field.
func (f *referralForm) focusFirst() { f.app.win.Canvas().Focus(f.reference) }

// landlordOptions names the scheme's landlords for "current landlord".
func (f *referralForm) landlordOptions() []string {
	var out []string
	for _, o := range f.orgs {
		if o.Kind == crypto.KindLandlord && !o.Revoked {
			out = append(out, o.Name)
		}
	}
	return out
}

// refreshRecipients lists the landlords with homes in an acceptable
// district (and not only in districts to avoid), all ticked, so the user
// sees who will receive the referral. With a current landlord chosen, the
// referral goes to it alone for approval, and the list says so.
func (f *referralForm) refreshRecipients() {
	var names []string
	f.recipientIDs = map[string]crypto.OrgID{}
	if f.landlord != nil && f.landlord.Selected != "" {
		f.recipients.Options = nil
		f.recipients.Selected = nil
		f.recipients.Refresh()
		f.recipientsNote.SetText(trf("Sent first to {{.Landlord}} for approval; you circulate it to landlords after they approve.",
			map[string]any{"Landlord": f.landlord.Selected}))
		return
	}
	for _, o := range f.orgs {
		if o.Kind != crypto.KindLandlord || o.Revoked || o.ID == f.app.identity.Org {
			continue
		}
		acceptable := slices.ContainsFunc(o.Districts, func(d string) bool {
			return slices.Contains(f.acceptable.selected(), d) && !slices.Contains(f.avoid.selected(), d)
		})
		if acceptable {
			names = append(names, o.Name)
			f.recipientIDs[o.Name] = o.ID
		}
	}
	f.recipients.Options = names
	f.recipients.Selected = slices.Clone(names)
	f.recipients.Refresh()
	if len(names) == 0 {
		f.recipientsNote.SetText(tr("Tick an acceptable district to see the landlords with homes there."))
	} else {
		f.recipientsNote.SetText(tr("Untick any landlord that should not receive it."))
	}
}

// setFieldError shows msg under the field with the given JSON path.
func (f *referralForm) setFieldError(field, msg string) { f.errs.set(field, msg) }

// clearErrors hides every field error.
func (f *referralForm) clearErrors() {
	f.errs.clear()
	f.feedback.SetText("")
}

// referral builds the needs profile from the form; problems with numbers
// are reported against their fields.
func (f *referralForm) referral() (*payload.Referral, bool) {
	ok := true
	num := func(e *entry, field string) int {
		n, err := strconv.Atoi(strings.TrimSpace(e.Text))
		if err != nil {
			f.setFieldError(field, tr("Enter a whole number."))
			ok = false
		}
		return n
	}
	r := &payload.Referral{
		Schema: payload.SchemaVersion, Reference: strings.TrimSpace(f.reference.Text),
		Adults: num(f.adults, "adults"), Pregnant: f.pregnant.Checked, Bedrooms: num(f.bedrooms, "bedrooms"),
		Accessibility: strings.TrimSpace(f.accessibility.Text), Pets: strings.TrimSpace(f.pets.Text),
		DistrictsAcceptable: f.acceptable.selected(), DistrictsToAvoid: f.avoid.selected(),
		Risk:    payload.Risk{DASHBand: choiceValue(payload.DASHBands(), f.dash.Selected), MARAC: f.marac.Checked},
		Urgency: choiceValue(payload.Urgencies(), f.urgency.Selected), CurrentTenancy: choiceValue(payload.Tenancies(), f.tenancy.Selected),
		SupportInPlace: strings.TrimSpace(f.support.Text),
		Notes:          strings.TrimSpace(f.notes.Text), Children: []payload.Child{}, Adaptations: []string{},
	}
	if r.DistrictsToAvoid == nil {
		r.DistrictsToAvoid = []string{}
	}
	if r.DistrictsAcceptable == nil {
		r.DistrictsAcceptable = []string{}
	}
	if d, dok := f.needed.iso(); dok {
		r.NeededBy = d
	} else {
		f.setFieldError("needed_by", tr("Enter a date, for example 6 Dec 2026."))
		ok = false
	}
	for _, b := range payload.AgeBands() {
		for range max(num(f.children[b], "children"), 0) {
			r.Children = append(r.Children, payload.Child{AgeBand: b})
		}
	}
	for _, l := range strings.Split(f.adaptations.Text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			r.Adaptations = append(r.Adaptations, l)
		}
	}
	for _, o := range f.orgs {
		if o.Name == f.landlord.Selected && o.Kind == crypto.KindLandlord {
			r.CurrentLandlordOrg = payload.ID(o.ID)
		}
	}
	return r, ok
}

// household builds the household's details from the household section.
func (f *referralForm) household() *payload.HouseholdDetails {
	lines := func(e *entry) []string {
		out := []string{}
		for _, l := range strings.Split(e.Text, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	return &payload.HouseholdDetails{
		Schema: payload.SchemaVersion, Names: lines(f.names), DatesOfBirth: isoDates(lines(f.births)),
		CurrentAddress: strings.TrimSpace(f.address.Text),
		SafeContact: payload.SafeContact{Phone: strings.TrimSpace(f.phone.Text), Email: strings.TrimSpace(f.email.Text),
			SafeToCall: strings.TrimSpace(f.safeToCall.Text), SafeToLeaveMessage: f.leaveMessage.Checked},
		RiskNotes: strings.TrimSpace(f.riskNotes.Text), SupportWorker: strings.TrimSpace(f.supportWorker.Text),
	}
}

// guardHousehold is what the guard looks for from the household section.
func guardHousehold(h *payload.HouseholdDetails) *guard.Household {
	g := &guard.Household{Names: h.Names, DatesOfBirth: h.DatesOfBirth, Address: h.CurrentAddress,
		Passages: []string{h.RiskNotes, h.SupportWorker, h.SafeContact.SafeToCall}}
	if h.SafeContact.Phone != "" {
		g.Phones = []string{h.SafeContact.Phone}
	}
	if h.SafeContact.Email != "" {
		g.Emails = []string{h.SafeContact.Email}
	}
	return g
}

// chosenRecipients are the ticked landlords.
func (f *referralForm) chosenRecipients() []crypto.OrgID {
	var to []crypto.OrgID
	for _, n := range f.recipients.Selected {
		if id, ok := f.recipientIDs[n]; ok {
			to = append(to, id)
		}
	}
	return to
}

// submit validates the referral, shows every problem on its field, and
// sends it.
func (f *referralForm) submit() {
	a := f.app
	a.touch()
	f.clearErrors()
	r, ok := f.referral()
	var verr payload.ValidationError
	if err := r.Validate(); errors.As(err, &verr) {
		for _, fe := range verr {
			if fe.Field == "referral.case" || fe.Field == "referral.case_nonce" {
				continue // the core gives a new referral its case id and nonce
			}
			f.setFieldError(fe.Field, fe.Problem)
			ok = false
		}
	}
	h := f.household()
	if err := h.Validate(); errors.As(err, &verr) {
		for _, fe := range verr {
			if fe.Field == "household_details.case" {
				continue // the core fills in the case
			}
			f.setFieldError(fe.Field, fe.Problem)
			ok = false
		}
	}
	// The disclosure guard runs here too, so that its findings show with
	// every other problem at once; the core runs it again before sending.
	for _, fd := range guard.CheckAt(toGuardFields(r.AnonymousFields()), guardHousehold(h), a.opt.Now()) {
		f.setFieldError(fd.Field, findingText(fd))
		ok = false
	}
	to := f.chosenRecipients()
	if r.CurrentLandlordOrg.IsZero() && len(to) == 0 {
		f.setFieldError("recipients", tr("Choose at least one landlord to send the referral to."))
		ok = false
	}
	if !r.CurrentLandlordOrg.IsZero() {
		to = nil // the core sends it to the current landlord for approval
	}
	if !ok {
		f.feedback.SetText(tr("Some fields need attention: see the messages under them."))
		f.errs.revealFirst()
		return
	}
	f.sendReferral(to, r, client.ReferralOptions{Household: h})
}

// sendReferral sends in the background; a reference already used by an
// open case of this organisation asks, in a dialog, whether a second case
// is meant.
func (f *referralForm) sendReferral(to []crypto.OrgID, r *payload.Referral, opt client.ReferralOptions) {
	a, core := f.app, f.app.core
	f.send.Disable()
	f.feedback.SetText(tr("Sending…"))
	a.bg(func(ctx context.Context) {
		id, err := core.SendReferral(ctx, to, r, opt)
		fyne.Do(func() {
			if a.core != core {
				return
			}
			f.send.Enable()
			if errors.Is(err, client.ErrDuplicateReference) {
				f.feedback.SetText(tr("Not sent yet: an open case already has this reference."))
				f.duplicate = dialog.NewConfirm(tr("Send a second referral?"),
					trf("An open case of your organisation already has the reference {{.Ref}}. Send this referral as a second case all the same?", map[string]any{"Ref": r.Reference}),
					func(again bool) {
						f.duplicate = nil
						if again {
							opt.Again = true
							f.sendReferral(to, r, opt)
						}
					}, a.win)
				f.duplicate.Show()
				return
			}
			switch f.errs.showSendError(err) {
			case sendDone:
				f.main.caseSent(id, err != nil)
			case sendFields:
				f.feedback.SetText(tr("Some fields need attention: see the messages under them."))
			default:
				f.feedback.SetText(tr("The referral was not sent."))
			}
		})
	})
}

// toGuardFields hands a payload's anonymous fields to the guard.
func toGuardFields(fs []payload.Field) []guard.Field {
	out := make([]guard.Field, len(fs))
	for i, f := range fs {
		out[i] = guard.Field{Name: f.Name, Value: f.Value}
	}
	return out
}
