package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

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
func (d *Device) SendOffer(ctx context.Context, id payload.ID, o *payload.Offer) (payload.ID, error) {
	if o.Schema == 0 {
		o.Schema = payload.SchemaVersion
	}
	o.Case = id
	if o.Offer.IsZero() {
		o.Offer = payload.NewID()
	}
	wc, _, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return o.Offer, fmt.Errorf("send offer: %w", err)
	}
	today := d.now().UTC().Format(dateLayout)
	if o.Expires == "" {
		o.Expires = d.now().UTC().AddDate(0, 0, DefaultOfferDays).Format(dateLayout)
	}
	if o.Expires < today {
		return o.Offer, fmt.Errorf("send offer: %w: expires %s is before today (%s); give a date in the future", workflow.ErrOfferExpired, o.Expires, today)
	}
	probe := wc.Clone()
	if err := probe.Apply(workflow.Event{Kind: workflow.EventOfferMade, Offer: o.Offer, Expires: o.Expires, Actor: d.me(), At: d.now()}); err != nil {
		return o.Offer, fmt.Errorf("send offer: %w", err)
	}
	r, err := d.caseReferral(ctx, id)
	if err != nil {
		return o.Offer, fmt.Errorf("send offer: %w", err)
	}
	if err := offerDistrictProblem(r, o); err != nil {
		return o.Offer, fmt.Errorf("send offer: %w", err)
	}
	pkts := []*outgoing{{event: &workflow.Event{Kind: workflow.EventOfferMade, Offer: o.Offer, Expires: o.Expires}, p: o,
		to: d.nominatorOf(wc), ownCopy: true, kind: casestore.KindOffer, guarded: true}}
	if _, err := d.sendPackets(ctx, id, nil, pkts, nil); err != nil {
		return o.Offer, fmt.Errorf("send offer %s: %w", o.Offer, err)
	}
	return o.Offer, nil
}

// DefaultOfferDays is how long an offer stands when it names no expiry:
// SendOffer sets expires to today plus this many days.
const DefaultOfferDays = 14

// ErrOfferDistrict means an offer's district is one the household must
// avoid, or not one of its acceptable districts.
var ErrOfferDistrict = errors.New("offer in a district the referral does not accept")

// offerDistrictProblem refuses an offer in one of the referral's districts
// to avoid (often where the perpetrator lives) or outside its acceptable
// districts.
func offerDistrictProblem(r *payload.Referral, o *payload.Offer) error {
	if slices.Contains(r.DistrictsToAvoid, o.District) {
		return fmt.Errorf("%w: %s is one of the districts the household must avoid", ErrOfferDistrict, o.District)
	}
	if !slices.Contains(r.DistrictsAcceptable, o.District) {
		return fmt.Errorf("%w: %s is not one of the acceptable districts (%s)", ErrOfferDistrict, o.District, strings.Join(r.DistrictsAcceptable, ", "))
	}
	return nil
}

// OfferDistricts returns the districts an offer in the case may name: the
// referral's acceptable districts less those to avoid (the desktop's offer
// form offers only these).
func (d *Device) OfferDistricts(ctx context.Context, id payload.ID) ([]string, error) {
	r, err := d.caseReferral(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("offer districts of %s: %w", id, err)
	}
	var out []string
	for _, dist := range r.DistrictsAcceptable {
		if !slices.Contains(r.DistrictsToAvoid, dist) {
			out = append(out, dist)
		}
	}
	return out, nil
}

// DecideOffer sends the nominator's decision on one offer to the offering
// landlord only. On accept, every other candidate still in the case is
// told "filled" (a status update with nothing more) in the same step. A
// decline needs a reason, which passes the disclosure guard.
func (d *Device) DecideOffer(ctx context.Context, id payload.ID, offer payload.ID, accept bool, reason string) error {
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
	dec := &payload.OfferDecision{Schema: payload.SchemaVersion, Case: id, Offer: offer, Decision: payload.DecisionAccept, Reason: reason}
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
			st := &payload.StatusUpdate{Schema: payload.SchemaVersion, Case: id, Status: payload.StatusFilled,
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

// receiveOffer applies a landlord's offer. The nominator's own check
// comes first: an offer in a district the household must avoid, or outside
// its acceptable districts, is refused and never shown as an offer.
func (d *Device) receiveOffer(ctx context.Context, in *inbound, p *payload.Offer) (func(*casestore.Tx) error, error) {
	if p.Expires == "" {
		return nil, fmt.Errorf("offer %s from %s: %w: it has no expiry date", p.Offer, in.sender(), workflow.ErrOfferExpired)
	}
	if !in.mine {
		r, err := d.caseReferral(ctx, p.Case)
		if err != nil && !errors.Is(err, ErrNotInCase) {
			return nil, err
		}
		if r != nil {
			if err := offerDistrictProblem(r, p); err != nil {
				return nil, fmt.Errorf("offer %s from %s: %w", p.Offer, in.sender(), err)
			}
		}
	}
	ev := workflow.Event{Kind: workflow.EventOfferMade, Offer: p.Offer, Expires: p.Expires}
	return d.receiveEvents(ctx, in, &received{caseID: p.Case, kind: casestore.KindOffer, events: oneEvent(ev)})
}

// receiveOfferDecision applies the nominator's answer to an offer
// (DecideOffer sends it).
func (d *Device) receiveOfferDecision(ctx context.Context, in *inbound, p *payload.OfferDecision) (func(*casestore.Tx) error, error) {
	ev := workflow.Event{Kind: workflow.EventOfferAccepted, Offer: p.Offer}
	if p.Decision == payload.DecisionDecline {
		ev = workflow.Event{Kind: workflow.EventOfferDeclined, Offer: p.Offer, Why: p.Reason}
	}
	return d.receiveEvents(ctx, in, &received{caseID: p.Case, kind: casestore.KindOfferDecision, events: oneEvent(ev)})
}
