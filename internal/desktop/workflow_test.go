package desktop

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// openDemoCase unlocks and opens case KMR-2026-0001 (as set up in h.core).
func openDemoCase(t *testing.T, h *harness) *caseView {
	t.Helper()
	h.unlock()
	h.app.main.openCase(payload.ID{1})
	v := h.app.main.open
	if v == nil {
		t.Fatal("case did not open")
	}
	return v
}

// button finds the case view's action button with the label.
func button(t *testing.T, v *caseView, label string) *widget.Button {
	t.Helper()
	for _, b := range v.buttons {
		if b.Text == label {
			return b
		}
	}
	t.Fatalf("no %q action; actions: %v", label, actionLabels(v))
	return nil
}

func actionLabels(v *caseView) []string {
	var out []string
	for _, b := range v.buttons {
		out = append(out, b.Text)
	}
	return out
}

// assertTabOrder tabs from the focused widget and checks that want come
// in this order (items of radio and check groups may come between).
func assertTabOrder(t *testing.T, c fyne.Canvas, want ...fyne.Focusable) {
	t.Helper()
	i := 0
	if c.Focused() == want[0] {
		i = 1
	}
	for step := 0; step < 60 && i < len(want); step++ {
		c.FocusNext()
		f := c.Focused()
		if f == want[i] {
			i++
			continue
		}
		if idx := slices.Index(want, f); idx >= 0 {
			t.Fatalf("tab order: %T (#%d) came before #%d", f, idx, i)
		}
	}
	if i < len(want) {
		t.Fatalf("tab order: #%d (%T) never focused", i, want[i])
	}
}

// confirmDialog presses the confirming button of the dialog shown.
func confirmDialog(t *testing.T, h *harness) {
	t.Helper()
	if h.app.dialog == nil || h.app.dialog.confirm == nil {
		t.Fatal("no confirmation dialog")
	}
	test.Tap(h.app.dialog.confirm)
}

// setCase replaces case 1 with a changed copy of the demo case.
func setCase(h *harness, change func(v *CaseView)) {
	v := demoCase()
	change(v)
	h.core.cases[payload.ID{1}] = v
}

func TestCaseViewShowsOnlyAllowedActions(t *testing.T) {
	h := newHarness(t, true)
	v := openDemoCase(t, h)
	want := []string{"Circulate…", "Decide on an offer…", "Update status…", "Attach a file…", "Take back something sent…"}
	if got := actionLabels(v); !slices.Equal(got, want) {
		t.Errorf("actions %q, want %q", got, want)
	}
	if v.message == nil {
		t.Error("messages are allowed but there is no composer")
	}
	if !slices.Equal(h.core.reads, []payload.ID{{1}}) {
		t.Errorf("opening the case marked %v read", h.core.reads)
	}
	markup := test.RenderToMarkup(h.app.Window().Canvas())
	for _, s := range []string{"12 Example Close,", "£142.50", "Ground floor", "Liaison desk at Medway Homes opened: Referral",
		"floor-plan.pdf", "signature verified", "We may have a two-bedroom home"} {
		if !strings.Contains(markup, s) {
			t.Errorf("case view lacks %q", s)
		}
	}
	// A candidate sees only its own moves.
	setCase(h, func(c *CaseView) {
		c.Role, c.Stage, c.Offers = workflow.RoleCandidate, workflow.StageCirculated, nil
		c.Allowed = []workflow.EventKind{workflow.EventOfferMade, workflow.EventMessage, workflow.EventRead}
	})
	h.app.main.openCase(payload.ID{1})
	if got := actionLabels(h.app.main.open); !slices.Equal(got, []string{"Make an offer…"}) {
		t.Errorf("candidate actions %q", got)
	}
	// Nothing allowed: no buttons and no composer.
	setCase(h, func(c *CaseView) { c.Allowed = nil; c.Stage = workflow.StageClosed })
	h.app.main.openCase(payload.ID{1})
	if v := h.app.main.open; len(v.buttons) != 0 || v.message != nil {
		t.Errorf("closed case offers %q, composer %v", actionLabels(v), v.message != nil)
	}
}

func TestOffersSideBySide(t *testing.T) {
	h := newHarness(t, true)
	v := openDemoCase(t, h)
	_ = v
	c := h.app.Window().Canvas()
	grid := offersGrid(demoCase().Offers, h.app.opt.Location).(*fyne.Container)
	for i, row := range grid.Objects {
		if cells := len(row.(*fyne.Container).Objects); cells != len(demoCase().Offers)+1 {
			t.Fatalf("row %d has %d cells, want a label and one per offer", i, cells)
		}
	}
	assertMarkup(t, "caseview_offers.xml", c)
	// Without addresses (a landlord's view), there is no address row.
	offers := demoCase().Offers
	for i := range offers {
		o := *offers[i].Offer
		o.Address = ""
		offers[i].Offer = &o
	}
	noAddr := test.RenderObjectToMarkup(offersGrid(offers, h.app.opt.Location))
	if strings.Contains(noAddr, ">Address<") {
		t.Error("address row shown without addresses")
	}
}

func TestReferralGuardFindingInline(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	h.app.runShortcut(shortcut(keyNewReferral))
	f := h.app.main.form
	test.Type(f.reference, "KMR-2026-0003")
	f.acceptable.SetSelected([]string{"Medway"})
	f.dash.SetSelected(choiceLabel("high"))
	f.urgency.SetSelected(choiceLabel("urgent"))
	f.tenancy.SetSelected(choiceLabel("refuge"))
	test.Type(f.notes, "Lives near ME4 6ZZ")
	fillHousehold(f)
	h.core.sendErr = &guard.Error{Findings: []guard.Finding{{Field: "referral.notes", Kind: guard.KindPostcode, Match: "ME4 6ZZ"}}}
	test.Tap(f.send)
	notes := f.errs.label("notes")
	if notes.Hidden || !strings.Contains(notes.Text, "postcode") || !strings.Contains(notes.Text, "ME4 6ZZ") {
		t.Fatalf("notes error line %q (hidden %v)", notes.Text, notes.Hidden)
	}
	if l := f.errs.label("form"); l.Text != "" {
		t.Errorf("the finding also went to the form line: %q", l.Text)
	}
	if h.app.main.form != f {
		t.Error("a refused referral left the form")
	}
	f.content.(*container.Scroll).ScrollToBottom()
	assertMarkup(t, "referral_guard.xml", h.app.Window().Canvas())
	// Fixed, it goes.
	h.core.sendErr = nil
	f.notes.SetText("Needs a ground-floor home.")
	test.Tap(f.send)
	if len(h.core.referrals) != 1 {
		t.Fatalf("not sent after the fix: %q", f.feedback.Text)
	}
}

func TestReferralToCurrentLandlordGoesForApproval(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	h.app.runShortcut(shortcut(keyNewReferral))
	f := h.app.main.form
	test.Type(f.reference, "KMR-2026-0004")
	f.acceptable.SetSelected([]string{"Medway"})
	f.dash.SetSelected(choiceLabel("high"))
	f.urgency.SetSelected(choiceLabel("urgent"))
	f.tenancy.SetSelected(choiceLabel(payload.TenancyAssuredHousingAssoc))
	f.landlord.SetSelected("North Kent Housing")
	fillHousehold(f)
	if len(f.recipients.Options) != 0 || !strings.Contains(f.recipientsNote.Text, "for approval") {
		t.Errorf("with a current landlord the recipients are %v, note %q", f.recipients.Options, f.recipientsNote.Text)
	}
	test.Tap(f.send)
	if len(h.core.referrals) != 1 {
		t.Fatalf("not sent: %q", f.feedback.Text)
	}
	if h.core.sentTo[0] != nil || h.core.referrals[0].CurrentLandlordOrg != payload.ID(orgID(3)) {
		t.Errorf("sent to %v with current landlord %v", h.core.sentTo[0], h.core.referrals[0].CurrentLandlordOrg)
	}
}

func TestApprovalForm(t *testing.T) {
	h := newHarness(t, true)
	setCase(h, func(c *CaseView) {
		c.Role, c.Stage, c.WaitingOn, c.Offers = workflow.RoleCurrentLandlord, workflow.StageAwaitingApproval, workflow.ActionApprove, nil
		c.Allowed = []workflow.EventKind{workflow.EventApproved, workflow.EventApprovalDeclined, workflow.EventRead}
	})
	v := openDemoCase(t, h)
	test.Tap(button(t, v, "Approve or decline…"))
	f, ok := h.app.main.step.(*approvalForm)
	if !ok {
		t.Fatalf("step %T", h.app.main.step)
	}
	c := h.app.Window().Canvas()
	if c.Focused() == nil {
		t.Fatal("nothing focused in the form")
	}
	assertTabOrder(t, c, f.noSuitable, f.back, f.lead, f.reason, f.submit, f.cancel)
	test.Tap(f.submit)
	if f.errs.label("decision").Text == "" || len(h.core.approvals) != 0 {
		t.Fatal("no decision accepted")
	}
	f.decision.SetSelected("Approve the move")
	test.Tap(f.submit)
	for _, k := range []string{"no_suitable_home", "will_give_home_back", "lead_name"} {
		if f.errs.label(k).Text == "" {
			t.Errorf("no error on %s", k)
		}
	}
	assertMarkup(t, "approval_errors.xml", c)
	test.Tap(f.noSuitable)
	test.Tap(f.back)
	test.Type(f.lead, "Dana Okafor")
	test.Tap(f.submit)
	confirmDialog(t, h)
	if len(h.core.approvals) != 1 {
		t.Fatalf("not sent: %q %q", f.feedback.Text, f.errs.label("form").Text)
	}
	if a := h.core.approvals[0]; !a.Approved || !a.NoSuitableHome || !a.WillGiveHomeBack || a.LeadName != "Dana Okafor" || a.Case != (payload.ID{1}) {
		t.Errorf("approval %+v", a)
	}
	if h.app.main.open == nil {
		t.Error("the case is not shown after sending")
	}
}

func TestCirculateFormShowsLandlordsFirst(t *testing.T) {
	h := newHarness(t, true)
	v := openDemoCase(t, h)
	test.Tap(button(t, v, "Circulate…"))
	f := h.app.main.step.(*circulateForm)
	if !slices.Equal(f.landlords.Options, []string{"Medway Homes", "North Kent Housing"}) || len(f.landlords.Selected) != 2 {
		t.Fatalf("landlords %v ticked %v", f.landlords.Options, f.landlords.Selected)
	}
	if len(h.core.circulate) != 0 {
		t.Fatal("sent before the user confirmed")
	}
	assertMarkup(t, "circulate.xml", h.app.Window().Canvas())
	assertTabOrder(t, h.app.Window().Canvas(), f.submit, f.cancel)
	f.landlords.SetSelected([]string{"North Kent Housing"})
	test.Tap(f.submit)
	if len(h.core.circulate) != 1 || !slices.Equal(h.core.circulate[0], []crypto.OrgID{orgID(3)}) {
		t.Errorf("circulated to %v", h.core.circulate)
	}
	// Unticking every landlord is refused on the field.
	test.Tap(button(t, h.app.main.open, "Circulate…"))
	f = h.app.main.step.(*circulateForm)
	f.landlords.SetSelected(nil)
	test.Tap(f.submit)
	if f.errs.label("landlords").Text == "" || len(h.core.circulate) != 1 {
		t.Error("an empty circulation was not refused")
	}
}

func TestOfferForm(t *testing.T) {
	h := newHarness(t, true)
	setCase(h, func(c *CaseView) {
		c.Role, c.Stage, c.Offers = workflow.RoleCandidate, workflow.StageCirculated, nil
		c.Allowed = []workflow.EventKind{workflow.EventOfferMade, workflow.EventMessage}
	})
	v := openDemoCase(t, h)
	test.Tap(button(t, v, "Make an offer…"))
	f := h.app.main.step.(*offerForm)
	c := h.app.Window().Canvas()
	if c.Focused() != f.propertyType {
		t.Errorf("focus on %T, want the property type", c.Focused())
	}
	assertTabOrder(t, c, f.propertyType, f.bedrooms, f.floor, f.lift, f.adaptations, f.rent, f.available.entry, f.district,
		f.viewing, f.address, f.expires.entry, f.submit, f.cancel)
	test.Tap(f.submit)
	for _, k := range []string{"property_type", "bedrooms", "weekly_rent_pence", "district"} {
		if f.errs.label(k).Text == "" {
			t.Errorf("no error on %s", k)
		}
	}
	f.propertyType.SetSelected(choiceLabel(payload.PropertyTypes()[0]))
	test.Type(f.bedrooms, "2")
	test.Type(f.rent, "112.50")
	test.Type(f.available.entry, "2026-04-01")
	// The form offers only the referral's acceptable districts less those
	// to avoid: a district the household must stay out of cannot be picked.
	r := payload.ExampleReferral()
	for _, d := range r.DistrictsToAvoid {
		if slices.Contains(f.district.Options, d) {
			t.Errorf("the offer form offers %s, a district to avoid", d)
		}
	}
	for _, d := range f.district.Options {
		if !slices.Contains(r.DistrictsAcceptable, d) {
			t.Errorf("the offer form offers %s, not an acceptable district", d)
		}
	}
	f.district.SetSelected(r.DistrictsToAvoid[0])
	if f.district.Selected != "" {
		t.Errorf("picked %q, a district to avoid", f.district.Selected)
	}
	f.district.SetSelected(f.district.Options[0])
	test.Type(f.viewing, "Call 07700 900123 to view")
	test.Type(f.address, "Flat 2, 9 Dock Road, Chatham ME4 4AA")
	h.core.sendErr = &guard.Error{Findings: []guard.Finding{{Field: "offer.viewing", Kind: guard.KindPhone, Match: "07700 900123"}}}
	test.Tap(f.submit)
	if l := f.errs.label("viewing"); !strings.Contains(l.Text, "phone number") {
		t.Fatalf("viewing error %q; form %q", l.Text, f.errs.label("form").Text)
	}
	h.core.sendErr = nil
	f.viewing.SetText("Accompanied viewing, weekdays")
	test.Tap(f.submit)
	if len(h.core.offers) != 1 {
		t.Fatalf("offer not sent: %q", f.errs.label("form").Text)
	}
	if o := h.core.offers[0]; o.WeeklyRentPence != 11250 || o.Bedrooms != 2 || o.Address == "" {
		t.Errorf("offer %+v", o)
	}
}

func TestDecisionForm(t *testing.T) {
	h := newHarness(t, true)
	v := openDemoCase(t, h)
	test.Tap(button(t, v, "Decide on an offer…"))
	f := h.app.main.step.(*decisionForm)
	if len(f.offer.Options) != 2 {
		t.Fatalf("offers to choose %v", f.offer.Options)
	}
	assertTabOrder(t, h.app.Window().Canvas(), f.reason, f.submit, f.cancel)
	f.offer.SetSelected(f.offer.Options[1])
	f.decision.SetSelected("Decline this offer")
	test.Tap(f.submit)
	if f.errs.label("reason").Text == "" || len(h.core.decisions) != 0 {
		t.Fatal("a decline without a reason was not refused")
	}
	test.Type(f.reason, "Too far from the children's school")
	test.Tap(f.submit)
	confirmDialog(t, h)
	if want := (payload.ID{0xa2}).String() + " false Too far from the children's school"; !slices.Equal(h.core.decisions, []string{want}) {
		t.Errorf("decisions %q, want %q", h.core.decisions, want)
	}
}

func TestReleaseNeedsConfirmationListingReaders(t *testing.T) {
	h := newHarness(t, true)
	setCase(h, func(c *CaseView) {
		c.Stage, c.WaitingOn = workflow.StageOfferAccepted, workflow.ActionReleaseDetails
		c.Offers[0].State = workflow.OfferAccepted
		c.Offers[1].State = workflow.OfferFilled
		c.Allowed = []workflow.EventKind{workflow.EventDetailsReleased, workflow.EventWithdrawn, workflow.EventMessage}
	})
	v := openDemoCase(t, h)
	test.Tap(button(t, v, "Release household details…"))
	f := h.app.main.step.(*releaseForm)
	c := h.app.Window().Canvas()
	if c.Focused() != f.names {
		t.Errorf("focus on %T, want names", c.Focused())
	}
	assertTabOrder(t, c, f.names, f.dobs, f.address, f.phone, f.email, f.safeToCall, f.leaveMessage, f.riskNotes,
		f.supportWorker, f.recordedBy, f.submit, f.cancel)
	test.Tap(f.submit)
	if f.confirm != nil || len(h.core.released) != 0 {
		t.Fatal("an empty form reached the confirmation")
	}
	if f.errs.label("sharing_basis.basis").Text == "" || f.errs.label("names").Text == "" {
		t.Error("missing consent or names not shown on their fields")
	}
	test.Type(f.names, "Lina Haddad\nSami Haddad")
	test.Type(f.dobs, "1991-03-14\n2018-07-02")
	test.Type(f.address, "Flat 3, 22 Marine Parade, Gillingham ME7 1AA")
	test.Type(f.safeToCall, "via the support worker only")
	test.Type(f.supportWorker, "Jo Baxter, Harbour Refuge")
	f.basis.SetSelected("Sharing without consent under a legal basis")
	test.Tap(f.submit)
	if f.errs.label("sharing_basis.legal_basis").Text == "" {
		t.Fatal("a legal basis without its text was accepted")
	}
	test.Type(f.legalBasis, "Crime and Disorder Act 1998 s.115")
	test.Type(f.recordedBy, "Priya Shah")
	test.Tap(f.submit)
	if f.confirm == nil {
		t.Fatalf("no confirmation: %q %q", f.feedback.Text, f.errs.label("form").Text)
	}
	markup := test.RenderToMarkup(c)
	for _, r := range demoReaders() {
		if !strings.Contains(markup, r.DeviceName+" at "+r.OrgName) || !strings.Contains(markup, r.Fingerprint) {
			t.Errorf("confirmation does not list %s at %s with its fingerprint", r.DeviceName, r.OrgName)
		}
	}
	if !f.confirmSend.Disabled() {
		t.Error("release possible before ticking the confirmation")
	}
	assertMarkup(t, "release_confirm.xml", c)
	test.Tap(f.confirmCancel)
	if len(h.core.released) != 0 {
		t.Fatal("going back released the details")
	}
	// Locking with the confirmation open takes it off the screen.
	test.Tap(f.submit)
	h.app.Lock()
	if h.app.Window().Canvas().Overlays().Top() != nil {
		t.Fatal("the readers confirmation stayed on screen after locking")
	}
	h.unlock()
	h.app.main.openCase(payload.ID{1})
	test.Tap(button(t, h.app.main.open, "Release household details…"))
	f = h.app.main.step.(*releaseForm)
	// What was typed before the lock comes back as a draft.
	if f.names.Text != "Lina Haddad\nSami Haddad" || f.legalBasis.Text != "Crime and Disorder Act 1998 s.115" {
		t.Fatalf("draft not restored after the lock: names %q", f.names.Text)
	}
	test.Tap(f.submit)
	test.Tap(f.confirmed)
	test.Tap(f.confirmSend)
	if len(h.core.released) != 1 || h.core.digests[0] != "digest-of-readers" {
		t.Fatalf("released %d, digests %v", len(h.core.released), h.core.digests)
	}
	d := h.core.released[0]
	if d.SharingBasis.Basis != payload.BasisLegal || d.SharingBasis.LegalBasis == "" || len(d.Names) != 2 || d.SharingBasis.RecordedAt != testNow.Unix() {
		t.Errorf("released %+v", d.SharingBasis)
	}
}

func TestStatusFormOffersOnlyAllowedStatuses(t *testing.T) {
	h := newHarness(t, true)
	v := openDemoCase(t, h)
	test.Tap(button(t, v, "Update status…"))
	f := h.app.main.step.(*statusForm)
	if !slices.Equal(f.status.Options, []string{"Withdraw the referral"}) {
		t.Errorf("statuses %v, want only withdraw", f.status.Options)
	}
	assertTabOrder(t, h.app.Window().Canvas(), f.effective.entry, f.note, f.submit, f.cancel)
	test.Tap(f.submit)
	if f.errs.label("status").Text == "" || len(h.core.statuses) != 0 {
		t.Error("no status chosen, no error: nothing is chosen in advance")
	}
	f.status.SetSelected("Withdraw the referral")
	test.Tap(f.submit)
	if f.errs.label("note").Text == "" || len(h.core.statuses) != 0 {
		t.Fatal("a withdrawal without a reason was not refused")
	}
	test.Type(f.note, "Household found a private let")
	f.note.TypedShortcut(shortcut(keySubmit)) // Ctrl+Enter in the entry sends the form
	confirmDialog(t, h)
	if !slices.Equal(h.core.statuses, []string{"withdrawn 2026-03-14 Household found a private let"}) {
		t.Errorf("statuses sent %q", h.core.statuses)
	}
}

func TestAttachShowsProgress(t *testing.T) {
	h := newHarness(t, true)
	v := openDemoCase(t, h)
	test.Tap(button(t, v, "Attach a file…"))
	f := h.app.main.step.(*attachForm)
	assertTabOrder(t, h.app.Window().Canvas(), f.path, f.browse, f.submit, f.cancel)
	path := filepath.Join(t.TempDir(), "support-letter.txt")
	if err := os.WriteFile(path, []byte("letter"), 0o600); err != nil {
		t.Fatal(err)
	}
	test.Tap(f.submit)
	if f.errs.label("file").Text == "" {
		t.Error("no file chosen, no error")
	}
	test.Type(f.path, path)
	test.Tap(f.submit)
	if !slices.Equal(h.core.attached, []string{"support-letter.txt:letter"}) {
		t.Fatalf("attached %q: %q", h.core.attached, f.errs.label("form").Text)
	}
	if f.progress.Value != 1 {
		t.Errorf("progress %v, want 1", f.progress.Value)
	}
}

func TestRecallForm(t *testing.T) {
	h := newHarness(t, true)
	v := openDemoCase(t, h)
	test.Tap(button(t, v, "Take back something sent…"))
	f := h.app.main.step.(*recallForm)
	if len(f.pick.Options) != 2 {
		t.Fatalf("recallable %v", f.pick.Options)
	}
	assertTabOrder(t, h.app.Window().Canvas(), f.reason, f.submit, f.cancel)
	test.Tap(f.submit)
	if f.errs.label("envelopes").Text == "" {
		t.Error("nothing ticked, no error")
	}
	f.pick.SetSelected([]string{f.pick.Options[1]})
	test.Type(f.reason, "Sent to the wrong case")
	test.Tap(f.submit)
	confirmDialog(t, h)
	if len(h.core.recalls) != 1 || !slices.Equal(h.core.recalls[0], []crypto.EnvelopeID{{0xe2}}) {
		t.Errorf("recalled %v", h.core.recalls)
	}
}

func TestQueuedSendShowsInBar(t *testing.T) {
	h := newHarness(t, true)
	v := openDemoCase(t, h)
	h.core.sendErr = client.ErrNotSent
	test.Type(v.message, "Can we arrange a viewing?")
	test.Tap(v.send)
	if txt := h.app.main.conn.label.Text; !strings.HasPrefix(txt, "Offline") || !strings.Contains(txt, "1 sends queued") {
		t.Errorf("bar %q, want offline with 1 queued", txt)
	}
	// The relay is back: the next sync sends the outbox.
	h.core.sendErr = nil
	h.app.SyncNow()
	if txt := h.app.main.conn.label.Text; !strings.HasPrefix(txt, "Online") || strings.Contains(txt, "queued") {
		t.Errorf("bar after sync %q", txt)
	}
}

func TestTabLeavesMultiLineEntries(t *testing.T) {
	h := newHarness(t, true)
	if newMultiLineEntry(h.app).AcceptsTab() {
		t.Error("Tab would be typed into a multi-line entry instead of moving to the next field")
	}
}

// fillHousehold fills in the new-referral form's household section.
func fillHousehold(f *referralForm) {
	test.Type(f.names, "Amira Haddad\nYusuf Haddad")
	test.Type(f.births, "1991-03-14\n2019-07-02")
	test.Type(f.address, "14 Orchard Row, Chatham, ME4 6ZZ")
	test.Type(f.phone, "07700 900412")
	test.Type(f.safeToCall, "weekdays 10:00-14:00")
}

// TestReferralHouseholdSection checks that the new-referral form needs the
// household's details, hands them to the core with the referral (which
// keeps them on the device), runs the guard against them before sending,
// and asks in a dialog before sending a repeated reference.
func TestReferralHouseholdSection(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	h.app.runShortcut(shortcut(keyNewReferral))
	f := h.app.main.form
	test.Type(f.reference, "KMR-2026-0001")
	f.acceptable.SetSelected([]string{"Medway"})
	f.dash.SetSelected(choiceLabel("high"))
	f.urgency.SetSelected(choiceLabel("urgent"))
	f.tenancy.SetSelected(choiceLabel("refuge"))
	test.Tap(f.send)
	for _, k := range []string{"names", "current_address", "safe_contact.safe_to_call"} {
		if l := f.errs.label(k); l.Hidden || l.Text == "" {
			t.Errorf("no inline error on the household's %s", k)
		}
	}
	if len(h.core.referrals) != 0 {
		t.Fatal("a referral without the household's details was sent")
	}
	fillHousehold(f)
	// The guard knows the household from the form: its name in the notes
	// is refused before anything reaches the core.
	test.Type(f.notes, "The Haddads need a ground floor.")
	test.Tap(f.send)
	if l := f.errs.label("notes"); !strings.Contains(l.Text, "Haddads") {
		t.Fatalf("notes error %q", l.Text)
	}
	if len(h.core.referrals) != 0 {
		t.Fatal("a referral naming the household was sent")
	}
	f.notes.SetText("Needs a ground floor.")
	h.core.duplicates = true
	test.Tap(f.send)
	if f.duplicate == nil {
		t.Fatalf("no dialog for a repeated reference: %q", f.feedback.Text)
	}
	if len(h.core.referrals) != 0 {
		t.Fatal("a repeated reference was sent without asking")
	}
	f.duplicate.Confirm()
	if len(h.core.referrals) != 1 {
		t.Fatalf("not sent after confirming: %q", f.feedback.Text)
	}
	hd := h.core.households[0]
	if !slices.Equal(hd.Names, []string{"Amira Haddad", "Yusuf Haddad"}) || hd.CurrentAddress != "14 Orchard Row, Chatham, ME4 6ZZ" ||
		hd.SafeContact.Phone != "07700 900412" || !slices.Equal(hd.DatesOfBirth, []string{"1991-03-14", "2019-07-02"}) {
		t.Errorf("household details handed to the core: %+v", hd)
	}
}

// TestExpiredOfferNotDecidable: an offer the core reports as expired says
// so and is not offered for a decision.
func TestExpiredOfferNotDecidable(t *testing.T) {
	o := payload.ExampleOffer()
	c := &CaseView{Offers: []OfferView{{Offer: o, State: workflow.OfferExpired}}}
	if got := offerStateLabel(c.Offers[0]); !strings.Contains(got, "Expired on "+o.Expires) {
		t.Errorf("label %q", got)
	}
	if len(pendingOffers(c)) != 0 {
		t.Error("an expired offer is offered for a decision")
	}
}
