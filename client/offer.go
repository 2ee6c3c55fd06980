package client

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// SendOffer sends a candidate landlord's offer of a home to the nominating
// organisation only (the exact address goes nowhere else), and to this
// organisation's other devices. It assigns o.Offer when zero and returns
// the offer id. The anonymous fields (adaptations, viewing) pass the
// disclosure guard.
func (d *Device) SendOffer(ctx context.Context, id crypto.CaseID, o *payload.Offer) (payload.ID, error) {
	if o.Schema == 0 {
		o.Schema = payload.SchemaVersion
	}
	o.Case = payload.ID(id)
	if o.Offer.IsZero() {
		oid, err := crypto.NewCaseID(nil)
		if err != nil {
			return payload.ID{}, fmt.Errorf("send offer: %w", err)
		}
		o.Offer = payload.ID(oid)
	}
	wc, _, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return o.Offer, fmt.Errorf("send offer: %w", err)
	}
	pkts := []*outgoing{{event: &workflow.Event{Kind: workflow.EventOfferMade, Offer: o.Offer}, p: o,
		to: d.nominatorOf(wc), ownCopy: true, kind: casestore.KindOffer, guarded: true}}
	if _, err := d.sendPackets(ctx, id, nil, pkts, nil); err != nil {
		return o.Offer, fmt.Errorf("send offer %s: %w", o.Offer, err)
	}
	return o.Offer, nil
}

// DecideOffer sends the nominator's decision on one offer to the offering
// landlord only. On accept, every other candidate still in the case is
// told "filled" (a status update with nothing more) in the same step. A
// decline needs a reason, which passes the disclosure guard.
func (d *Device) DecideOffer(ctx context.Context, id crypto.CaseID, offer payload.ID, accept bool, reason string) error {
	wc, known, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return fmt.Errorf("decide offer: %w", err)
	}
	if !known {
		return fmt.Errorf("decide offer: case %s: %w", id, ErrNotInCase)
	}
	var landlord crypto.OrgID
	for _, o := range wc.Offers {
		if o.ID == [16]byte(offer) {
			landlord = o.Landlord
		}
	}
	dec := &payload.OfferDecision{Schema: payload.SchemaVersion, Case: payload.ID(id), Offer: offer, Decision: payload.DecisionAccept, Reason: reason}
	ev := &workflow.Event{Kind: workflow.EventOfferAccepted, Offer: offer}
	if !accept {
		dec.Decision = payload.DecisionDecline
		ev = &workflow.Event{Kind: workflow.EventOfferDeclined, Offer: offer, Why: reason}
	}
	var to []crypto.OrgID
	if !landlord.IsZero() {
		to = []crypto.OrgID{landlord}
	}
	pkts := []*outgoing{{event: ev, p: dec, to: to, ownCopy: true, kind: casestore.KindOfferDecision, guarded: true}}
	if accept {
		// The candidates to tell are those left once this offer is accepted.
		after := wc.Clone()
		ev.Actor, ev.At = d.me(), d.now()
		if err := after.Apply(*ev); err != nil {
			return fmt.Errorf("decide offer %s: %w", offer, err)
		}
		for _, c := range after.ToTellFilled() {
			st := &payload.StatusUpdate{Schema: payload.SchemaVersion, Case: payload.ID(id), Status: payload.StatusFilled,
				Effective: d.now().UTC().Format(dateLayout)}
			pkts = append(pkts, &outgoing{event: &workflow.Event{Kind: workflow.EventFilled, Status: payload.StatusFilled, Landlord: c},
				p: st, to: []crypto.OrgID{c}, kind: casestore.KindStatus})
		}
	}
	if _, err := d.sendPackets(ctx, id, nil, pkts, nil); err != nil {
		return fmt.Errorf("decide offer %s: %w", offer, err)
	}
	return nil
}

// dateLayout is the YYYY-MM-DD form of dates in payloads.
const dateLayout = "2006-01-02"
