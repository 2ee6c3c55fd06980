package desktop

import (
	"context"
	"strings"

	"github.com/saferef/saferef/protocol/payload"
)

// approvalForm is the current landlord's answer to a referral sent for
// approval: approve (with the two confirmations the scheme asks for) or
// decline (with a reason), signed by a named lead.
type approvalForm struct {
	*stepPanel
	decision         *choice
	noSuitable, back *focusCheck
	lead             *entry
	reason           *entry
}

func newApprovalForm(a *App, m *mainScreen, c *CaseView) *approvalForm {
	f := &approvalForm{}
	f.stepPanel = newStepPanel(a, m, c, tr("Send answer"), f.submitForm, "decision", "no_suitable_home", "will_give_home_back", "lead_name", "reason")
	f.decision = newChoice(a, []string{tr("Approve the move"), tr("Decline")})
	f.decision.Horizontal = true
	f.noSuitable = newCheck(a, tr("We have no suitable home for this household in our own stock"), nil)
	f.back = newCheck(a, tr("We will give a home back to the scheme"), nil)
	f.lead = newEntry(a)
	f.lead.SetPlaceHolder(tr("Your named lead (a member of staff)"))
	f.reason = newMultiLineEntry(a)
	f.reason.SetPlaceHolder(tr("Required to decline; no names, addresses or phone numbers"))
	f.reason.SetMinRowsVisible(3)
	f.guardOnLeave(f.reason, "reason", "approval.reason")

	r := f.errs.row
	f.build(tr("Approve or decline the move"),
		tr("The household's referral came to you as their current landlord. Approving lets the nominating organisation circulate it to other landlords."),
		r(tr("Your answer"), "decision", f.decision),
		r(tr("Confirmation"), "no_suitable_home", f.noSuitable),
		r(tr("Confirmation"), "will_give_home_back", f.back),
		r(tr("Named lead"), "lead_name", f.lead),
		r(tr("Reason or note"), "reason", f.reason))
	return f
}

// approval builds the payload from the form.
func (f *approvalForm) approval() *payload.Approval {
	return &payload.Approval{Schema: payload.SchemaVersion, Case: f.c.ID,
		Approved: f.decision.Selected == tr("Approve the move"), NoSuitableHome: f.noSuitable.Checked,
		WillGiveHomeBack: f.back.Checked, LeadName: strings.TrimSpace(f.lead.Text), Reason: strings.TrimSpace(f.reason.Text)}
}

func (f *approvalForm) submitForm() {
	f.errs.clear()
	if f.decision.Selected == "" {
		f.errs.set("decision", tr("Choose approve or decline."))
	}
	ap := f.approval()
	showValidation(f.errs, ap.Validate())
	if f.errs.any() {
		f.invalid()
		return
	}
	title, what, yes := tr("Approve this move?"), tr("The nominating organisation is told you approve, and can then circulate the referral to other landlords. You cannot take the approval back."), tr("Approve the move")
	if !ap.Approved {
		title, what, yes = tr("Decline this move?"), tr("The nominating organisation is told you decline, with your reason. The referral goes back to them as a draft."), tr("Decline the move")
	}
	f.app.confirmAction(title, what, yes, func() {
		f.send(func(ctx context.Context, core Core) error { return core.Approve(ctx, f.c.ID, ap) })
	})
}
