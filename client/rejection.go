package client

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// Signed rejection receipts (issue 12). A device that refuses an envelope
// for good tells its sender, so that nothing is dropped without a word: it
// queues a DeliveryReceipt with Rejected set to a code (never the error's
// text, which could quote the packet), signed like every envelope. The
// sender's case then shows "not accepted by ORGANISATION: REASON".
//
// Who is told:
//   - when the envelope opened (its inner signature verified), the sender's
//     organisation;
//   - when it did not (it could not be decrypted, so its sender is
//     unknown: the outer envelope names no sender, and the relay keeps
//     none), every organisation this one shares a case with. Each of them
//     records the rejection only if it sent that envelope to this
//     organisation, and ignores it otherwise; what the others learn is that
//     this organisation could not open an envelope with a random id.
//
// No rejection receipt answers a receipt (delivery, read or recall), so
// two devices can never trade rejections for ever.

// rejectionCode maps why an envelope was refused to a payload.Rejected*
// code.
func rejectionCode(opened *crypto.Opened, err error) string {
	switch {
	case opened == nil:
		return payload.RejectedUndecryptable
	case errors.Is(err, ErrDatedInFuture):
		return payload.RejectedClock
	case errors.Is(err, ErrEnvelopeLifetime):
		return payload.RejectedExpired
	}
	return payload.RejectedRule
}

// rejectionReceipts returns the store function that queues the rejection
// receipts for envelope id, refused with err (opened is nil when it did not
// open), or nil when nobody is to be told.
func (d *Device) rejectionReceipts(ctx context.Context, id crypto.EnvelopeID, opened *crypto.Opened, err error, now time.Time) func(*casestore.Tx) error {
	var to []crypto.OrgID
	if opened != nil {
		switch opened.PayloadType {
		case payload.TypeDeliveryReceipt, payload.TypeReadReceipt, payload.TypeRecallReceipt:
			return nil
		}
		if opened.Sender.Org == d.secrets.Org {
			return nil // a colleague's device: nothing to report across organisations
		}
		to = []crypto.OrgID{opened.Sender.Org}
	} else {
		cases, cerr := d.store.Cases(ctx)
		if cerr != nil {
			return nil
		}
		for _, c := range cases {
			for _, o := range c.Organisations {
				if org := crypto.OrgID(o); org != d.secrets.Org && !slices.Contains(to, org) {
					to = append(to, org)
				}
			}
		}
	}
	r := &payload.DeliveryReceipt{Schema: payload.SchemaVersion, Envelope: payload.ID(id), ReadAt: now.Unix(), Rejected: rejectionCode(opened, err)}
	var envs []*sealed
	for _, org := range to {
		s, serr := d.seal(org, r, now)
		if serr != nil || s == nil {
			continue // nobody there to tell (no current device, revoked): nothing more to do
		}
		envs = append(envs, s)
	}
	if len(envs) == 0 {
		return nil
	}
	return func(tx *casestore.Tx) error { return queueCase(ctx, tx, envs, [16]byte{}, now) }
}

// applyRejection records a rejection receipt for an envelope this device
// sent to sender's organisation; one about an envelope it did not send
// there is ignored (see above: an undecryptable envelope is reported to
// every case partner).
func (d *Device) applyRejection(ctx context.Context, o *crypto.Opened, p *payload.DeliveryReceipt, sender crypto.OrgID, now time.Time) (func(*casestore.Tx) error, error) {
	caseID, mailbox, ok, err := d.store.SentIn(ctx, [16]byte(p.Envelope))
	if err != nil {
		return nil, err
	}
	if !ok || mailbox != [16]byte(sender) {
		return func(*casestore.Tx) error { return nil }, nil
	}
	return func(tx *casestore.Tx) error {
		return tx.AddRejection(ctx, &casestore.Rejection{Envelope: [16]byte(o.ID), Case: caseID, For: [16]byte(p.Envelope),
			Org: [16]byte(sender), Device: [16]byte(o.Sender.Device), Code: p.Rejected, At: now})
	}, nil
}
