package client

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// SendMessage sends a case message hub and spoke: from the nominating
// organisation to every other organisation still in the case, from any
// other organisation to the nominator only; this organisation's other
// devices get a copy. The message passes the disclosure guard first,
// whether it goes to one organisation or several, unless it goes only to
// the landlord the household's details were released to. It returns the
// id of the first envelope, which keys the message locally.
func (d *Device) SendMessage(ctx context.Context, caseID payload.ID, text string) (crypto.EnvelopeID, error) {
	m := &payload.CaseMessage{Schema: payload.SchemaVersion, Case: caseID, Text: text}
	if err := m.Validate(); err != nil {
		return crypto.EnvelopeID{}, fmt.Errorf("send message: %w", err)
	}
	wc, known, err := d.loadFlow(ctx, d.store, caseID)
	if err != nil {
		return crypto.EnvelopeID{}, fmt.Errorf("send message: %w", err)
	}
	if !known {
		return crypto.EnvelopeID{}, fmt.Errorf("send message: case %s: %w", caseID, ErrNotInCase)
	}
	to := d.spokes(wc)
	pkts := []*outgoing{{event: &workflow.Event{Kind: workflow.EventMessage, Orgs: to}, p: m, to: to, ownCopy: true,
		kind: casestore.KindMessage, guarded: true}}
	ids, err := d.sendPackets(ctx, caseID, nil, pkts, nil)
	if err != nil {
		if len(ids) > 0 {
			return ids[0], fmt.Errorf("send message: %w", err)
		}
		return crypto.EnvelopeID{}, fmt.Errorf("send message: %w", err)
	}
	return ids[0], nil
}

// receiveMessage applies a case message (SendMessage sends it) and owes
// its sender a delivery receipt.
func (d *Device) receiveMessage(ctx context.Context, in *inbound, p *payload.CaseMessage) (func(*casestore.Tx) error, error) {
	return d.receiveEvents(ctx, in, &received{caseID: p.Case, kind: casestore.KindMessage, oweReceipt: true,
		events: d.spokeEvent(workflow.EventMessage, in.mine, [16]byte{})})
}
