package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// Receive-side refusals callers branch on (wrapped in Rejection.Err).
var (
	// ErrReceiptMismatch means a receipt named an envelope this device sent
	// to another organisation, not to the receipt's sender.
	ErrReceiptMismatch = errors.New("receipt names an envelope sent to another organisation")
	// ErrOutcomeRefused means an outcome statistic could not have come from
	// the nominator of a move (see checkOutcome).
	ErrOutcomeRefused = errors.New("outcome statistic refused")
	// ErrCaseIDNotBound means a referral's case id does not derive from its
	// verified sender organisation and its case nonce
	// (payload.CaseIDFor): only a case's nominator can send its referral,
	// so another organisation re-using a case id it has seen is refused.
	ErrCaseIDNotBound = errors.New("case id is not bound to the sending organisation")
)

// refusal is a received packet refused inside the store transaction (an
// illegal workflow step, a sender outside the case): the envelope is then
// recorded as rejected, acknowledged, and nothing else changes.
type refusal struct{ err error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// isRefusal reports whether err is a refusal decided in the transaction.
func isRefusal(err error) bool {
	var r *refusal
	return errors.As(err, &r)
}

// received is how one received payload changes this device's case.
type received struct {
	caseID payload.ID
	// events computes the workflow events from this organisation's own
	// view of the case (never from a role or stage the sender claims).
	events func(wc *workflow.Case) ([]workflow.Event, error)
	// base carries the reference and districts of a referral.
	base *casestore.Case
	// kind is the entry kind stored ("" stores none).
	kind string
	// once, when not zero, applies the events only the first time a packet
	// of this id is seen (the chunks of one attachment).
	once [16]byte
	// extra runs after the case is saved, inside the transaction.
	extra func(tx *casestore.Tx, wc *workflow.Case) error
	// precheck runs first inside the transaction: skip stores nothing
	// (a duplicate), an error refuses the packet.
	precheck func(tx *casestore.Tx) (skip bool, err error)
	// replies are queued in the same transaction.
	replies []*sealed
	// oweReceipt records, in the same transaction, that a delivery
	// receipt is owed to the sender (sealed, batched, at the end of the
	// sync: receipts.go).
	oweReceipt bool
}

// applyPayload returns the function that applies a verified, decoded
// payload inside the store transaction (see receive). Errors returned here
// reject the envelope for good.
func (d *Device) applyPayload(ctx context.Context, o *crypto.Opened, p payload.Payload, now time.Time) (func(*casestore.Tx) error, error) {
	return d.applyPayloadFor(ctx, o, p, now, false)
}

// applyPayloadFor is applyPayload; handedOver marks a packet handed over
// by a colleague's device (handover.go), which sends no receipts: the
// organisation answered it when it first arrived.
func (d *Device) applyPayloadFor(ctx context.Context, o *crypto.Opened, p payload.Payload, now time.Time, handedOver bool) (func(*casestore.Tx) error, error) {
	receive, ok := receivers[p.PayloadType()]
	if !ok {
		return nil, fmt.Errorf("payload type %q is not handled by this version", o.PayloadType)
	}
	in := &inbound{o: o, now: now, me: d.secrets.Org, mine: o.Sender.Org == d.secrets.Org, handedOver: handedOver,
		actor: workflow.Party{Org: o.Sender.Org, Device: o.Sender.Device, OrgName: o.SenderOrg.Name, DeviceName: o.Sender.Name}}
	return receive(d, ctx, in, p)
}

// inbound is one verified packet being received: what every payload's
// receive function needs besides the payload itself.
type inbound struct {
	o   *crypto.Opened
	now time.Time
	// me is this device's organisation; mine reports that a colleague's
	// device sent the packet (a copy of what this organisation sent).
	me   crypto.OrgID
	mine bool
	// actor is the verified sender, as recorded in the workflow.
	actor workflow.Party
	// handedOver marks a packet handed over by a colleague's device: it
	// queues no replies.
	handedOver bool
}

// sender returns the verified sending organisation.
func (in *inbound) sender() crypto.OrgID { return in.o.Sender.Org }

// receiveFunc is one payload type's receive side: it checks what can be
// checked outside the store transaction and returns the transaction body.
type receiveFunc func(d *Device, ctx context.Context, in *inbound, p payload.Payload) (func(*casestore.Tx) error, error)

// receiverOf adapts the receive function for payload type P.
func receiverOf[P payload.Payload](f func(*Device, context.Context, *inbound, P) (func(*casestore.Tx) error, error)) receiveFunc {
	return func(d *Device, ctx context.Context, in *inbound, p payload.Payload) (func(*casestore.Tx) error, error) {
		tp, ok := p.(P)
		if !ok {
			return nil, fmt.Errorf("payload type %q decoded as %T", p.PayloadType(), p)
		}
		return f(d, ctx, in, tp)
	}
}

// receivers maps each payload type to its receive function, which lives
// beside the payload's send side. It is never written after init.
var receivers = map[string]receiveFunc{
	payload.TypeReferral:         receiverOf((*Device).receiveReferral),
	payload.TypeApproval:         receiverOf((*Device).receiveApproval),
	payload.TypeOffer:            receiverOf((*Device).receiveOffer),
	payload.TypeOfferDecision:    receiverOf((*Device).receiveOfferDecision),
	payload.TypeHouseholdDetails: receiverOf((*Device).receiveDetails),
	payload.TypeStatusUpdate:     receiverOf((*Device).receiveStatus),
	payload.TypeOutcome:          receiverOf((*Device).receiveOutcome),
	payload.TypeCaseMessage:      receiverOf((*Device).receiveMessage),
	payload.TypeAttachmentChunk:  receiverOf((*Device).receiveChunk),
	payload.TypeReadReceipt:      receiverOf((*Device).receiveReadReceipt),
	payload.TypeDeliveryReceipt:  receiverOf((*Device).receiveDeliveryReceipt),
	payload.TypeRecall:           receiverOf((*Device).receiveRecall),
	payload.TypeRecallReceipt:    receiverOf((*Device).receiveRecallReceipt),
}

// receiveEvents returns the transaction that applies rc, the common shape
// of the workflow payloads.
func (d *Device) receiveEvents(ctx context.Context, in *inbound, rc *received) (func(*casestore.Tx) error, error) {
	if in.handedOver {
		rc.replies = nil
	}
	return d.applyReceived(ctx, in.o, in.actor, rc, in.now), nil
}

// oneEvent returns an events function that records ev.
func oneEvent(ev workflow.Event) func(*workflow.Case) ([]workflow.Event, error) {
	return func(*workflow.Case) ([]workflow.Event, error) { return []workflow.Event{ev}, nil }
}

// spokeEvent builds a message or attachment event: a colleague's copy goes
// where the workflow sends this organisation's packets, another
// organisation's packet is addressed to this one.
func (d *Device) spokeEvent(k workflow.EventKind, mine bool, packet [16]byte) func(*workflow.Case) ([]workflow.Event, error) {
	return func(wc *workflow.Case) ([]workflow.Event, error) {
		orgs := []crypto.OrgID{d.secrets.Org}
		if mine {
			orgs = d.spokes(wc)
		}
		return []workflow.Event{{Kind: k, Orgs: orgs, Packet: packet}}, nil
	}
}

// applyReceived is the transaction body shared by the workflow payloads.
func (d *Device) applyReceived(ctx context.Context, o *crypto.Opened, actor workflow.Party, rc *received, now time.Time) func(*casestore.Tx) error {
	caseID := rc.caseID
	return func(tx *casestore.Tx) error {
		wc, known, err := d.loadFlow(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if rc.precheck != nil && known {
			skip, err := rc.precheck(tx)
			if err != nil {
				return &refusal{err}
			}
			if skip {
				return nil
			}
		}
		evs, err := rc.events(wc)
		if err != nil {
			return &refusal{err}
		}
		if rc.once != ([16]byte{}) && slices.ContainsFunc(wc.History, func(e workflow.Event) bool { return e.Packet == rc.once }) {
			// A later chunk: check it as if first, but record the event once.
			check := wc.Clone()
			for _, ev := range evs {
				ev.Actor, ev.At = actor, o.Created
				if err := check.Apply(ev); err != nil {
					return &refusal{err}
				}
			}
			evs = nil
		}
		for _, ev := range evs {
			ev.Actor, ev.At = actor, o.Created
			if rc.kind != "" {
				ev.Envelope = o.ID // the entry stored below
			}
			if err := wc.Apply(ev); err != nil {
				if known && wc.RoleOf(actor.Org) == workflow.RoleNone {
					return &refusal{fmt.Errorf("%w: %w", ErrNotPartOfCase, err)}
				}
				return &refusal{err}
			}
		}
		if !known && len(evs) == 0 {
			return &refusal{fmt.Errorf("case %s: %w", caseID, ErrNotInCase)}
		}
		if len(evs) > 0 {
			if err := d.saveFlow(ctx, tx, wc, rc.base); err != nil {
				return err
			}
		}
		if rc.kind != "" {
			if err := tx.AddEntry(ctx, &casestore.Entry{Envelope: o.ID, Case: rc.caseID, Kind: rc.kind, Direction: casestore.DirectionReceived,
				At: o.Created, SenderOrg: actor.Org, SenderDevice: actor.Device,
				SenderOrgName: actor.OrgName, SenderDeviceName: actor.DeviceName, Body: o.Payload}); err != nil {
				return err
			}
		}
		if rc.extra != nil {
			if err := rc.extra(tx, wc); err != nil {
				return err
			}
		}
		if rc.oweReceipt {
			if err := tx.OweReceipt(ctx, &casestore.OwedReceipt{Envelope: [16]byte(o.ID), Org: actor.Org, Case: rc.caseID, At: now}); err != nil {
				return err
			}
		}
		return queueCase(ctx, tx, rc.replies, rc.caseID, now)
	}
}

// spokes returns where this organisation's case messages and attachments
// go (hub and spoke): from the nominator to every other organisation still
// in the case, from anyone else to the nominator only.
func (d *Device) spokes(wc *workflow.Case) []crypto.OrgID {
	if wc.MyRole() == workflow.RoleNominator {
		return wc.Organisations()
	}
	return d.nominatorOf(wc)
}
