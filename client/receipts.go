package client

import (
	"context"
	"errors"
	"fmt"

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
func (d *Device) MarkRead(ctx context.Context, id crypto.CaseID) error {
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
		rr := &payload.ReadReceipt{Schema: payload.SchemaVersion, Envelope: payload.ID(e.Envelope), Case: payload.ID(id), ReadAt: now.Unix()}
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
