package client

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// MarkRead records that the user opened the case: it sends a signed read
// receipt for each packet received from another organisation and not yet
// marked read (for an attachment, its first chunk) to that packet's
// sender's organisation. The sender's case then shows which device at
// which organisation opened which packet, and when.
func (d *Device) MarkRead(ctx context.Context, id payload.ID) error {
	entries, err := d.store.Entries(ctx, [16]byte(id))
	if errors.Is(err, casestore.ErrNoCase) {
		return fmt.Errorf("mark read: case %s: %w", id, ErrNotInCase)
	}
	if err != nil {
		return fmt.Errorf("mark read %s: %w", id, err)
	}
	read := map[payload.ID]bool{}
	for _, e := range entries {
		if e.Unreadable {
			continue
		}
		if e.Kind == casestore.KindReadReceipt && e.Direction == casestore.DirectionSent {
			p, err := payload.Unmarshal(payload.TypeReadReceipt, e.Body)
			if err != nil {
				return fmt.Errorf("mark read %s: entry %x: %w", id, e.Envelope, err)
			}
			read[p.(*payload.ReadReceipt).Envelope] = true
		}
	}
	now := d.now()
	var pkts []*outgoing
	for _, e := range entries {
		if e.Unreadable {
			continue
		}
		if e.Direction != casestore.DirectionReceived || e.SenderOrg == d.secrets.Org || read[payload.ID(e.Envelope)] {
			continue
		}
		switch e.Kind {
		case casestore.KindReadReceipt, casestore.KindRecallReceipt:
			continue
		case casestore.KindAttachment:
			p, err := payload.Unmarshal(payload.TypeAttachmentChunk, e.Body)
			if err != nil {
				return fmt.Errorf("mark read %s: entry %x: %w", id, e.Envelope, err)
			}
			if p.(*payload.AttachmentChunk).Index != 0 {
				continue
			}
		}
		rr := &payload.ReadReceipt{Schema: payload.SchemaVersion, Envelope: payload.ID(e.Envelope), Case: id, ReadAt: now.Unix()}
		pkts = append(pkts, &outgoing{event: &workflow.Event{Kind: workflow.EventRead, Packet: e.Envelope}, p: rr,
			to: []crypto.OrgID{e.SenderOrg}, kind: casestore.KindReadReceipt})
	}
	if len(pkts) == 0 {
		return nil
	}
	if _, err := d.sendPackets(ctx, id, nil, pkts, nil); err != nil {
		return fmt.Errorf("mark read %s: %w", id, err)
	}
	return nil
}

// receiveReadReceipt records that a partner read a packet (MarkRead sends
// them).
func (d *Device) receiveReadReceipt(ctx context.Context, in *inbound, p *payload.ReadReceipt) (func(*casestore.Tx) error, error) {
	if err := d.checkReceiptFor(ctx, p.Case, in.sender(), p.Envelope); err != nil {
		return nil, err
	}
	ev := workflow.Event{Kind: workflow.EventRead, Packet: p.Envelope}
	return d.receiveEvents(ctx, in, &received{caseID: p.Case, kind: casestore.KindReadReceipt, events: oneEvent(ev)})
}

// receiveDeliveryReceipt records a delivery receipt (sent at the end of a
// sync, sync.go) for each envelope it answers, or a rejection receipt
// (rejection.go).
func (d *Device) receiveDeliveryReceipt(ctx context.Context, in *inbound, p *payload.DeliveryReceipt) (func(*casestore.Tx) error, error) {
	if p.Rejected != "" {
		return d.applyRejection(ctx, in.o, p, in.sender(), in.now)
	}
	ids := append([]payload.ID{p.Envelope}, p.Also...)
	if err := d.checkReceiptFor(ctx, p.Case, in.sender(), ids...); err != nil {
		return nil, err
	}
	o := in.o
	return func(tx *casestore.Tx) error {
		for i, id := range ids {
			// One row per envelope answered; the first is keyed by the
			// receipt's own envelope id, the others by a digest of it and
			// the envelope answered.
			key := [16]byte(o.ID)
			if i > 0 {
				h := sha256.Sum256(append(o.ID[:], id[:]...))
				key = [16]byte(h[:16])
			}
			if err := tx.AddReceipt(ctx, &casestore.Receipt{Envelope: key, Case: p.Case, For: id,
				ReaderOrg: in.sender(), ReaderDevice: o.Sender.Device, ReadAt: time.Unix(p.ReadAt, 0), Received: in.now}); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// checkReceiptFor refuses a receipt (delivery, read or recall) from org
// that names an envelope this device sent in the case to another
// organisation's mailbox: a recipient can vouch only for what it received.
// An envelope this device did not send (a colleague's) cannot be checked
// here and is left to the workflow.
func (d *Device) checkReceiptFor(ctx context.Context, caseID payload.ID, org crypto.OrgID, envs ...payload.ID) error {
	sent, err := d.store.SentEnvelopes(ctx, [16]byte(caseID))
	if err != nil && !errors.Is(err, casestore.ErrNoCase) {
		return err
	}
	for _, e := range envs {
		for _, s := range sent {
			if s.Envelope == [16]byte(e) && s.Mailbox != [16]byte(org) {
				return fmt.Errorf("receipt from %s for envelope %x: %w", org, e, ErrReceiptMismatch)
			}
		}
	}
	return nil
}
