package desktop

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/protocol/payload"
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
	if f.Status != "" && string(r.Stage) != f.Status {
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
	b.WriteString(strings.ToLower(rowStatusLabel(r)))
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
	b.WriteByte(' ')
	b.WriteString(strings.ToLower(choiceLabel(r.Urgency)))
	b.WriteByte(' ')
	b.WriteString(r.SearchText)
	return b.String()
}

// filterIndexed returns the rows that pass f, sorted by sortCases, with the
// search text of each case taken from index (the in-memory search index
// built when the rows arrive), or computed when index is nil. Every word of
// the search must appear.
func filterIndexed(rows []CaseRow, f caseFilter, loc *time.Location, index map[payload.ID]string) []CaseRow {
	words := strings.Fields(strings.ToLower(f.Search))
	out := make([]CaseRow, 0, len(rows))
	for i := range rows {
		r := &rows[i]
		if !f.matches(r, loc) {
			continue
		}
		if len(words) > 0 {
			text, ok := index[r.ID]
			if !ok {
				text = searchText(r)
			}
			if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(text, w) }) {
				out = append(out, *r)
			}
			continue
		}
		out = append(out, *r)
	}
	sortCases(out)
	return out
}

// sortByColumn sorts rows by one case-list column (stable, so ties keep
// the default order).
func sortByColumn(rows []CaseRow, col int, desc bool, loc *time.Location) {
	key := func(r *CaseRow) string {
		switch col {
		case colStatus:
			return rowStatusLabel(r)
		case colReference:
			return r.Reference
		case colWaiting:
			return waitingLabel(r.Waiting)
		case colOrganisations:
			return orgNames(r.Organisations)
		}
		return ""
	}
	slices.SortStableFunc(rows, func(a, b CaseRow) int {
		var c int
		switch col {
		case colActivity:
			c = a.LastActivity.Compare(b.LastActivity)
		case colUrgency:
			c = cmp.Compare(urgencyRank(a.Urgency), urgencyRank(b.Urgency))
		case colNeededBy:
			// Cases without a date go last either way.
			switch {
			case a.NeededBy == "" && b.NeededBy == "":
				return 0
			case a.NeededBy == "":
				return 1
			case b.NeededBy == "":
				return -1
			}
			c = cmp.Compare(a.NeededBy, b.NeededBy)
		default:
			c = strings.Compare(strings.ToLower(key(&a)), strings.ToLower(key(&b)))
		}
		if desc {
			return -c
		}
		return c
	})
}

// urgencyRank orders urgencies most pressing first; unknown ones last.
func urgencyRank(u string) int {
	if i := slices.Index(payload.Urgencies(), u); i >= 0 {
		return i
	}
	return 1 << 20
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
