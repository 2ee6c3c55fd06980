package desktop

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/protocol/payload"
)

// syntheticRows makes n case rows spread over the demo organisations.
func syntheticRows(n int) []CaseRow {
	orgs := demoOrgs()
	rows := make([]CaseRow, n)
	for i := range rows {
		o := orgs[1+i%2]
		rows[i] = CaseRow{
			CaseSummary: client.CaseSummary{ID: payload.ID{byte(i), byte(i >> 8), byte(i >> 16)},
				Reference: fmt.Sprintf("KMR-2026-%05d", i), Stage: []workflow.Stage{workflow.StageCirculated, workflow.StageClosed, workflow.StageNone}[i%3],
				Organisations: []client.OrgRef{{ID: orgs[0].ID, Name: orgs[0].Name}, {ID: o.ID, Name: o.Name}},
				LastActivity:  testNow.Add(-time.Duration(i) * time.Minute), Districts: o.Districts},
			NeedsAction: i%7 == 0,
			Waiting:     Waiting{Kind: WaitingOnOrg, Org: o.Name},
		}
	}
	return rows
}

// benchmarkCaseList builds the case list with n cases in a window and
// scrolls from the first case to the last in 50 steps.
func benchmarkCaseList(b *testing.B, n int) {
	test.NewTempApp(b)
	rows := syntheticRows(n)
	w := test.NewTempWindow(b, nil)
	w.Resize(fyne.NewSize(1000, 700))
	b.ReportAllocs()
	for b.Loop() {
		l := newCaseList(time.UTC, nil)
		w.SetContent(l.table)
		l.setRows(rows)
		for step := 0; step <= 50; step++ {
			l.table.ScrollTo(widget.TableCellID{Row: step * (n - 1) / 50, Col: 0})
		}
	}
}

func BenchmarkCaseList100(b *testing.B)   { benchmarkCaseList(b, 100) }
func BenchmarkCaseList10000(b *testing.B) { benchmarkCaseList(b, 10000) }

// BenchmarkCaseListFilter is one keystroke in the search box over 10,000
// cases, as the app does it: over the in-memory search index built when the
// rows arrived.
func BenchmarkCaseListFilter10000(b *testing.B) {
	rows := syntheticRows(10000)
	index := make(map[payload.ID]string, len(rows))
	for i := range rows {
		index[rows[i].ID] = searchText(&rows[i])
	}
	f := caseFilter{Search: "kmr-2026-099"}
	for b.Loop() {
		filterIndexed(rows, f, time.UTC, index)
	}
}

// BenchmarkCaseListIndex10000 builds the search index of 10,000 cases (at
// unlock and after a sync that brought something new).
func BenchmarkCaseListIndex10000(b *testing.B) {
	rows := syntheticRows(10000)
	for b.Loop() {
		index := make(map[payload.ID]string, len(rows))
		for i := range rows {
			index[rows[i].ID] = searchText(&rows[i])
		}
	}
}
