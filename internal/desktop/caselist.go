package desktop

import (
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
	"github.com/saferef/saferef/protocol/payload"
)

// Case list columns, in display order.
const (
	colStatus = iota
	colReference
	colWaiting
	colUrgency
	colNeededBy
	colActivity
	colOrganisations
	numCols
)

// columnWidths are the case list's column widths, in column order.
var columnWidths = [numCols]float32{185, 125, 150, 125, 100, 140, 220}

// columnPriority orders the columns by what decides which case to open:
// when the list is narrow the columns at the end of this list hide first.
var columnPriority = []int{colStatus, colReference, colWaiting, colNeededBy, colUrgency, colActivity, colOrganisations}

// minColumns always show, however narrow the list.
const minColumns = 3

// caseList is the virtualised table of cases: only the visible cells exist
// as widgets, so it stays smooth with tens of thousands of cases. The
// columns shown adapt to its width (by columnPriority); a tap on a header
// sorts by that column, a second tap reverses it, a third goes back to the
// default order (what needs you first, then latest activity).
type caseList struct {
	loc    *time.Location
	all    []CaseRow
	filter caseFilter
	shown  []CaseRow
	cols   []int // the columns shown, in display order
	// waitingExtra is the width beyond its own that the "Waiting on"
	// column takes: what the columns shown leave of the list's width, so
	// that long lists of organisations are cut as little as the list allows.
	waitingExtra float32
	sortCol      int // -1: the default order
	sortDesc     bool
	unread       map[payload.ID]bool // cases with activity the user has not opened yet
	selected     int                 // the selected row, or -1
	index        map[payload.ID]string
	table        *caseTable
	empty        *widget.Label
	content      fyne.CanvasObject
	onSelect     func(payload.ID)
	onChange     func()       // after the rows or filter change
	onHover      func(string) // the full text of the cell under the pointer
}

// caseTable is the case list's table: Enter opens the focused case.
type caseTable struct {
	widget.Table
	list *caseList
}

// TypedKey opens the focused case on Enter or Return (Space selects too).
func (t *caseTable) TypedKey(k *fyne.KeyEvent) {
	if k.Name != fyne.KeyReturn && k.Name != fyne.KeyEnter {
		t.Table.TypedKey(k)
		return
	}
	before := t.list.selected
	t.Table.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if t.list.selected == before && before >= 0 && before < len(t.list.shown) && t.list.onSelect != nil {
		t.list.onSelect(t.list.shown[before].ID) // already selected: open it again
	}
}

func newCaseList(loc *time.Location, onSelect func(payload.ID)) *caseList {
	l := &caseList{loc: loc, onSelect: onSelect, sortCol: -1, selected: -1, unread: map[payload.ID]bool{}}
	l.cols = slices.Clone(columnPriority[:numCols])
	slices.Sort(l.cols)
	t := &caseTable{list: l}
	t.Length = func() (int, int) { return len(l.shown), len(l.cols) }
	t.CreateCell = func() fyne.CanvasObject { return newCell(l) }
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		c := o.(*cell)
		if id.Row < 0 || id.Row >= len(l.shown) || id.Col >= len(l.cols) {
			c.set("", false)
			return
		}
		l.fillCell(&l.shown[id.Row], l.cols[id.Col], c)
	}
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		b := o.(*widget.Button)
		if id.Row >= 0 || id.Col < 0 || id.Col >= len(l.cols) {
			b.SetText("")
			b.OnTapped = nil
			return
		}
		col := l.cols[id.Col]
		b.SetText(l.headerTitle(col))
		b.OnTapped = func() { l.sortBy(col) }
	}
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(l.shown) {
			l.selected = id.Row
			delete(l.unread, l.shown[id.Row].ID)
			if l.onSelect != nil {
				l.onSelect(l.shown[id.Row].ID)
			}
		}
	}
	t.OnUnselected = func(widget.TableCellID) { l.selected = -1 }
	t.ExtendBaseWidget(t)
	l.table = t
	l.setWidths()
	l.empty = widget.NewLabel("")
	l.empty.Wrapping = fyne.TextWrapWord
	l.empty.Alignment = fyne.TextAlignCenter
	l.empty.Hide()
	l.content = container.New(&fitLayout{list: l}, t, container.NewCenter(l.empty))
	return l
}

// fitLayout lays out the table over the list's area and shows the columns
// that fit its width; the empty-state message sits over it.
type fitLayout struct{ list *caseList }

func (f *fitLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	f.list.fit(size.Width)
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (f *fitLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	// Status and reference: the list never forces the window wider than
	// a 1024-pixel screen, whatever the form beside it needs.
	return fyne.NewSize(columnWidths[colStatus]+columnWidths[colReference], 120)
}

// fit chooses the columns that fit width, by priority, in display order,
// and gives what they leave to the "Waiting on" column.
func (l *caseList) fit(width float32) {
	var cols []int
	var used float32
	for i, c := range columnPriority {
		if i >= minColumns && used+columnWidths[c] > width {
			break
		}
		used += columnWidths[c]
		cols = append(cols, c)
	}
	slices.Sort(cols)
	extra := max(0, float32(int(width-used-scrollBarRoom)))
	if slices.Equal(cols, l.cols) && extra == l.waitingExtra {
		return
	}
	l.cols, l.waitingExtra = cols, extra
	l.setWidths()
	l.table.Refresh()
}

// scrollBarRoom is left free at the list's right edge for its scroll bar.
const scrollBarRoom = 16

func (l *caseList) setWidths() {
	for i, c := range l.cols {
		w := columnWidths[c]
		if c == colWaiting {
			w += l.waitingExtra
		}
		l.table.SetColumnWidth(i, w)
	}
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
	case colUrgency:
		return tr("Urgency")
	case colNeededBy:
		return tr("Needed by")
	}
	return ""
}

// headerTitle is a column's header with the sort arrow when sorted by it.
func (l *caseList) headerTitle(col int) string {
	t := columnTitle(col)
	if col == l.sortCol {
		if l.sortDesc {
			return t + " ▼"
		}
		return t + " ▲"
	}
	return t
}

// sortBy sorts by a column: ascending, then descending, then back to the
// default order.
func (l *caseList) sortBy(col int) {
	switch {
	case l.sortCol != col:
		l.sortCol, l.sortDesc = col, false
	case !l.sortDesc:
		l.sortDesc = true
	default:
		l.sortCol, l.sortDesc = -1, false
	}
	l.apply()
}

// fillCell writes one cell.
func (l *caseList) fillCell(r *CaseRow, col int, c *cell) {
	bold := r.NeedsAction || l.unread[r.ID]
	switch col {
	case colStatus:
		s := rowStatusLabel(r)
		switch {
		case l.unread[r.ID]:
			s = "● " + tr("New:") + " " + s
		case r.NeedsAction:
			s = "● " + s
		}
		c.set(s, bold)
	case colReference:
		c.set(r.Reference, bold)
	case colOrganisations:
		c.set(orgNames(r.Organisations), bold)
	case colActivity:
		c.set(when(r.LastActivity, l.loc), bold)
	case colWaiting:
		c.set(waitingLabel(r.Waiting), bold)
	case colUrgency:
		c.set(choiceLabel(r.Urgency), bold)
	case colNeededBy:
		c.set(dateLabel(r.NeededBy), bold)
	}
}

// rowStatusLabel is the row's stage in words.
func rowStatusLabel(r *CaseRow) string {
	return statusLabel(string(r.Stage))
}

// setRows replaces every case. Cases whose activity moved on since the
// previous rows (and that are not the one selected) are marked new until
// opened.
func (l *caseList) setRows(rows []CaseRow) {
	if l.all != nil {
		before := make(map[payload.ID]time.Time, len(l.all))
		for _, r := range l.all {
			before[r.ID] = r.LastActivity
		}
		open := payload.ID{}
		if l.selected >= 0 && l.selected < len(l.shown) {
			open = l.shown[l.selected].ID
		}
		for _, r := range rows {
			if t, ok := before[r.ID]; (!ok || r.LastActivity.After(t)) && r.ID != open {
				l.unread[r.ID] = true
			}
		}
	}
	l.all = slices.Clone(rows)
	l.index = make(map[payload.ID]string, len(rows))
	for i := range l.all {
		l.index[l.all[i].ID] = searchText(&l.all[i])
	}
	l.apply()
}

// setFilter narrows the list.
func (l *caseList) setFilter(f caseFilter) {
	l.filter = f
	l.apply()
}

func (l *caseList) apply() {
	var keep payload.ID
	if l.selected >= 0 && l.selected < len(l.shown) {
		keep = l.shown[l.selected].ID
	}
	l.shown = filterIndexed(l.all, l.filter, l.loc, l.index)
	if l.sortCol >= 0 {
		sortByColumn(l.shown, l.sortCol, l.sortDesc, l.loc)
	}
	// Keep the open case selected (without opening it again).
	l.selected = -1
	onSel := l.table.OnSelected
	l.table.OnSelected = nil
	l.table.UnselectAll()
	if i := slices.IndexFunc(l.shown, func(r CaseRow) bool { return r.ID == keep }); i >= 0 && keep != (payload.ID{}) {
		l.table.Select(widget.TableCellID{Row: i, Col: 0})
		l.selected = i
	}
	l.table.OnSelected = onSel
	l.refreshEmpty()
	l.table.Refresh()
	if l.onChange != nil {
		l.onChange()
	}
}

// refreshEmpty shows what to do when the list is empty.
func (l *caseList) refreshEmpty() {
	switch {
	case len(l.shown) > 0:
		l.empty.Hide()
		return
	case len(l.all) == 0:
		l.empty.SetText(tr("No cases on this device yet.\nPress Ctrl+N to write a new referral. Referrals sent to your organisation arrive with the next sync (Ctrl+R)."))
	default:
		l.empty.SetText(tr("No case matches your search or filters.\nClear the search box, or press “Clear filters”."))
	}
	l.empty.Show()
}

// statuses, organisations and districts list the values present, sorted,
// for the filter selects.
func (l *caseList) statuses() []string {
	var out []string
	for _, r := range l.all {
		out = append(out, string(r.Stage))
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

// cell is one case-list cell: clipped text, the full text offered to the
// status line while the pointer is over it (Fyne 2.7 has no tooltips).
type cell struct {
	widget.Label
	list *caseList
}

func newCell(l *caseList) *cell {
	c := &cell{list: l}
	c.Truncation = fyne.TextTruncateClip
	c.ExtendBaseWidget(c)
	return c
}

func (c *cell) set(s string, bold bool) {
	if c.Text == s && c.TextStyle.Bold == bold {
		return
	}
	c.TextStyle = fyne.TextStyle{Bold: bold}
	c.SetText(s)
}

// MouseIn shows the cell's full text in the status line.
func (c *cell) MouseIn(*desktop.MouseEvent) {
	if c.list.onHover != nil {
		c.list.onHover(c.Text)
	}
}

// MouseMoved is needed for desktop.Hoverable.
func (c *cell) MouseMoved(*desktop.MouseEvent) {}

// MouseOut clears the status line's text.
func (c *cell) MouseOut() {
	if c.list.onHover != nil {
		c.list.onHover("")
	}
}
