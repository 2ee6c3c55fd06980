package desktop

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/protocol/payload"
)

// mainScreen is the unlocked window: toolbar, connection bar, filters, the
// case list and a detail pane showing a case or a form.
type mainScreen struct {
	app       *App
	newRef    *widget.Button
	search    *entry
	syncBtn   *widget.Button
	lockBtn   *widget.Button
	conn      *connectionBar
	count     *widget.Label
	problem   *widget.Label
	filters   *filterPanel
	cases     *caseList
	detail    *fyne.Container
	orgBtn    *widget.Button
	setBtn    *widget.Button
	filterBtn *widget.Button
	who       *widget.Label
	hint      *widget.Label // the full text of the case-list cell under the pointer
	open      *caseView     // the case in the detail pane, or nil
	form      *referralForm
	step      step // the workflow form in the detail pane, or nil
	stepOpen  *stepOpener
	editing   *openForm // the form in the detail pane (referral or step), or nil
	org       *orgScreen
	settings  *settingsScreen
	body      *fyne.Container // the cases, or the organisation or settings screen
	left      fyne.CanvasObject
	casesPane *fyne.Container
	content   fyne.CanvasObject
}

// stepOpener says how to build a workflow form again from a newer state
// of its case (after a sync), and whether the case still allows it.
type stepOpener struct {
	name    string
	allowed func(c *CaseView) bool
	build   func(c *CaseView) step
}

func newMainScreen(a *App) *mainScreen {
	m := &mainScreen{app: a}
	m.newRef = widget.NewButtonWithIcon(tr("New referral"), theme.ContentAddIcon(), func() { a.touch(); m.newReferral() })
	m.newRef.Importance = widget.HighImportance
	m.search = newEntry(a)
	m.search.SetPlaceHolder(tr("Search cases (Ctrl+F)"))
	m.syncBtn = widget.NewButtonWithIcon(tr("Sync"), theme.ViewRefreshIcon(), func() { a.touch(); a.SyncNow() })
	m.lockBtn = widget.NewButtonWithIcon(tr("Lock"), theme.LoginIcon(), func() { a.Lock() })
	m.orgBtn = widget.NewButtonWithIcon(tr("Organisation"), theme.AccountIcon(), func() { a.touch(); m.toggleOrganisation() })
	m.setBtn = widget.NewButtonWithIcon(tr("Settings"), theme.SettingsIcon(), func() { a.touch(); m.toggleSettings() })
	m.who = widget.NewLabel("")
	m.setIdentity(a.identity)
	m.hint = widget.NewLabel("")
	m.hint.Truncation = fyne.TextTruncateEllipsis
	m.conn = newConnectionBar(a.opt.Location)
	m.count = widget.NewLabel("")
	m.problem = widget.NewLabel("")
	m.problem.Importance = widget.DangerImportance
	m.cases = newCaseList(a.opt.Location, func(id payload.ID) { a.touch(); m.leaveForm(func() { m.openCase(id) }) })
	m.cases.onHover = func(s string) { m.hint.SetText(s) }
	m.filters = newFilterPanel(a, m.cases)
	m.filterBtn = widget.NewButtonWithIcon(tr("Filters"), theme.SearchIcon(), func() { a.touch(); m.toggleFilters() })
	m.search.OnChanged = func(s string) { a.touch(); m.filters.setSearch(s) }
	m.cases.onChange = m.listChanged
	m.detail = container.NewStack()
	m.showWelcome()

	right := container.NewHBox(m.filterBtn, m.orgBtn, m.setBtn, m.syncBtn, m.lockBtn)
	// Objects are listed in tab order: the border layout only positions
	// them, so the toolbar comes before the filters and the list (a plain
	// container.NewBorder would put the centre first).
	toolbar := container.New(layout.NewBorderLayout(nil, nil, m.newRef, right), m.newRef, m.search, right)
	info := container.NewHBox(m.problem, m.count, m.who)
	status := container.New(layout.NewBorderLayout(nil, nil, m.conn.content, info), m.conn.content, m.hint, info)
	top := container.NewVBox(toolbar, status, widget.NewSeparator())
	split := container.NewHSplit(m.cases.content, m.detail)
	split.Offset = 0.6
	// The filters hide behind the Filters button, so that the list keeps
	// the width on a 1024-pixel screen.
	m.left = container.NewPadded(container.NewVScroll(m.filters.content))
	m.left.Hide()
	m.casesPane = container.New(layout.NewBorderLayout(nil, nil, m.left, nil), m.left, split)
	m.body = container.NewStack(m.casesPane)
	frame := container.New(layout.NewBorderLayout(top, nil, nil, nil), top, m.body)
	m.content = container.NewStack(newActivityLayer(a), frame)
	return m
}

// setIdentity shows who is signed in: device and organisation.
func (m *mainScreen) setIdentity(id Identity) {
	org := id.OrgName
	if org == "" {
		org = tr("organisation not yet known: sync to fetch the directory")
	}
	m.who.SetText(id.DeviceName + " · " + org)
}

// toggleFilters shows or hides the filter panel.
func (m *mainScreen) toggleFilters() {
	if m.left.Visible() {
		m.left.Hide()
	} else {
		m.left.Show()
	}
	m.casesPane.Refresh()
}

// toggleOrganisation switches between the cases and the organisation
// screen (asking first about a form with unsaved edits).
func (m *mainScreen) toggleOrganisation() {
	if m.org != nil {
		m.showCases()
		return
	}
	m.leaveForm(func() {
		closeOverlays(m.app.win)
		m.settings = nil
		m.setBtn.SetText(tr("Settings"))
		m.org = newOrgScreen(m.app, m)
		m.orgBtn.SetText(tr("Cases"))
		m.body.Objects = []fyne.CanvasObject{m.org.content}
		m.body.Refresh()
		m.org.load()
		m.app.win.Canvas().Focus(m.org.first)
	})
}

// toggleSettings switches between the cases and the settings screen.
func (m *mainScreen) toggleSettings() {
	if m.settings != nil {
		m.showCases()
		return
	}
	m.leaveForm(func() {
		closeOverlays(m.app.win)
		m.org = nil
		m.orgBtn.SetText(tr("Organisation"))
		m.settings = newSettingsScreen(m.app, m)
		m.setBtn.SetText(tr("Cases"))
		m.body.Objects = []fyne.CanvasObject{m.settings.content}
		m.body.Refresh()
		m.app.win.Canvas().Focus(m.settings.first)
	})
}

// showCases shows the case list and detail pane again.
func (m *mainScreen) showCases() {
	if m.org == nil && m.settings == nil {
		return
	}
	m.org, m.settings = nil, nil
	m.orgBtn.SetText(tr("Organisation"))
	m.setBtn.SetText(tr("Settings"))
	m.body.Objects = []fyne.CanvasObject{m.casesPane}
	m.body.Refresh()
}

// formScroll is the scroll of the form shown, or nil.
func (m *mainScreen) formScroll() *container.Scroll {
	switch {
	case m.form != nil:
		return m.form.errs.scroll
	case m.step != nil:
		return m.step.panel().errs.scroll
	case m.settings != nil:
		return m.settings.scroll
	}
	return nil
}

// leaveForm runs then once the form shown (if any) may be left: at once
// when it has no edits, else after asking whether to keep the edits as a
// draft or discard them. then nil means go back to the form's case (or
// the welcome pane).
func (m *mainScreen) leaveForm(then func()) {
	a := m.app
	f := m.editing
	if then == nil {
		if f == nil {
			return
		}
		id := f.caseID
		then = func() {
			if id == (payload.ID{}) {
				m.showWelcome()
			} else {
				m.openCase(id)
			}
		}
	}
	if f == nil || !f.dirty() {
		if f != nil {
			a.dropDraft(f)
		}
		m.editing = nil
		then()
		return
	}
	var ad *appDialog
	keep := newKeyButton(a, tr("Keep as a draft"), func() {
		a.touch()
		a.saveDraft(f)
		m.editing = nil
		ad.d.Hide()
		then()
	})
	keep.Importance = widget.HighImportance
	discard := newKeyButton(a, tr("Discard changes"), func() {
		a.touch()
		a.dropDraft(f)
		m.editing = nil
		ad.d.Hide()
		then()
	})
	discard.Importance = widget.DangerImportance
	back := newKeyButton(a, tr("Go back to the form"), func() { a.touch(); ad.d.Hide() })
	body := container.NewVBox(
		wrapped(tr("You have changed this form and not sent it. Keep your changes as a draft on this device (sealed, like your cases) to finish later, or discard them?")),
		container.NewHBox(keep, discard, back))
	ad = a.showDialog(tr("Leave this form?"), body, fyne.NewSize(560, 200), nil)
	ad.confirm = discard
	a.win.Canvas().Focus(back)
}

// openStep shows a workflow form of the case: it can be rebuilt from a
// newer state of the case after a sync, keeping what the user typed, and
// its draft is restored.
func (m *mainScreen) openStep(c *CaseView, name string, allowed func(c *CaseView) bool, build func(c *CaseView) step) {
	m.leaveForm(func() {
		m.stepOpen = &stepOpener{name: name, allowed: allowed, build: build}
		m.showStep(build(c))
		m.app.restoreDraft(m.editing)
	})
}

// showStep shows a workflow form in the detail pane and focuses its first
// field.
func (m *mainScreen) showStep(s step) {
	p := s.panel()
	m.open, m.form, m.step = nil, nil, s
	m.editing = &openForm{content: p.content, caseID: p.c.ID, base: captureForm(p.content), banner: p.banner}
	if m.stepOpen != nil {
		m.editing.name = m.stepOpen.name
	}
	m.editing.saved = m.editing.base
	m.setDetail(p.content)
	c := m.app.win.Canvas()
	if p.first != nil {
		c.Focus(p.first)
		return
	}
	if f := firstFocusable(p.content); f != nil {
		c.Focus(f)
		return
	}
	// A check group is focused item by item: the focusable after the case
	// list's headers in tab order is the form's first item.
	c.Focus(m.cases.table)
	for range len(m.cases.cols) + 1 {
		c.FocusNext()
	}
}

// firstFocusable is the first field of a form that takes the focus (a
// choice's first option), or nil.
func firstFocusable(o fyne.CanvasObject) fyne.Focusable {
	switch w := o.(type) {
	case *choice:
		if len(w.items) > 0 {
			return w.items[0]
		}
		return nil
	case *fyne.Container:
		if !w.Visible() {
			return nil
		}
		for _, k := range w.Objects {
			if f := firstFocusable(k); f != nil {
				return f
			}
		}
	case *container.Scroll:
		return firstFocusable(w.Content)
	case *entry, *focusCheck, *focusSelect, *keyButton:
		if w.Visible() {
			return w.(fyne.Focusable)
		}
	}
	return nil
}

// focusDefault puts the focus on the search, ready to find a case.
func (m *mainScreen) focusDefault() { m.app.win.Canvas().Focus(m.search) }

// focusSearch focuses and selects the search (Ctrl+F).
func (m *mainScreen) focusSearch() {
	m.app.win.Canvas().Focus(m.search)
	m.search.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// listChanged updates the count and filter options after the rows change.
func (m *mainScreen) listChanged() {
	m.count.SetText(trf("{{.Shown}} of {{.All}} cases", map[string]any{"Shown": len(m.cases.shown), "All": len(m.cases.all)}))
}

// showProblem shows a problem in the status row.
func (m *mainScreen) showProblem(msg string) { m.problem.SetText(msg) }

// showWelcome shows the empty detail pane.
func (m *mainScreen) showWelcome() {
	m.open, m.form, m.step, m.editing = nil, nil, nil, nil
	l := widget.NewLabel(tr("Choose a case from the list, or press Ctrl+N to write a new referral."))
	l.Wrapping = fyne.TextWrapWord
	m.detail.Objects = []fyne.CanvasObject{container.NewPadded(l)}
	m.detail.Refresh()
}

// closeOverlays hides any dialog (the release confirmation) left open
// when the user moves elsewhere, unsent.
func closeOverlays(w fyne.Window) {
	ov := w.Canvas().Overlays()
	for top := ov.Top(); top != nil; top = ov.Top() {
		ov.Remove(top)
	}
}

// setDetail shows o in the detail pane.
func (m *mainScreen) setDetail(o fyne.CanvasObject) {
	closeOverlays(m.app.win)
	m.app.dialog = nil
	m.detail.Objects = []fyne.CanvasObject{o}
	m.detail.Refresh()
}

// newReferral opens the new-referral form (Ctrl+N), with its draft.
func (m *mainScreen) newReferral() {
	a := m.app
	if m.form != nil && m.org == nil && m.settings == nil {
		m.form.focusFirst()
		return
	}
	m.showCases()
	m.leaveForm(func() {
		m.open, m.step = nil, nil
		m.cases.table.UnselectAll() // so that a click on the case opens it again
		m.form = newReferralForm(a, m, a.core.Organisations())
		m.editing = &openForm{name: "referral", content: m.form.content, base: captureForm(m.form.content), banner: m.form.banner}
		m.editing.saved = m.editing.base
		m.setDetail(m.form.content)
		m.form.focusFirst()
		a.restoreDraft(m.editing)
	})
}

// openCase loads a case into the detail pane.
func (m *mainScreen) openCase(id payload.ID) {
	a, core := m.app, m.app.core
	a.bg(func(ctx context.Context) {
		k, err := core.Case(ctx, id)
		fyne.Do(func() {
			if a.core != core || a.main != m {
				return
			}
			if err != nil {
				if errors.Is(err, client.ErrNotInCase) {
					m.showProblem(tr("That case is no longer on this device."))
				} else {
					m.showProblem(tr("The case could not be read."))
				}
				return
			}
			m.problem.SetText("")
			m.form, m.step, m.editing = nil, nil, nil
			m.open = newCaseView(a, m, k)
			m.setDetail(m.open.content)
			if k.allows(workflow.EventRead) {
				a.markRead(core, id)
			}
		})
	})
}

// refreshOpenCase reloads what the detail pane shows after a sync: the
// case view keeps its scroll position; a workflow form is rebuilt from the
// case's new state with what the user typed carried over, or, when the
// case no longer allows it, the case is shown with a note and the typing
// kept as a draft. A form with a confirmation dialog open is left alone.
func (m *mainScreen) refreshOpenCase() {
	a, core := m.app, m.app.core
	switch {
	case m.open != nil:
		v := m.open
		a.bg(func(ctx context.Context) {
			k, err := core.Case(ctx, v.c.ID)
			fyne.Do(func() {
				if a.core != core || a.main != m || m.open != v || err != nil {
					return
				}
				nv := newCaseView(a, m, k)
				nv.scroll.Offset = v.scroll.Offset
				if v.message != nil && nv.message != nil {
					nv.message.setText(v.message.Text)
				}
				m.open = nv
				m.detail.Objects = []fyne.CanvasObject{nv.content}
				m.detail.Refresh()
				nv.scroll.ScrollToOffset(v.scroll.Offset)
			})
		})
	case m.step != nil && m.stepOpen != nil && a.dialog == nil:
		s, op, f := m.step, m.stepOpen, m.editing
		a.bg(func(ctx context.Context) {
			k, err := core.Case(ctx, s.panel().c.ID)
			fyne.Do(func() {
				if a.core != core || a.main != m || m.step != s || err != nil {
					return
				}
				typed := captureForm(s.panel().content)
				if !op.allowed(k) {
					if f != nil && f.dirty() {
						a.saveDraft(f)
					}
					m.editing = nil
					m.openCase(k.ID)
					m.showProblem(trf("The case moved on while the form was open (now: {{.Stage}}); the form was closed. What you typed is kept as a draft.",
						map[string]any{"Stage": statusLabel(string(k.Stage))}))
					return
				}
				ns := op.build(k)
				restoreForm(ns.panel().content, typed)
				p := ns.panel()
				m.step = ns
				m.editing = &openForm{name: op.name, caseID: k.ID, content: p.content, banner: p.banner}
				if f != nil {
					m.editing.base, m.editing.saved = f.base, f.saved
				}
				off := s.panel().errs.scroll.Offset
				m.detail.Objects = []fyne.CanvasObject{p.content}
				m.detail.Refresh()
				p.errs.scroll.ScrollToOffset(off)
			})
		})
	}
}

// caseSent is called after a send: it forgets the form's draft, reloads
// the list, shows the case, and shows the send as queued when it did not
// reach the relay.
func (m *mainScreen) caseSent(id payload.ID, queued bool) {
	m.app.dropDraft(m.editing)
	m.editing = nil
	if queued {
		st := m.conn.status
		st.state = connOffline
		m.conn.set(st)
	}
	m.app.refreshQueued(m.app.core)
	m.app.reloadCases(m.app.core)
	m.openCase(id)
}

// setRows replaces the cases in the list and the filters' options.
func (m *mainScreen) setRows(rows []CaseRow) {
	m.cases.setRows(rows)
	m.filters.refreshOptions()
}

// submitForm presses the primary button of the form shown (Ctrl+Enter).
func (m *mainScreen) submitForm() {
	var b *widget.Button
	switch {
	case m.app.dialog != nil:
		return
	case m.form != nil:
		b = &m.form.send.Button
	case m.step != nil:
		b = &m.step.panel().submit.Button
	default:
		return
	}
	if !b.Disabled() && b.OnTapped != nil {
		b.OnTapped()
	}
}
