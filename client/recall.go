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

// ErrNotSentHere means a recall named an envelope this device did not send
// in the case.
var ErrNotSentHere = errors.New("not a packet this device sent in the case")

// Recall asks every recipient of packets this device sent in error to shred
// them. envelopes may name a packet by its entry id (CaseEntry.Envelope) or
// by any of the envelopes it went out in; each organisation is sent a
// recall naming the envelopes it received (this organisation's other
// devices included). Honest recipients shred the packets and confirm with a
// signed recall receipt, which the case then shows (ReceiptRecall). The
// reason passes the disclosure guard.
func (d *Device) Recall(ctx context.Context, id payload.ID, envelopes []crypto.EnvelopeID, reason string) error {
	if len(envelopes) == 0 {
		return errors.New("recall: no envelope named")
	}
	sent, err := d.store.SentEnvelopes(ctx, [16]byte(id))
	if err != nil {
		return fmt.Errorf("recall: %w", err)
	}
	if _, err := d.store.Case(ctx, [16]byte(id)); errors.Is(err, casestore.ErrNoCase) {
		return fmt.Errorf("recall: case %s: %w", id, ErrNotInCase)
	}
	var entries [][16]byte
	for _, e := range envelopes {
		i := slices.IndexFunc(sent, func(s casestore.SentEnvelope) bool { return s.Envelope == [16]byte(e) || s.Entry == [16]byte(e) })
		if i < 0 {
			return fmt.Errorf("recall: envelope %s: %w", e, ErrNotSentHere)
		}
		if !slices.Contains(entries, sent[i].Entry) {
			entries = append(entries, sent[i].Entry)
		}
	}
	byOrg := map[crypto.OrgID][]payload.ID{}
	var orgs []crypto.OrgID
	for _, s := range sent {
		if !slices.Contains(entries, s.Entry) {
			continue
		}
		org := crypto.OrgID(s.Mailbox)
		if _, ok := byOrg[org]; !ok {
			orgs = append(orgs, org)
		}
		byOrg[org] = append(byOrg[org], payload.ID(s.Envelope))
	}
	var pkts []*outgoing
	for _, org := range orgs {
		envs := byOrg[org]
		for len(envs) > 0 {
			n := min(len(envs), payload.MaxRecallEnvelopes)
			p := &outgoing{p: &payload.Recall{Schema: payload.SchemaVersion, Case: id, Envelopes: envs[:n], Reason: reason},
				kind: casestore.KindRecall, guarded: true}
			if org == d.secrets.Org {
				p.ownCopy = true
			} else {
				p.to = []crypto.OrgID{org}
			}
			if len(pkts) == 0 {
				p.event = &workflow.Event{Kind: workflow.EventRecalled, Packet: entries[0]}
			}
			pkts = append(pkts, p)
			envs = envs[n:]
		}
	}
	// The recalled packets are no longer handed over to new colleagues.
	err = d.store.Update(ctx, func(tx *casestore.Tx) error {
		for _, s := range sent {
			if slices.Contains(entries, s.Entry) {
				if err := tx.DeletePacket(ctx, [16]byte(id), s.Envelope); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recall: %w", err)
	}
	if _, err := d.sendPackets(ctx, id, nil, pkts, nil); err != nil {
		return fmt.Errorf("recall: %w", err)
	}
	return nil
}

// receiveRecall shreds the packets a recall names (only those the
// recalling organisation sent) and answers with a signed recall receipt
// listing them.
func (d *Device) receiveRecall(ctx context.Context, in *inbound, p *payload.Recall) (func(*casestore.Tx) error, error) {
	caseID := p.Case
	entries, err := d.store.Entries(ctx, [16]byte(caseID))
	if err != nil && !errors.Is(err, casestore.ErrNoCase) {
		return nil, err
	}
	held, referral := heldFrom(entries, in.sender(), p.Envelopes)
	var replies []*sealed
	if len(held) > 0 && !in.mine {
		s, err := d.sealRecallReceipt(in.sender(), &payload.RecallReceipt{Schema: payload.SchemaVersion, Case: p.Case, Envelopes: held, ShreddedAt: in.now.Unix()}, in.now)
		if err != nil {
			return nil, err
		}
		if s != nil {
			replies = []*sealed{s}
		}
	}
	rc := &received{caseID: p.Case, kind: casestore.KindRecall, replies: replies,
		events: oneEvent(workflow.Event{Kind: workflow.EventRecalled, Packet: p.Envelopes[0], RecalledReferral: referral}),
		extra: func(tx *casestore.Tx, _ *workflow.Case) error {
			for _, e := range held {
				if _, err := tx.DeleteEntry(ctx, [16]byte(caseID), e, in.sender()); err != nil {
					return err
				}
			}
			return nil
		}}
	return d.receiveEvents(ctx, in, rc)
}

// heldFrom returns which of the recalled envelopes this device holds as
// received from org, and whether one of them is the referral.
func heldFrom(entries []*casestore.Entry, org crypto.OrgID, recalled []payload.ID) (held []payload.ID, referral bool) {
	for _, e := range entries {
		if e.Unreadable || e.SenderOrg != org || e.Direction != casestore.DirectionReceived || !slices.Contains(recalled, payload.ID(e.Envelope)) {
			continue
		}
		held = append(held, payload.ID(e.Envelope))
		referral = referral || e.Kind == casestore.KindReferral
	}
	return held, referral
}

// sealRecallReceipt seals the receipt for a recall from org. With a stale
// view it returns nil: the packets are shredded anyway and the recalling
// organisation sees no receipt yet.
func (d *Device) sealRecallReceipt(org crypto.OrgID, rr *payload.RecallReceipt, now time.Time) (*sealed, error) {
	s, err := d.seal(org, rr, now)
	switch {
	case errors.Is(err, ErrViewStale), errors.Is(err, ErrNoRecipients):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("seal recall receipt: %w", err)
	}
	return s, nil
}

// receiveRecallReceipt checks a partner's recall receipt; the entry is its
// record.
func (d *Device) receiveRecallReceipt(ctx context.Context, in *inbound, p *payload.RecallReceipt) (func(*casestore.Tx) error, error) {
	if err := d.checkReceiptFor(ctx, p.Case, in.sender(), p.Envelopes...); err != nil {
		return nil, err
	}
	rc := &received{caseID: p.Case, kind: casestore.KindRecallReceipt, events: func(wc *workflow.Case) ([]workflow.Event, error) {
		if !in.mine && wc.RoleOf(in.sender()) == workflow.RoleNone {
			return nil, fmt.Errorf("recall receipt: %w", ErrNotPartOfCase)
		}
		return nil, nil
	}}
	return d.receiveEvents(ctx, in, rc)
}
