package desktop

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/saferef/saferef/client/workflow"
)

// userStatuses are the statuses a person may set, with the event each
// makes; "filled" is the core's business.
var userStatuses = []struct {
	status string
	event  workflow.EventKind
}{
	{"signed-up", workflow.EventSignedUp},
	{"moved-in", workflow.EventMovedIn},
	{"closed", workflow.EventClosed},
	{"withdrawn", workflow.EventWithdrawn},
}

// allowedStatuses are the statuses this organisation may set on the case
// now.
func allowedStatuses(c *CaseView) []string {
	var out []string
	for _, s := range userStatuses {
		if c.allows(s.event) {
			out = append(out, s.status)
		}
	}
	return out
}

// statusLabelFor names a settable status.
func statusLabelFor(s string) string {
	switch s {
	case "signed-up":
		return tr("Tenancy signed")
	case "moved-in":
		return tr("Moved in")
	case "closed":
		return tr("Close the case")
	case "withdrawn":
		return tr("Withdraw the referral")
	}
	return s
}

// statusForm reports a status: only the statuses the workflow allows this
// organisation now.
type statusForm struct {
	*stepPanel
	statuses  []string
	status    *choice
	effective *dateField
	note      *entry
}

func newStatusForm(a *App, m *mainScreen, c *CaseView) *statusForm {
	f := &statusForm{statuses: allowedStatuses(c)}
	f.stepPanel = newStepPanel(a, m, c, tr("Send update"), f.submitForm, "status", "effective", "note")
	var labels []string
	for _, s := range f.statuses {
		labels = append(labels, statusLabelFor(s))
	}
	f.status = newChoice(a, labels)
	f.effective = newDateField(a)
	f.effective.setISO(a.opt.Now().In(a.opt.Location).Format(time.DateOnly))
	f.note = newMultiLineEntry(a)
	f.note.SetPlaceHolder(tr("Required to withdraw; no names, addresses or phone numbers"))
	f.note.SetMinRowsVisible(3)
	f.guardOnLeave(f.note, "note", "status_update.note")

	r := f.errs.row
	f.build(tr("Update the case's status"),
		tr("The update goes to every organisation still part of the case."),
		r(tr("Status"), "status", f.status),
		r(tr("Took effect on"), "effective", f.effective.content),
		r(tr("Note"), "note", f.note))
	return f
}

// chosen is the status picked, or "".
func (f *statusForm) chosen() string {
	i := slices.IndexFunc(f.statuses, func(s string) bool { return statusLabelFor(s) == f.status.Selected })
	if i < 0 {
		return ""
	}
	return f.statuses[i]
}

func (f *statusForm) submitForm() {
	f.errs.clear()
	status, note := f.chosen(), strings.TrimSpace(f.note.Text)
	effective, ok := f.effective.iso()
	if status == "" {
		f.errs.set("status", tr("Choose a status."))
	}
	if !ok || effective == "" {
		f.errs.set("effective", tr("Enter a date, for example 6 Dec 2026."))
	}
	if status == "withdrawn" && note == "" {
		f.errs.set("note", tr("Give the reason for withdrawing."))
	}
	if f.errs.any() {
		f.invalid()
		return
	}
	send := func() {
		f.send(func(ctx context.Context, core Core) error {
			return core.SetStatus(ctx, f.c.ID, status, effective, note)
		})
	}
	switch status {
	case "withdrawn":
		f.app.confirmAction(tr("Withdraw this referral?"),
			tr("Every organisation still in the case is told it is withdrawn, with your reason, and any offer is closed. The case cannot be reopened."),
			tr("Withdraw the referral"), send)
	case "closed":
		f.app.confirmAction(tr("Close this case?"),
			tr("Every organisation still in the case is told it is closed, and the scheme's statistics count the move. The case cannot be reopened; it is deleted from devices after the retention period."),
			tr("Close the case"), send)
	default:
		f.app.confirmAction(trf("Record “{{.Status}}”?", map[string]any{"Status": statusLabelFor(status)}),
			tr("The nominating organisation is told. This cannot be taken back."), statusLabelFor(status), send)
	}
}
