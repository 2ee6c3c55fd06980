package desktop

import (
	"context"
	"strings"

	"github.com/saferef/saferef/protocol/payload"
)

// decisionForm accepts or declines one pending offer. Accepting tells the
// other candidates the referral is filled (the core does that).
type decisionForm struct {
	*stepPanel
	offers   []OfferView
	offer    *choice
	decision *choice
	reason   *entry
}

func newDecisionForm(a *App, m *mainScreen, c *CaseView) *decisionForm {
	f := &decisionForm{offers: pendingOffers(c)}
	f.stepPanel = newStepPanel(a, m, c, tr("Send decision"), f.submitForm, "offer", "decision", "reason")
	var names []string
	for _, o := range f.offers {
		names = append(names, offerName(o))
	}
	f.offer = newChoice(a, names)
	f.decision = newChoice(a, []string{tr("Accept this offer"), tr("Decline this offer")})
	f.decision.Horizontal = true
	f.reason = newMultiLineEntry(a)
	f.reason.SetPlaceHolder(tr("Required to decline; no names, addresses or phone numbers"))
	f.reason.SetMinRowsVisible(3)
	f.guardOnLeave(f.reason, "reason", "offer_decision.reason")

	r := f.errs.row
	f.build(tr("Decide on an offer"),
		tr("Accepting an offer tells every other landlord that the referral is filled, and nothing more. You then release the household's details to the accepted landlord."),
		r(tr("Offer"), "offer", f.offer),
		r(tr("Decision"), "decision", f.decision),
		r(tr("Reason"), "reason", f.reason))
	return f
}

func (f *decisionForm) submitForm() {
	f.errs.clear()
	var chosen *OfferView
	for i, o := range f.offers {
		if offerName(o) == f.offer.Selected {
			chosen = &f.offers[i]
		}
	}
	if chosen == nil {
		f.errs.set("offer", tr("Choose the offer to decide on."))
	}
	accept := f.decision.Selected == tr("Accept this offer")
	if f.decision.Selected == "" {
		f.errs.set("decision", tr("Choose accept or decline."))
	}
	reason := strings.TrimSpace(f.reason.Text)
	if f.decision.Selected != "" && !accept && reason == "" {
		f.errs.set("reason", tr("Give a reason for declining."))
	}
	if f.errs.any() {
		f.invalid()
		return
	}
	offer := chosen.Offer.Offer
	d := &payload.OfferDecision{Schema: payload.SchemaVersion, Case: f.c.ID, Offer: offer,
		Decision: payload.DecisionDecline, Reason: reason}
	if accept {
		d.Decision = payload.DecisionAccept
	}
	if showValidation(f.errs, d.Validate()); f.errs.any() {
		f.invalid()
		return
	}
	landlord := chosen.Landlord.Name
	send := func() {
		f.send(func(ctx context.Context, core Core) error {
			return core.DecideOffer(ctx, f.c.ID, offer, accept, reason)
		})
	}
	if accept {
		f.app.confirmAction(trf("Accept the offer from {{.Landlord}}?", map[string]any{"Landlord": landlord}),
			tr("Every other landlord that received the referral is told it is filled, and any other offer is closed. You then release the household's details to this landlord. This cannot be undone."),
			tr("Accept this offer"), send)
		return
	}
	f.app.confirmAction(trf("Decline the offer from {{.Landlord}}?", map[string]any{"Landlord": landlord}),
		tr("The landlord is told you decline its offer, with your reason. The offer cannot be accepted afterwards."),
		tr("Decline this offer"), send)
}
