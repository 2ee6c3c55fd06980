package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// ErrFilledInternal means "filled" was given to SetStatus: it is sent by
// DecideOffer, never set by a user.
var ErrFilledInternal = errors.New(`"filled" is sent automatically when another offer is accepted`)

// ErrNoteNotAllowed means a note was given with "no-suitable-home", which
// carries none.
var ErrNoteNotAllowed = errors.New(`"no suitable home" carries no reason: a reason could identify the landlord's stock`)

// SetStatus sends a status update: "signed-up" and "moved-in" from the
// accepted landlord to the nominator; "closed" and "withdrawn" from the
// nominator to every organisation still in the case. effective is
// YYYY-MM-DD (today when empty); note is optional free text, required as
// the reason of a withdrawal, and passes the disclosure guard. On "closed"
// an outcome statistic (no person, no case id) also goes to every
// coordinator organisation in the directory.
func (d *Device) SetStatus(ctx context.Context, id payload.ID, status, effective, note string) error {
	if status == payload.StatusFilled {
		return fmt.Errorf("set status: %w", ErrFilledInternal)
	}
	k, err := workflow.StatusEvent(status)
	if err != nil {
		return fmt.Errorf("set status %q: %w", status, err)
	}
	if effective == "" {
		effective = d.now().UTC().Format(dateLayout)
	}
	wc, known, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return fmt.Errorf("set status: %w", err)
	}
	if !known {
		return fmt.Errorf("set status: case %s: %w", id, ErrNotInCase)
	}
	st := &payload.StatusUpdate{Schema: payload.SchemaVersion, Case: id, Status: status, Effective: effective, Note: note}
	var to []crypto.OrgID
	switch k {
	case workflow.EventClosed, workflow.EventWithdrawn:
		to = wc.Organisations()
	case workflow.EventNoSuitableHome:
		if note != "" {
			return fmt.Errorf("set status %s: %w", status, ErrNoteNotAllowed)
		}
		to = d.nominatorOf(wc)
	default:
		to = d.nominatorOf(wc)
	}
	pkts := []*outgoing{{event: &workflow.Event{Kind: k, Status: status, Why: note, Effective: effective}, p: st, to: to, ownCopy: true,
		kind: casestore.KindStatus, guarded: true}}
	// The two attestations of a move: the receiving landlord's when it
	// records the move-in, the nominator's when it closes the case.
	role := ""
	switch {
	case k == workflow.EventClosed && !wc.AcceptedLandlord.IsZero():
		role = payload.OutcomeByNominator
	case k == workflow.EventMovedIn && wc.MyRole() == workflow.RoleAcceptedLandlord:
		role = payload.OutcomeByReceivingLandlord
	}
	if role != "" {
		out, err := d.outcome(ctx, id, wc, role)
		if err != nil {
			return fmt.Errorf("set status: %w", err)
		}
		if coords := d.coordinators(); len(coords) > 0 {
			pkts = append(pkts, &outgoing{p: out, to: coords, noCase: true})
		}
	}
	if _, err := d.sendPackets(ctx, id, nil, pkts, nil); err != nil {
		return fmt.Errorf("set status %s of %s: %w", status, id, err)
	}
	return nil
}

// NoSuitableHome answers a circulated referral, as a candidate landlord,
// that it has no suitable home: the ask is closed for this landlord and
// the nominator is told only that it declined, with no reason (a reason
// could identify the landlord's stock). Any offer of this landlord still
// waiting for a decision is withdrawn with it.
func (d *Device) NoSuitableHome(ctx context.Context, id payload.ID) error {
	return d.SetStatus(ctx, id, payload.StatusNoSuitableHome, "", "")
}

// coordinators lists the current coordinator organisations.
func (d *Device) coordinators() []crypto.OrgID {
	var out []crypto.OrgID
	for _, e := range d.Directory().Orgs() {
		if e.Cert.Kind == crypto.KindCoordinator && e.Revoked == nil && e.Cert.Org != d.secrets.Org {
			out = append(out, e.Cert.Org)
		}
	}
	return out
}

// outcome builds the statistic of a case that ended in a move: the old and
// new landlords, the month of the move, the days from circulation to the
// move and the bedrooms of the home; a fresh id, never the case id.
func (d *Device) outcome(ctx context.Context, id payload.ID, wc *workflow.Case, role string) (*payload.Outcome, error) {
	r, err := d.caseReferral(ctx, id)
	if err != nil {
		return nil, err
	}
	oid := payload.NewID()
	var circulated, moved time.Time
	for _, e := range wc.History {
		switch e.Kind {
		case workflow.EventCirculated:
			if circulated.IsZero() {
				circulated = e.At
			}
		case workflow.EventMovedIn:
			moved = e.At
		}
	}
	if moved.IsZero() {
		moved = d.now()
	}
	if circulated.IsZero() {
		circulated = wc.Created
	}
	days := max(0, int(moved.Sub(circulated).Hours()/24))
	days = min(days, payload.MaxDaysToRehouse)
	out := &payload.Outcome{Schema: payload.SchemaVersion, Outcome: oid, GivingLandlord: payload.ID(wc.CurrentLandlord),
		ReceivingLandlord: payload.ID(wc.AcceptedLandlord), MovedMonth: moved.UTC().Format("2006-01"), DaysToRehouse: days,
		Role: role, Token: payload.OutcomeToken(r.Case, r.CaseNonce)}
	if role == payload.OutcomeByReceivingLandlord {
		out.ReceivingLandlord = payload.ID(d.secrets.Org)
	}
	c, err := d.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, o := range c.Offers {
		if [16]byte(o.Offer.Offer) == wc.AcceptedOffer {
			out.Bedrooms = o.Offer.Bedrooms
		}
	}
	return out, nil
}

// receiveStatus applies a status update (SetStatus sends it).
func (d *Device) receiveStatus(ctx context.Context, in *inbound, p *payload.StatusUpdate) (func(*casestore.Tx) error, error) {
	k, err := workflow.StatusEvent(p.Status)
	if err != nil {
		return nil, err
	}
	ev := workflow.Event{Kind: k, Status: p.Status, Why: p.Note, Effective: p.Effective}
	if k == workflow.EventFilled {
		ev.Landlord = in.me
		ev.Effective = ""
	}
	return d.receiveEvents(ctx, in, &received{caseID: p.Case, kind: casestore.KindStatus, events: oneEvent(ev)})
}

// receiveOutcome records an outcome statistic; only the scheme
// coordinator receives them.
func (d *Device) receiveOutcome(ctx context.Context, in *inbound, p *payload.Outcome) (func(*casestore.Tx) error, error) {
	e, err := d.Directory().Org(in.me)
	if err != nil || e.Cert.Kind != crypto.KindCoordinator {
		return nil, errors.New("outcome statistics go only to the scheme coordinator; this organisation is not one")
	}
	if err := d.checkOutcome(in.sender(), p); err != nil {
		return nil, err
	}
	rec := &casestore.OutcomeRecord{ID: p.Outcome, Giving: p.GivingLandlord, Receiving: p.ReceivingLandlord,
		MovedMonth: p.MovedMonth, DaysToRehouse: p.DaysToRehouse, Bedrooms: p.Bedrooms, SenderOrg: in.sender(), Received: in.now,
		Role: p.Role, Token: p.Token}
	return func(tx *casestore.Tx) error {
		_, err := tx.AddOutcome(ctx, rec)
		return err
	}, nil
}

// checkOutcome refuses an outcome statistic whose sender was not in the
// role it attests: the receiving landlord's attestation must come from the
// receiving landlord itself, and the nominator's from another organisation
// (a nominating organisation cannot be a candidate); the receiving
// landlord must be a landlord, and the giving landlord, when named,
// another landlord. A move counts in the balance only once both
// attestations with the same token have arrived (Balance).
func (d *Device) checkOutcome(sender crypto.OrgID, p *payload.Outcome) error {
	if p.Role == payload.OutcomeByReceivingLandlord {
		if crypto.OrgID(p.ReceivingLandlord) != sender {
			return fmt.Errorf("outcome %s: %w: a receiving landlord's attestation sent by another organisation", p.Outcome, ErrOutcomeRefused)
		}
		return d.checkOutcomeLandlords(p)
	}
	if [16]byte(p.ReceivingLandlord) == [16]byte(sender) {
		return fmt.Errorf("outcome %s: %w: sent by the receiving landlord itself, which cannot have nominated the household", p.Outcome, ErrOutcomeRefused)
	}
	return d.checkOutcomeLandlords(p)
}

// checkOutcomeLandlords checks the landlords an outcome names.
func (d *Device) checkOutcomeLandlords(p *payload.Outcome) error {
	dir := d.Directory()
	isLandlord := func(id payload.ID) bool {
		e, err := dir.Org(crypto.OrgID(id))
		return err == nil && e.Cert.Kind == crypto.KindLandlord
	}
	switch {
	case !isLandlord(p.ReceivingLandlord):
		return fmt.Errorf("outcome %s: %w: the receiving organisation is not a landlord", p.Outcome, ErrOutcomeRefused)
	case !p.GivingLandlord.IsZero() && !isLandlord(p.GivingLandlord):
		return fmt.Errorf("outcome %s: %w: the giving organisation is not a landlord", p.Outcome, ErrOutcomeRefused)
	case p.GivingLandlord == p.ReceivingLandlord:
		return fmt.Errorf("outcome %s: %w: the same landlord gives and receives", p.Outcome, ErrOutcomeRefused)
	}
	return nil
}
