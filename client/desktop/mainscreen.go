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
	"github.com/saferef/saferef/crypto"
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
	open      *caseView // the case in the detail pane, or nil
	form      *referralForm
	step      step // the workflow form in the detail pane, or nil
	org       *orgScreen
	body      *fyne.Container // the cases, or the organisation screen
	casesPane fyne.CanvasObject
	content   fyne.CanvasObject
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
	who := widget.NewLabel(a.identity.DeviceName + " · " + a.identity.OrgName)
	m.conn = newConnectionBar(a.opt.Location)
	m.count = widget.NewLabel("")
	m.problem = widget.NewLabel("")
	m.problem.Importance = widget.DangerImportance
	m.cases = newCaseList(a.opt.Location, func(id crypto.CaseID) { a.touch(); m.openCase(id) })
	m.filters = newFilterPanel(a, m.cases)
	m.search.OnChanged = func(s string) { a.touch(); m.filters.setSearch(s) }
	m.cases.onChange = m.listChanged
	m.detail = container.NewStack()
	m.showWelcome()

	right := container.NewHBox(m.orgBtn, m.syncBtn, m.lockBtn, who)
	// Objects are listed in tab order: the border layout only positions
	// them, so the toolbar comes before the filters and the list (a plain
	// container.NewBorder would put the centre first).
	toolbar := container.New(layout.NewBorderLayout(nil, nil, m.newRef, right), m.newRef, m.search, right)
	status := container.NewHBox(m.conn.content, layout.NewSpacer(), m.problem, m.count)
	top := container.NewVBox(toolbar, status, widget.NewSeparator())
	split := container.NewHSplit(m.cases.table, m.detail)
	split.Offset = 0.55
	left := container.NewPadded(container.NewVScroll(m.filters.content))
	m.casesPane = container.New(layout.NewBorderLayout(nil, nil, left, nil), left, split)
	m.body = container.NewStack(m.casesPane)
	frame := container.New(layout.NewBorderLayout(top, nil, nil, nil), top, m.body)
	m.content = container.NewStack(newActivityLayer(a), frame)
	return m
}

// toggleOrganisation switches between the cases and the organisation
// screen.
func (m *mainScreen) toggleOrganisation() {
	closeOverlays(m.app.win)
	if m.org != nil {
		m.showCases()
		return
	}
	m.org = newOrgScreen(m.app, m)
	m.orgBtn.SetText(tr("Cases"))
	m.body.Objects = []fyne.CanvasObject{m.org.content}
	m.body.Refresh()
	m.org.load()
	m.app.win.Canvas().Focus(m.org.first)
}

// showCases shows the case list and detail pane again.
func (m *mainScreen) showCases() {
	if m.org == nil {
		return
	}
	m.org = nil
	m.orgBtn.SetText(tr("Organisation"))
	m.body.Objects = []fyne.CanvasObject{m.casesPane}
	m.body.Refresh()
}

// showStep shows a workflow form in the detail pane and focuses its first
// field.
func (m *mainScreen) showStep(s step) {
	p := s.panel()
	m.open, m.form, m.step = nil, nil, s
	m.setDetail(p.content)
	c := m.app.win.Canvas()
	if p.first != nil {
		c.Focus(p.first)
		return
	}
	// A group (radio or check) is focused item by item: the focusable
	// after the case list in tab order is the form's first item.
	c.Focus(m.cases.table)
	c.FocusNext()
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
	m.open, m.form, m.step = nil, nil, nil
	l := widget.NewLabel(tr("Choose a case from the list, or press Ctrl+N to write a new referral."))
	l.Wrapping = fyne.TextWrapWord
	m.detail.Objects = []fyne.CanvasObject{container.NewPadded(l)}
	m.detail.Refresh()
}

// closeOverlays hides any dialog (the release confirmation) left open
// when the user moves elsewhere.
func closeOverlays(w fyne.Window) {
	ov := w.Canvas().Overlays()
	for top := ov.Top(); top != nil; top = ov.Top() {
		ov.Remove(top)
	}
}

// setDetail shows o in the detail pane.
func (m *mainScreen) setDetail(o fyne.CanvasObject) {
	closeOverlays(m.app.win)
	m.detail.Objects = []fyne.CanvasObject{o}
	m.detail.Refresh()
}

// newReferral opens the new-referral form (Ctrl+N).
func (m *mainScreen) newReferral() {
	a := m.app
	m.showCases()
	m.open, m.step = nil, nil
	m.cases.table.UnselectAll() // so that a click on the case opens it again
	m.form = newReferralForm(a, m, a.core.Organisations())
	m.setDetail(m.form.content)
	m.form.focusFirst()
}

// openCase loads a case into the detail pane.
func (m *mainScreen) openCase(id crypto.CaseID) {
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
			m.form, m.step = nil, nil
			m.open = newCaseView(a, m, k)
			m.setDetail(m.open.content)
			if k.allows(workflow.EventRead) {
				a.markRead(core, id)
			}
		})
	})
}

// refreshOpenCase reloads the case in the detail pane, if any.
func (m *mainScreen) refreshOpenCase() {
	if m.open != nil {
		m.openCase(m.open.c.ID)
	}
}

// caseSent is called after a send: it reloads the list, shows the case,
// and shows the send as queued when it did not reach the relay.
func (m *mainScreen) caseSent(id crypto.CaseID, queued bool) {
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
	case m.form != nil:
		b = m.form.send
	case m.step != nil:
		b = m.step.panel().submit
	default:
		return
	}
	if !b.Disabled() && b.OnTapped != nil {
		b.OnTapped()
	}
}
