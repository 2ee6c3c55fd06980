package desktop

import (
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/crypto"
)

// Case list columns.
// The columns that decide what to open come first, so that they show
// without scrolling sideways; the organisations, clipped, come last.
const (
	colStatus = iota
	colReference
	colWaiting
	colActivity
	colOrganisations
	numCols
)

// columnWidths are the case list's column widths, in column order.
var columnWidths = [numCols]float32{170, 130, 210, 140, 240}

// caseList is the virtualised table of cases: only the visible cells exist
// as widgets, so it stays smooth with tens of thousands of cases.
type caseList struct {
	loc      *time.Location
	all      []CaseRow
	filter   caseFilter
	shown    []CaseRow
	table    *widget.Table
	onSelect func(crypto.CaseID)
	onChange func() // after the rows or filter change
}

func newCaseList(loc *time.Location, onSelect func(crypto.CaseID)) *caseList {
	l := &caseList{loc: loc, onSelect: onSelect}
	l.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(l.shown), numCols },
		func() fyne.CanvasObject {
			lb := widget.NewLabel("")
			lb.Truncation = fyne.TextTruncateClip
			return lb
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			lb := o.(*widget.Label)
			if id.Row < 0 || id.Row >= len(l.shown) {
				lb.SetText("")
				return
			}
			l.fillCell(&l.shown[id.Row], id.Col, lb)
		})
	l.table.ShowHeaderColumn = false
	l.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	l.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 {
			o.(*widget.Label).SetText(columnTitle(id.Col))
		}
	}
	for col, w := range columnWidths {
		l.table.SetColumnWidth(col, w)
	}
	l.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(l.shown) && l.onSelect != nil {
			l.onSelect(l.shown[id.Row].ID)
		}
	}
	return l
}

// columnTitle is a column's header.
func columnTitle(col int) string {
	switch col {
	case colStatus:
		return tr("Status")
	case colReference:
		return tr("Reference")
	case colOrganisations:
		return tr("Organisations")
	case colActivity:
		return tr("Last activity")
	case colWaiting:
		return tr("Waiting on")
	}
	return ""
}

// fillCell writes one cell.
func (l *caseList) fillCell(r *CaseRow, col int, lb *widget.Label) {
	lb.TextStyle = fyne.TextStyle{Bold: r.NeedsAction}
	switch col {
	case colStatus:
		st := r.Status
		if r.Stage != "" {
			st = string(r.Stage)
		}
		s := statusLabel(st)
		if r.NeedsAction {
			s = "● " + s
		}
		lb.SetText(s)
	case colReference:
		lb.SetText(r.Reference)
	case colOrganisations:
		lb.SetText(orgNames(r.Organisations))
	case colActivity:
		lb.SetText(when(r.LastActivity, l.loc))
	case colWaiting:
		lb.SetText(waitingLabel(r.Waiting))
	}
}

// setRows replaces every case.
func (l *caseList) setRows(rows []CaseRow) {
	l.all = slices.Clone(rows)
	l.apply()
}

// setFilter narrows the list.
func (l *caseList) setFilter(f caseFilter) {
	l.filter = f
	l.apply()
}

func (l *caseList) apply() {
	l.shown = filterCases(l.all, l.filter, l.loc)
	l.table.UnselectAll()
	l.table.Refresh()
	if l.onChange != nil {
		l.onChange()
	}
}

// statuses, organisations and districts list the values present, sorted,
// for the filter selects.
func (l *caseList) statuses() []string {
	var out []string
	for _, r := range l.all {
		out = append(out, r.Status)
	}
	return uniqueSorted(out)
}

func (l *caseList) organisations() []string {
	var out []string
	for _, r := range l.all {
		for _, o := range r.Organisations {
			if o.Name != "" {
				out = append(out, o.Name)
			}
		}
	}
	return uniqueSorted(out)
}

func (l *caseList) districts() []string {
	var out []string
	for _, r := range l.all {
		out = append(out, r.Districts...)
	}
	return uniqueSorted(out)
}

func uniqueSorted(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
