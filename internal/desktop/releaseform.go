package desktop

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// releaseForm releases the household's details to the landlord whose offer
// was accepted. It records the consent or the legal basis for sharing, and
// before anything is sent it lists every device (person and organisation)
// that will be able to read the details, with fingerprints, and asks for an
// explicit confirmation. The list's digest goes with the release, so the
// core refuses it if the readers changed after the user saw them.
type releaseForm struct {
	*stepPanel
	names, dobs                *entry
	address                    *entry
	phone, email, safeToCall   *entry
	leaveMessage               *focusCheck
	riskNotes, supportWorker   *entry
	basis                      *choice
	legalBasis, recordedBy     *entry
	confirm                    *appDialog // the readers confirmation, while shown
	confirmed                  *widget.Check
	confirmSend, confirmCancel *keyButton
	readers                    []Reader
}

func newReleaseForm(a *App, m *mainScreen, c *CaseView) *releaseForm {
	f := &releaseForm{}
	f.stepPanel = newStepPanel(a, m, c, tr("Review who can read them…"), f.review, "names", "dates_of_birth", "current_address",
		"safe_contact.phone", "safe_contact.email", "safe_contact.safe_to_call", "safe_contact.safe_to_leave_message",
		"risk_notes", "support_worker", "sharing_basis.basis", "sharing_basis.legal_basis", "sharing_basis.recorded_by")
	f.names = newMultiLineEntry(a)
	f.names.SetPlaceHolder(tr("Full name of everyone moving, one a line"))
	f.names.SetMinRowsVisible(3)
	f.dobs = newMultiLineEntry(a)
	f.dobs.SetPlaceHolder(tr("Dates of birth, e.g. 6 Dec 1990, one a line in the same order as the names (leave unknown ones off the end)"))
	f.dobs.SetMinRowsVisible(3)
	f.address = newEntry(a)
	f.address.SetPlaceHolder(tr("Current address, one line"))
	f.phone = newEntry(a)
	f.phone.SetPlaceHolder(tr("A phone number safe to use, or empty"))
	f.email = newEntry(a)
	f.email.SetPlaceHolder(tr("An email address safe to use, or empty"))
	f.safeToCall = newEntry(a)
	f.safeToCall.SetPlaceHolder(tr("When it is safe to call, e.g. weekdays 10:00-14:00, or via the support worker only"))
	f.leaveMessage = newCheck(a, tr("Safe to leave a message"), nil)
	f.riskNotes = newMultiLineEntry(a)
	f.riskNotes.SetMinRowsVisible(3)
	f.supportWorker = newEntry(a)
	f.supportWorker.SetPlaceHolder(tr("Name and how to reach them"))
	f.basis = newChoice(a, []string{tr("The household consented to sharing"), tr("Sharing without consent under a legal basis")})
	f.basis.OnChanged = func(string) { f.refreshBasis() }
	f.legalBasis = newEntry(a)
	f.legalBasis.SetPlaceHolder(tr("The law relied on, e.g. Crime and Disorder Act 1998 s.115"))
	f.recordedBy = newEntry(a)
	f.recordedBy.SetPlaceHolder(tr("Your name"))
	f.first = f.names
	f.refreshBasis()
	r := f.errs.row
	f.build(tr("Release household details"),
		trf("These details identify the household. They go only to {{.Landlord}}, whose offer was accepted, and to your own organisation's other devices.",
			map[string]any{"Landlord": acceptedLandlord(c)}),
		r(tr("Names"), "names", f.names),
		r(tr("Dates of birth"), "dates_of_birth", f.dobs),
		r(tr("Current address"), "current_address", f.address),
		r(tr("Safe phone"), "safe_contact.phone", f.phone),
		r(tr("Safe email"), "safe_contact.email", f.email),
		r(tr("Safe to call"), "safe_contact.safe_to_call", f.safeToCall),
		r(tr("Messages"), "safe_contact.safe_to_leave_message", f.leaveMessage),
		r(tr("Risk notes"), "risk_notes", f.riskNotes),
		r(tr("Support worker"), "support_worker", f.supportWorker),
		r(tr("Basis for sharing"), "sharing_basis.basis", f.basis),
		r(tr("Legal basis"), "sharing_basis.legal_basis", f.legalBasis),
		r(tr("Recorded by"), "sharing_basis.recorded_by", f.recordedBy))
	return f
}

// acceptedLandlord names the landlord whose offer was accepted.
func acceptedLandlord(c *CaseView) string {
	for _, o := range c.Offers {
		if o.State == "accepted" && o.Landlord.Name != "" {
			return o.Landlord.Name
		}
	}
	return tr("the accepted landlord")
}

// refreshBasis enables the legal basis only when sharing without consent.
func (f *releaseForm) refreshBasis() {
	if f.basis.Selected == tr("Sharing without consent under a legal basis") {
		f.legalBasis.Enable()
	} else {
		f.legalBasis.Disable()
	}
}

// lines splits a multi-line entry into its non-empty lines.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// isoDates turns dates as people type them into YYYY-MM-DD (a line that
// does not read as a date is kept as it is, for validation to report).
func isoDates(ls []string) []string {
	for i, l := range ls {
		if t, ok := parseDate(l); ok {
			ls[i] = t.Format(time.DateOnly)
		}
	}
	return ls
}

// details builds the payload from the form.
func (f *releaseForm) details() *payload.HouseholdDetails {
	h := &payload.HouseholdDetails{Schema: payload.SchemaVersion, Case: f.c.ID,
		Names: lines(f.names.Text), DatesOfBirth: isoDates(lines(f.dobs.Text)), CurrentAddress: strings.TrimSpace(f.address.Text),
		SafeContact: payload.SafeContact{Phone: strings.TrimSpace(f.phone.Text), Email: strings.TrimSpace(f.email.Text),
			SafeToCall: strings.TrimSpace(f.safeToCall.Text), SafeToLeaveMessage: f.leaveMessage.Checked},
		RiskNotes: strings.TrimSpace(f.riskNotes.Text), SupportWorker: strings.TrimSpace(f.supportWorker.Text),
		SharingBasis: payload.SharingBasis{RecordedBy: strings.TrimSpace(f.recordedBy.Text), RecordedAt: f.app.opt.Now().Unix()}}
	switch f.basis.Selected {
	case tr("The household consented to sharing"):
		h.SharingBasis.Basis = payload.BasisConsent
	case tr("Sharing without consent under a legal basis"):
		h.SharingBasis.Basis = payload.BasisLegal
		h.SharingBasis.LegalBasis = strings.TrimSpace(f.legalBasis.Text)
	}
	return h
}

// review checks the form, then fetches the readers and asks for the
// confirmation.
func (f *releaseForm) review() {
	f.errs.clear()
	h := f.details()
	if f.basis.Selected == "" {
		f.errs.set("sharing_basis.basis", tr("Record the household's consent or the legal basis for sharing without it."))
	}
	showValidation(f.errs, h.Validate())
	if f.errs.any() {
		f.invalid()
		return
	}
	a, core, id := f.app, f.app.core, f.c.ID
	f.submit.Disable()
	f.feedback.SetText(tr("Finding every device that will be able to read the details…"))
	a.bg(func(ctx context.Context) {
		readers, digest, err := core.DetailsReaders(ctx, id)
		verified, verr := core.Verified(ctx)
		if verr != nil {
			verified = nil // shown as not checked in person
		}
		fyne.Do(func() {
			if a.core != core {
				return
			}
			f.submit.Enable()
			f.feedback.SetText("")
			if err != nil {
				f.errs.showSendError(err)
				return
			}
			f.showReaders(h, readers, digest, verified)
		})
	})
}

// showReaders is the confirmation: every reader device with its
// organisation and fingerprint, an explicit tick, then Release.
func (f *releaseForm) showReaders(h *payload.HouseholdDetails, readers []Reader, digest string, verified map[crypto.OrgID]bool) {
	f.readers = readers
	list := container.NewVBox()
	for _, r := range readers {
		list.Add(widget.NewLabelWithStyle(trf("{{.Device}} at {{.Org}}", map[string]any{"Device": r.DeviceName, "Org": r.OrgName}),
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		list.Add(widget.NewLabelWithStyle(trf("Fingerprint {{.Fingerprint}}", map[string]any{"Fingerprint": r.Fingerprint}),
			fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}))
		check := widget.NewLabel(trf("✔ {{.Org}}'s fingerprint was checked in person", map[string]any{"Org": r.OrgName}))
		check.Importance = widget.SuccessImportance
		switch {
		case r.Org == f.app.identity.Org:
			check.SetText(tr("Your own organisation's device"))
			check.Importance = widget.MediumImportance
		case !verified[r.Org]:
			check.SetText(trf("⚠ {{.Org}}'s fingerprint has NOT been checked in person: check it on the Organisation screen first", map[string]any{"Org": r.OrgName}))
			check.Importance = widget.WarningImportance
		}
		check.Wrapping = fyne.TextWrapWord
		list.Add(check)
	}
	f.confirmed = widget.NewCheck(tr("I have checked this list: these devices may read the household's details"), func(on bool) {
		f.app.touch()
		if on {
			f.confirmSend.Enable()
		} else {
			f.confirmSend.Disable()
		}
	})
	f.confirmSend = newKeyButton(f.app, tr("Release to these devices"), func() {
		f.app.touch()
		f.closeConfirm()
		f.send(func(ctx context.Context, core Core) error { return core.ReleaseDetails(ctx, f.c.ID, h, digest) })
	})
	f.confirmSend.Importance = widget.DangerImportance
	f.confirmSend.Disable()
	f.confirmCancel = newKeyButton(f.app, tr("Go back"), func() { f.app.touch(); f.closeConfirm() })
	intro := wrapped(tr("Every device listed here will be able to read the names, dates of birth, address and contact details you entered. Check that each belongs to someone who should."))
	body := container.NewBorder(intro, container.NewVBox(f.confirmed, container.NewHBox(f.confirmSend, f.confirmCancel)), nil, nil,
		container.NewVScroll(list))
	f.confirm = f.app.showDialog(tr("Who will be able to read the household's details"), body, fyne.NewSize(640, 500), func() { f.confirm = nil })
	f.confirm.confirm = f.confirmSend
	f.app.win.Canvas().Focus(f.confirmed)
}

// closeConfirm hides the readers confirmation.
func (f *releaseForm) closeConfirm() {
	if f.confirm != nil {
		d := f.confirm
		f.confirm = nil
		d.d.Hide()
	}
}
