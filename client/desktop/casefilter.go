package desktop

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/saferef/saferef/client"
)

// caseFilter is what the user narrowed the case list to. Empty fields match
// everything; From and To are whole days in the display time zone, on the
// case's last activity, both inclusive.
type caseFilter struct {
	Status   string
	Org      string // organisation name
	District string
	From, To time.Time
	Search   string // matched case-insensitively against reference, status, organisations, districts and waiting
}

// matches reports whether a row passes the filter.
func (f caseFilter) matches(r *CaseRow, loc *time.Location) bool {
	if f.Status != "" && r.Status != f.Status {
		return false
	}
	if f.Org != "" && !slices.ContainsFunc(r.Organisations, func(o client.OrgRef) bool { return o.Name == f.Org }) {
		return false
	}
	if f.District != "" && !slices.Contains(r.Districts, f.District) {
		return false
	}
	day := dayOf(r.LastActivity, loc)
	if !f.From.IsZero() && day.Before(f.From) {
		return false
	}
	if !f.To.IsZero() && day.After(f.To) {
		return false
	}
	if f.Search != "" {
		return strings.Contains(searchText(r), strings.ToLower(strings.TrimSpace(f.Search)))
	}
	return true
}

// dayOf is midnight of t's day in loc.
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// searchText is the lower-case text a search looks in.
func searchText(r *CaseRow) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Reference))
	b.WriteByte(' ')
	b.WriteString(strings.ToLower(statusLabel(r.Status)))
	for _, o := range r.Organisations {
		b.WriteByte(' ')
		b.WriteString(strings.ToLower(o.Name))
	}
	for _, d := range r.Districts {
		b.WriteByte(' ')
		b.WriteString(strings.ToLower(d))
	}
	b.WriteByte(' ')
	b.WriteString(strings.ToLower(waitingLabel(r.Waiting)))
	return b.String()
}

// filterCases returns the rows that pass f, sorted by sortCases.
func filterCases(rows []CaseRow, f caseFilter, loc *time.Location) []CaseRow {
	out := make([]CaseRow, 0, len(rows))
	for i := range rows {
		if f.matches(&rows[i], loc) {
			out = append(out, rows[i])
		}
	}
	sortCases(out)
	return out
}

// sortCases puts the cases that need the user's action first, then the
// most recent activity first, then by reference.
func sortCases(rows []CaseRow) {
	slices.SortStableFunc(rows, func(a, b CaseRow) int {
		if a.NeedsAction != b.NeedsAction {
			if a.NeedsAction {
				return -1
			}
			return 1
		}
		if c := b.LastActivity.Compare(a.LastActivity); c != 0 {
			return c
		}
		return cmp.Compare(a.Reference, b.Reference)
	})
}
