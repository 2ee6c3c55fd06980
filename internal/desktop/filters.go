package desktop

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// filterPanel holds the case list's filters: status, organisation,
// district and a date range on the last activity.
type filterPanel struct {
	app      *App
	list     *caseList
	status   *widget.Select
	org      *widget.Select
	district *widget.Select
	from, to *entry
	problem  *widget.Label
	clear    *widget.Button
	statusOf map[string]string // label shown -> status
	search   string
	content  fyne.CanvasObject
}

func newFilterPanel(a *App, list *caseList) *filterPanel {
	p := &filterPanel{app: a, list: list, statusOf: map[string]string{}}
	changed := func(string) { a.touch(); p.apply() }
	p.status = widget.NewSelect(nil, changed)
	p.status.PlaceHolder = tr("All statuses")
	p.org = widget.NewSelect(nil, changed)
	p.org.PlaceHolder = tr("All organisations")
	p.district = widget.NewSelect(nil, changed)
	p.district.PlaceHolder = tr("All districts")
	p.from = newEntry(a)
	p.from.SetPlaceHolder(tr("From YYYY-MM-DD"))
	p.from.OnChanged = changed
	p.to = newEntry(a)
	p.to.SetPlaceHolder(tr("To YYYY-MM-DD"))
	p.to.OnChanged = changed
	p.problem = widget.NewLabel("")
	p.problem.Importance = widget.DangerImportance
	p.problem.Wrapping = fyne.TextWrapWord
	p.clear = widget.NewButton(tr("Clear filters"), p.reset)
	p.content = container.NewVBox(
		widget.NewLabelWithStyle(tr("Filter cases"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		p.status, p.org, p.district,
		widget.NewLabel(tr("Last activity")), p.from, p.to, p.problem, p.clear)
	return p
}

// refreshOptions lists the values present in the cases.
func (p *filterPanel) refreshOptions() {
	labels := []string{}
	p.statusOf = map[string]string{}
	for _, s := range p.list.statuses() {
		l := statusLabel(s)
		p.statusOf[l] = s
		labels = append(labels, l)
	}
	p.status.SetOptions(labels)
	p.org.SetOptions(p.list.organisations())
	p.district.SetOptions(p.list.districts())
}

// setSearch sets the search text and re-filters.
func (p *filterPanel) setSearch(s string) {
	p.search = s
	p.apply()
}

// apply builds the filter from the widgets and narrows the list.
func (p *filterPanel) apply() {
	f := caseFilter{Status: p.statusOf[p.status.Selected], Org: p.org.Selected,
		District: p.district.Selected, Search: p.search}
	var bad bool
	f.From, bad = p.parseDay(p.from.Text)
	var bad2 bool
	f.To, bad2 = p.parseDay(p.to.Text)
	if bad || bad2 {
		p.problem.SetText(tr("Write dates as YYYY-MM-DD, e.g. 2026-03-31."))
	} else {
		p.problem.SetText("")
	}
	p.list.setFilter(f)
}

// parseDay reads YYYY-MM-DD; it reports bad input (which filters nothing).
func (p *filterPanel) parseDay(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(time.DateOnly, s, p.app.opt.Location)
	if err != nil {
		return time.Time{}, true
	}
	return t, false
}

// reset clears every filter.
func (p *filterPanel) reset() {
	p.app.touch()
	p.status.ClearSelected()
	p.org.ClearSelected()
	p.district.ClearSelected()
	p.from.SetText("")
	p.to.SetText("")
	p.apply()
}
