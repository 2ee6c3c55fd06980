package desktop

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// The tests of this file drive the app as a person would, one for each
// problem of issue 11 (each failed on the app before it).

// landlordCase makes case 1 the accepting landlord's view after the
// household's details were released to it.
func landlordCase(h *harness) {
	setCase(h, func(c *CaseView) {
		c.Role, c.Stage, c.WaitingOn = workflow.RoleAcceptedLandlord, workflow.StageDetailsReleased, workflow.ActionConfirmSignUp
		c.Allowed = []workflow.EventKind{workflow.EventSignedUp, workflow.EventMessage, workflow.EventRead}
		c.Offers = c.Offers[:1]
		c.Offers[0].State = workflow.OfferAccepted
		c.Nominator = client.OrgRef{ID: orgID(1), Name: "Harbour Refuge"}
		c.Details = &payload.HouseholdDetails{Schema: payload.SchemaVersion, Case: payload.ID{1},
			Names: []string{"Lina Haddad", "Sami Haddad"}, DatesOfBirth: []string{"1991-03-14", "2018-07-02"},
			CurrentAddress: "Flat 3, 22 Marine Parade, Gillingham ME7 1AA",
			SafeContact:    payload.SafeContact{SafeToCall: "weekdays 10:00-14:00", SafeToLeaveMessage: false},
			RiskNotes:      "Perpetrator knows the old area.", SupportWorker: "Jo Baxter, Harbour Refuge",
			SharingBasis: payload.SharingBasis{Basis: payload.BasisConsent, RecordedBy: "Priya Shah", RecordedAt: testNow.Unix()}}
	})
}

// Problem 1: released household details are shown in the case view, to
// the accepting landlord: safe contact first, a row per person, who else
// can read them.
func TestHouseholdDetailsShownToLandlord(t *testing.T) {
	h := newHarness(t, true)
	landlordCase(h)
	openDemoCase(t, h)
	markup := test.RenderToMarkup(h.app.Window().Canvas())
	for _, want := range []string{"Household details", "Safe to call: weekdays 10:00-14:00", "Do NOT leave a message",
		"Lina Haddad", "born 14 Mar 1991", "Sami Haddad", "born 2 Jul 2018", "Flat 3, 22 Marine Parade",
		"Who else can read this", "Readable by your organisation"} {
		if !strings.Contains(markup, want) {
			t.Errorf("case view lacks %q", want)
		}
	}
	// Safe contact comes before everything else about the household.
	if i, j := strings.Index(markup, "Do NOT leave a message"), strings.Index(markup, "Lina Haddad"); i < 0 || j < i {
		t.Error("safe-contact instructions do not come first")
	}
	// The nominator reviewing what it sent sees who was shown as readers.
	h2 := newHarness(t, true)
	setCase(h2, func(c *CaseView) {
		c.Stage = workflow.StageDetailsReleased
		c.Details = &payload.HouseholdDetails{Names: []string{"Lina Haddad"}, SafeContact: payload.SafeContact{SafeToLeaveMessage: true}}
		c.DetailsReaders = demoReaders()
	})
	openDemoCase(t, h2)
	markup = test.RenderToMarkup(h2.app.Window().Canvas())
	for _, want := range []string{"Lina Haddad", "Safe to leave a message", "Liaison desk at Medway Homes", "Office desktop at Harbour Refuge"} {
		if !strings.Contains(markup, want) {
			t.Errorf("nominator's view lacks %q", want)
		}
	}
}

// Problem 2: accepting an offer (and every other irreversible step) asks
// first, naming the consequence; Escape cancels; nothing is pre-selected.
func TestIrreversibleStepsAskFirst(t *testing.T) {
	h := newHarness(t, true)
	v := openDemoCase(t, h)
	test.Tap(button(t, v, "Decide on an offer…"))
	f := h.app.main.step.(*decisionForm)
	if f.decision.Selected != "" || f.offer.Selected != "" {
		t.Fatal("a decision or offer is chosen in advance")
	}
	f.offer.SetSelected(f.offer.Options[0])
	f.decision.SetSelected("Accept this offer")
	test.Tap(f.submit)
	if h.app.dialog == nil || len(h.core.decisions) != 0 {
		t.Fatal("accepting sent without asking")
	}
	markup := test.RenderToMarkup(h.app.Window().Canvas())
	if !strings.Contains(markup, "Accept the offer from Medway Homes?") || !strings.Contains(markup, "told it is filled") {
		t.Error("the confirmation does not name the landlord and the consequence")
	}
	// Escape (the focus is on "Go back") cancels.
	h.app.Window().Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.app.dialog != nil || len(h.core.decisions) != 0 {
		t.Fatal("Escape did not cancel the acceptance")
	}
	test.Tap(f.submit)
	confirmDialog(t, h)
	if len(h.core.decisions) != 1 || !strings.Contains(h.core.decisions[0], "true") {
		t.Fatalf("decisions %v", h.core.decisions)
	}
	// Update status with a single outcome allowed: still not pre-selected.
	h.app.main.openCase(payload.ID{1})
	test.Tap(button(t, h.app.main.open, "Update status…"))
	if s := h.app.main.step.(*statusForm); s.status.Selected != "" {
		t.Errorf("status %q chosen in advance", s.status.Selected)
	}
}

// Problem 3: a form open during a sync is rebuilt from the case's new
// state, with what the user typed kept; a released case offers a
// correction, not the release again.
func TestFormsRebuiltAfterSync(t *testing.T) {
	h := newHarness(t, true)
	v := openDemoCase(t, h)
	test.Tap(button(t, v, "Update status…"))
	f := h.app.main.step.(*statusForm)
	test.Type(f.note, "Keys handed over")
	// Meanwhile the household moved in: the case now allows closing.
	setCase(h, func(c *CaseView) {
		c.Stage, c.WaitingOn = workflow.StageMoved, workflow.ActionClose
		c.Allowed = []workflow.EventKind{workflow.EventClosed, workflow.EventMessage, workflow.EventRead}
	})
	h.core.syncNew = 1
	h.app.SyncNow()
	nf, ok := h.app.main.step.(*statusForm)
	if !ok || nf == f {
		t.Fatalf("the status form was not rebuilt after the sync (%T)", h.app.main.step)
	}
	if !slices.Equal(nf.status.Options, []string{"Close the case"}) {
		t.Errorf("rebuilt form offers %v, want only close", nf.status.Options)
	}
	if nf.note.Text != "Keys handed over" {
		t.Errorf("typing lost in the rebuild: %q", nf.note.Text)
	}
	// After the release, the button offers a correction.
	setCase(h, func(c *CaseView) {
		c.Stage, c.WaitingOn = workflow.StageDetailsReleased, workflow.ActionNone
		c.Allowed = []workflow.EventKind{workflow.EventDetailsReleased, workflow.EventWithdrawn, workflow.EventMessage}
	})
	h.app.main.editing = nil
	h.app.main.openCase(payload.ID{1})
	labels := actionLabels(h.app.main.open)
	if slices.Contains(labels, "Release household details…") || !slices.Contains(labels, "Send corrected household details…") {
		t.Errorf("after the release the actions are %v", labels)
	}
	// A form whose step the case no longer allows closes, keeping a draft.
	test.Tap(button(t, h.app.main.open, "Update status…"))
	test.Type(h.app.main.step.(*statusForm).note, "Changed our mind")
	setCase(h, func(c *CaseView) {
		c.Stage, c.Allowed = workflow.StageClosed, []workflow.EventKind{workflow.EventRead}
	})
	h.app.SyncNow()
	if h.app.main.step != nil || h.app.main.open == nil || !strings.Contains(h.app.main.problem.Text, "moved on") {
		t.Errorf("form not closed after the case moved on: %q", h.app.main.problem.Text)
	}
	if len(h.core.drafts) != 1 {
		t.Errorf("drafts %d, want the typing kept", len(h.core.drafts))
	}
}

// fillSome types part of a referral.
func fillSome(f *referralForm) {
	test.Type(f.reference, "KMR-2026-0042")
	f.acceptable.SetSelected([]string{"Medway"})
	test.Type(f.notes, "Ground floor preferred.")
}

// Problem 4: a half-written referral is not lost: leaving asks, a draft is
// sealed in the case store and restored; auto-lock keeps it too.
func TestUnsavedReferralKeptAsDraft(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	m := h.app.main
	m.newReferral()
	fillSome(m.form)
	// Clicking another case asks first.
	m.cases.table.Select(widget.TableCellID{Row: 1, Col: 0}) // KMR-2026-0001
	if h.app.dialog == nil || m.open != nil {
		t.Fatal("opening another case dropped the form without asking")
	}
	var keep *keyButton
	for _, o := range test.LaidOutObjects(h.app.Window().Canvas().Overlays().Top()) {
		if b, ok := o.(*keyButton); ok && b.Text == "Keep as a draft" {
			keep = b
		}
	}
	if keep == nil {
		t.Fatal("no Keep as a draft button")
	}
	test.Tap(keep)
	if m.open == nil || len(h.core.drafts) != 1 {
		t.Fatalf("after keeping: case open %v, drafts %d", m.open != nil, len(h.core.drafts))
	}
	// Ctrl+N brings the draft back, and says so.
	h.app.Window().Canvas().(fyne.Shortcutable).TypedShortcut(shortcut(keyNewReferral))
	f := m.form
	if f.reference.Text != "KMR-2026-0042" || f.notes.Text != "Ground floor preferred." || !slices.Equal(f.acceptable.selected(), []string{"Medway"}) {
		t.Fatalf("draft not restored: %q %q %v", f.reference.Text, f.notes.Text, f.acceptable.selected())
	}
	if !f.banner.Visible() || !strings.HasPrefix(h.app.main.editing.notice, "Draft restored") {
		t.Error("the restored draft is not announced")
	}
	assertMarkup(t, "draft_restored.xml", h.app.Window().Canvas())
	// Auto-lock seals the edits; unlocking and Ctrl+N restores them.
	f.pets.SetText("a cat")
	h.now = h.now.Add(6 * time.Minute)
	h.app.tick(h.now)
	if h.app.main != nil {
		t.Fatal("not locked")
	}
	h.unlock()
	h.app.main.newReferral()
	if got := h.app.main.form.pets.Text; got != "a cat" {
		t.Errorf("typing before the auto-lock lost: pets %q", got)
	}
	// Sending forgets the draft.
	h.app.main.editing.dirty()
	h.app.dropDraft(h.app.main.editing)
	if len(h.core.drafts) != 0 {
		t.Errorf("drafts after discarding: %d", len(h.core.drafts))
	}
}

// Problem 5: the wheel scrolls the form over any field, focus scrolls
// into view, errors scroll to the first and clear once fixed, and the
// guard speaks when the user leaves a field.
func TestLongFormsScrollAndFocus(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	m := h.app.main
	m.newReferral()
	f := m.form
	sc := f.errs.scroll
	c := h.app.Window().Canvas()
	d := fyne.CurrentApp().Driver()
	// The wheel over the notes entry scrolls the form.
	pos := d.AbsolutePositionForObject(f.adults).Add(fyne.NewPos(10, 10))
	test.Scroll(c, pos, 0, -200)
	if sc.Offset.Y == 0 {
		t.Fatal("the mouse wheel over an entry did not scroll the form")
	}
	// Focusing a field below the fold scrolls it into view.
	sc.ScrollToOffset(fyne.NewPos(0, 0))
	c.Focus(f.notes)
	top := d.AbsolutePositionForObject(f.notes).Y - d.AbsolutePositionForObject(sc).Y
	if sc.Offset.Y == 0 || top < 0 || top+f.notes.Size().Height > sc.Size().Height {
		t.Errorf("focused notes not in view: offset %v, top %v", sc.Offset.Y, top)
	}
	// The district pickers are compact: thirteen districts in seven rows.
	if hgt := f.acceptable.content.MinSize().Height; hgt > 300 {
		t.Errorf("district picker %v high", hgt)
	}
	// The guard checks a field when the user leaves it.
	test.Type(f.notes, " Call her on 07700 900123.")
	c.Focus(f.support)
	if l := f.errs.label("notes"); !strings.Contains(l.Text, "phone number") {
		t.Errorf("guard silent on leaving the notes: %q", l.Text)
	}
	// Fixing the field clears its error when the user leaves it.
	f.notes.SetText("Ground floor preferred.")
	c.Focus(f.notes)
	c.Focus(f.support)
	if l := f.errs.label("notes"); l.Text != "" {
		t.Errorf("fixed field keeps its error %q", l.Text)
	}
	// Send with problems scrolls to the first one (the reference, at the top).
	sc.ScrollToOffset(fyne.NewPos(0, sc.Content.MinSize().Height))
	test.Tap(f.send)
	first := f.errs.label("reference")
	top = d.AbsolutePositionForObject(first).Y - d.AbsolutePositionForObject(sc).Y
	if top < 0 || top > sc.Size().Height {
		t.Errorf("first error not in view after Send: top %v", top)
	}
}

// Problem 6: the case list fits 1024×768, sorts by any column, has urgency
// and needed-by columns, says what to do when empty, and searches the
// needs profile and messages.
func TestCaseListAdaptsAndSorts(t *testing.T) {
	h := newHarness(t, true)
	rows := demoRows()
	rows[0].Urgency, rows[0].NeededBy = payload.UrgencyWithin8Weeks, "2026-05-01"
	rows[1].Urgency, rows[1].NeededBy = payload.UrgencyUrgent, "2026-04-01"
	rows[2].SearchText = "wheelchair user; needs level-access shower"
	h.core.rows = rows
	h.app.Window().Resize(fyne.NewSize(1024, 768))
	h.unlock()
	m := h.app.main
	l := m.cases
	if !m.search.Visible() {
		t.Fatal("no search box at 1024")
	}
	for _, col := range []int{colStatus, colReference, colWaiting, colNeededBy} {
		if !slices.Contains(l.cols, col) {
			t.Errorf("at 1024 the %s column is hidden (shown %v)", columnTitle(col), l.cols)
		}
	}
	h.app.Window().Resize(fyne.NewSize(1366, 768))
	if len(l.cols) < 5 || !slices.Contains(l.cols, colUrgency) {
		t.Errorf("at 1366 only columns %v", l.cols)
	}
	// What the columns leave goes to "Waiting on", so that a long list of
	// organisations is cut no more than it must be.
	var shown float32
	for _, c := range l.cols {
		shown += columnWidths[c]
	}
	if l.waitingExtra <= 0 || shown+l.waitingExtra > l.content.Size().Width {
		t.Errorf("at 1366 the list is %v wide, its columns %v, and Waiting on gets %v more", l.content.Size().Width, shown, l.waitingExtra)
	}
	// Sorting by needed-by: earliest first, then reversed.
	l.sortBy(colNeededBy)
	if l.shown[0].Reference != "KMR-2026-0002" || l.shown[2].NeededBy != "" {
		t.Errorf("sorted by needed by: %v", refsOf(l.shown))
	}
	l.sortBy(colNeededBy)
	if l.shown[0].Reference != "KMR-2026-0001" {
		t.Errorf("reverse needed by: %v", refsOf(l.shown))
	}
	l.sortBy(colReference)
	if !slices.Equal(refsOf(l.shown), []string{"KMR-2025-0107", "KMR-2026-0001", "KMR-2026-0002"}) {
		t.Errorf("by reference: %v", refsOf(l.shown))
	}
	assertMarkup(t, "cases_sorted.xml", h.app.Window().Canvas())
	// Free-text search in the decrypted needs profile.
	test.Type(m.search, "level-access")
	if !slices.Equal(refsOf(l.shown), []string{"KMR-2025-0107"}) {
		t.Errorf("search in needs profile: %v", refsOf(l.shown))
	}
	// An empty result says what to do.
	test.Type(m.search, " nothing-like-this")
	if !l.empty.Visible() || !strings.Contains(l.empty.Text, "Clear the search") {
		t.Errorf("empty state %q", l.empty.Text)
	}
	// Hovering a clipped cell shows its full text in the status line.
	m.search.SetText("")
	hovered := l.table.CreateCell().(*cell)
	l.table.UpdateCell(widget.TableCellID{Row: 0, Col: len(l.cols) - 1}, hovered)
	hovered.MouseIn(nil)
	if m.hint.Text != hovered.Text {
		t.Errorf("hint %q, want %q", m.hint.Text, hovered.Text)
	}
	// Locking drops the index.
	h.app.Lock()
	if len(l.index) > 0 && h.app.main != nil {
		t.Error("index kept after lock")
	}
}

func refsOf(rows []CaseRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Reference)
	}
	return out
}

// Problem 7: a candidate landlord can answer "no suitable home".
func TestLandlordNoSuitableHome(t *testing.T) {
	h := newHarness(t, true)
	setCase(h, func(c *CaseView) {
		c.Role, c.Stage, c.WaitingOn = workflow.RoleCandidate, workflow.StageCirculated, workflow.ActionConsiderOffer
		c.Allowed = []workflow.EventKind{workflow.EventOfferMade, workflow.EventNoSuitableHome, workflow.EventMessage, workflow.EventRead}
		c.Offers = nil
	})
	v := openDemoCase(t, h)
	test.Tap(button(t, v, "No suitable home…"))
	if h.app.dialog == nil || len(h.core.declined) != 0 {
		t.Fatal("answered without asking")
	}
	if md := test.RenderToMarkup(h.app.Window().Canvas()); !strings.Contains(md, "told only that you declined") {
		t.Error("the confirmation does not say what the nominator learns")
	}
	confirmDialog(t, h)
	if !slices.Equal(h.core.declined, []payload.ID{{1}}) {
		t.Errorf("declined %v", h.core.declined)
	}
	if got := eventLabel(workflow.EventNoSuitableHome); got != "Declined" {
		t.Errorf("the nominator's timeline says %q", got)
	}
}

// Problem 8: plain English: problems in words, choices as words, no hex
// ids, one date format with a picker.
func TestPlainWording(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	m := h.app.main
	m.newReferral()
	f := m.form
	test.Tap(f.send)
	if got := f.errs.label("urgency").Text; got != "Choose one of the options." {
		t.Errorf("urgency problem %q", got)
	}
	if !slices.Contains(f.urgency.Options, "Within 4 weeks") || slices.Contains(f.urgency.Options, "within 4 weeks") {
		t.Errorf("urgency choices %v", f.urgency.Options)
	}
	if !slices.Contains(f.tenancy.Options, "Assured housing association tenancy") {
		t.Errorf("tenancy choices %v", f.tenancy.Options)
	}
	test.Type(f.needed.entry, "6 Dec 2026")
	if d, ok := f.needed.iso(); !ok || d != "2026-12-06" {
		t.Errorf("needed by %q %v", d, ok)
	}
	if dateLabel("2026-12-06") != "6 Dec 2026" {
		t.Error("dates are not shown as 6 Dec 2026")
	}
	// The recall form names packets in words, without hex ids.
	m.editing = nil
	m.openCase(payload.ID{1})
	test.Tap(button(t, m.open, "Take back something sent…"))
	r := m.step.(*recallForm)
	for _, o := range r.pick.Options {
		if strings.Contains(o, "e1000000") || strings.Contains(o, "(") {
			t.Errorf("recall option %q shows an id", o)
		}
	}
	if _, ok := parseDate("06/12/2026"); !ok {
		t.Error("day-first dates are not read")
	}
}

// Problem 9: Enter opens the selected case, Escape cancels a form, focus
// shows on the primary button, and text contrast passes WCAG AA.
func TestKeyboardOpensAndCancels(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	m := h.app.main
	c := h.app.Window().Canvas()
	c.Focus(m.cases.table)
	m.cases.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	m.cases.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if m.open == nil {
		t.Fatal("Enter on a row did not open the case")
	}
	test.Tap(button(t, m.open, "Update status…"))
	if m.step == nil {
		t.Fatal("no form")
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if m.step != nil || m.open == nil {
		t.Error("Escape did not cancel the form back to its case")
	}
	// The focus colour stands out from the primary button's colour.
	th := newAppTheme(h.app.prefs)
	for _, v := range []fyne.ThemeVariant{0, 1} {
		p, f := th.Color("primary", v), th.Color("focus", v)
		if contrast(blend(f, p), p) < 1.5 {
			t.Errorf("variant %d: focus on a primary button is invisible (%.2f:1)", v, contrast(blend(f, p), p))
		}
	}
}

// Problem 10: the organisation's name after the first sync, role-aware
// screens, verified marks in the reader confirmation, the case pane's
// scroll kept on auto-sync, new activity marked, the idle timeout in
// Settings, the window size remembered.
func TestFirstUnlockRolesAndSettings(t *testing.T) {
	h := newHarness(t, true)
	h.core.unknownOrg = true
	h.core.caseworker = true
	h.unlock()
	m := h.app.main
	if !strings.Contains(m.who.Text, "Harbour Refuge") {
		t.Errorf("header after the first sync %q", m.who.Text)
	}
	// A caseworker sees no device approval.
	m.toggleOrganisation()
	if md := test.RenderToMarkup(h.app.Window().Canvas()); strings.Contains(md, "Approve a new device") || strings.Contains(md, "Revoke…") {
		t.Error("a caseworker is shown admin actions")
	}
	if !strings.Contains(test.RenderToMarkup(h.app.Window().Canvas()), "Devices of Harbour Refuge") {
		t.Error("organisation screen lacks the organisation's name")
	}
	m.toggleOrganisation()
	// Settings: the idle timeout.
	m.toggleSettings()
	s := m.settings
	s.idle.SetSelected("15 minutes")
	if h.app.idle.timeout != 15*time.Minute || h.app.prefs.idleTimeout() != 15*time.Minute {
		t.Errorf("idle timeout %v", h.app.idle.timeout)
	}
	m.toggleSettings()
	// The case pane keeps its scroll across an auto-sync.
	m.openCase(payload.ID{1})
	v := m.open
	v.scroll.ScrollToOffset(fyne.NewPos(0, 300))
	h.core.syncNew = 1
	rows := demoRows()
	rows[1].LastActivity = testNow // new message on KMR-2026-0002
	h.core.rows = rows
	h.app.SyncNow()
	if m.open == v || m.open.scroll.Offset.Y != 300 {
		t.Errorf("case pane scroll after sync %v", m.open.scroll.Offset.Y)
	}
	// The case with new activity is marked.
	if !m.cases.unread[payload.ID{2}] || m.cases.unread[payload.ID{1}] {
		t.Errorf("unread marks %v", m.cases.unread)
	}
	// The reader confirmation says whether each organisation was verified.
	h.core.verified = map[crypto.OrgID]bool{orgID(2): true}
	f := &releaseForm{stepPanel: newStepPanel(h.app, m, demoCase(), "x", func() {})}
	f.showReaders(&payload.HouseholdDetails{}, append(demoReaders(), Reader{Org: orgID(3), OrgName: "North Kent Housing", DeviceName: "Desk"}),
		"d", h.core.verified)
	md := test.RenderToMarkup(h.app.Window().Canvas())
	if !strings.Contains(md, "Medway Homes's fingerprint was checked in person") ||
		!strings.Contains(md, "North Kent Housing's fingerprint has NOT been checked in person") {
		t.Error("the reader confirmation does not say what was verified")
	}
	f.closeConfirm()
	// The window size is remembered.
	h.app.Window().Resize(fyne.NewSize(1300, 740))
	h.app.tick(h.now)
	if got := h.app.prefs.windowSize(fyne.Size{}); got != fyne.NewSize(1300, 740) {
		t.Errorf("remembered size %v", got)
	}
	// A first run sizes the window from the screen.
	first := h.app.prefs
	first.p.RemoveValue(prefWindowWidth)
	first.p.RemoveValue(prefWindowHeight)
	if got := first.windowSize(fyne.NewSize(1366, 768)); got.Width > 1366 || got.Height > 768 || got.Width < 1200 {
		t.Errorf("first window on a 1366×768 screen: %v", got)
	}
}
