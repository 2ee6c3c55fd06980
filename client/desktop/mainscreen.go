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
	"github.com/saferef/saferef/crypto"
)

// mainScreen is the unlocked window: toolbar, connection bar, filters, the
// case list and a detail pane showing a case or a form.
type mainScreen struct {
	app     *App
	newRef  *widget.Button
	search  *entry
	syncBtn *widget.Button
	lockBtn *widget.Button
	conn    *connectionBar
	count   *widget.Label
	problem *widget.Label
	filters *filterPanel
	cases   *caseList
	detail  *fyne.Container
	open    *caseView // the case in the detail pane, or nil
	form    *referralForm
	content fyne.CanvasObject
}

func newMainScreen(a *App) *mainScreen {
	m := &mainScreen{app: a}
	m.newRef = widget.NewButtonWithIcon(tr("New referral"), theme.ContentAddIcon(), func() { a.touch(); m.newReferral() })
	m.newRef.Importance = widget.HighImportance
	m.search = newEntry(a)
	m.search.SetPlaceHolder(tr("Search cases (Ctrl+F)"))
	m.syncBtn = widget.NewButtonWithIcon(tr("Sync"), theme.ViewRefreshIcon(), func() { a.touch(); a.SyncNow() })
	m.lockBtn = widget.NewButtonWithIcon(tr("Lock"), theme.LoginIcon(), func() { a.Lock() })
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

	right := container.NewHBox(m.syncBtn, m.lockBtn, who)
	// Objects are listed in tab order: the border layout only positions
	// them, so the toolbar comes before the filters and the list (a plain
	// container.NewBorder would put the centre first).
	toolbar := container.New(layout.NewBorderLayout(nil, nil, m.newRef, right), m.newRef, m.search, right)
	status := container.NewHBox(m.conn.content, layout.NewSpacer(), m.problem, m.count)
	top := container.NewVBox(toolbar, status, widget.NewSeparator())
	split := container.NewHSplit(m.cases.table, m.detail)
	split.Offset = 0.55
	left := container.NewPadded(container.NewVScroll(m.filters.content))
	body := container.New(layout.NewBorderLayout(top, nil, left, nil), top, left, split)
	m.content = container.NewStack(newActivityLayer(a), body)
	return m
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
	m.open, m.form = nil, nil
	l := widget.NewLabel(tr("Choose a case from the list, or press Ctrl+N to write a new referral."))
	l.Wrapping = fyne.TextWrapWord
	m.detail.Objects = []fyne.CanvasObject{container.NewPadded(l)}
	m.detail.Refresh()
}

// setDetail shows o in the detail pane.
func (m *mainScreen) setDetail(o fyne.CanvasObject) {
	m.detail.Objects = []fyne.CanvasObject{o}
	m.detail.Refresh()
}

// newReferral opens the new-referral form (Ctrl+N).
func (m *mainScreen) newReferral() {
	a := m.app
	m.open = nil
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
			m.form = nil
			m.open = newCaseView(a, m, k)
			m.setDetail(m.open.content)
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
	st := m.conn.status
	st.queued = m.app.core.Queued()
	if queued {
		st.state = connOffline
	}
	m.conn.set(st)
	m.app.reloadCases(m.app.core)
	m.openCase(id)
}

// setRows replaces the cases in the list and the filters' options.
func (m *mainScreen) setRows(rows []CaseRow) {
	m.cases.setRows(rows)
	m.filters.refreshOptions()
}
