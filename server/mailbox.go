package server

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/server/store"
)

// deliverBatch is how many envelopes a connection's writer reads from the
// store at a time.
const deliverBatch = 64

// handleSend stores an envelope for its mailbox and acknowledges it once it
// is durable. The relay reads only the outer envelope: id, mailbox, expiry.
func (c *conn) handleSend(ctx context.Context, f *protocol.Send) {
	s := c.s
	if !s.allowSend(c.device) {
		c.sendError(protocol.CodeRateLimited, "sending too fast; wait a moment and try again", f.ReqID, false)
		return
	}
	if len(f.Envelope) > crypto.MaxEnvelopeSize {
		c.sendError(protocol.CodeEnvelopeTooLarge, fmt.Sprintf("envelope is %d bytes; the limit is %d", len(f.Envelope), crypto.MaxEnvelopeSize), f.ReqID, false)
		return
	}
	env, err := crypto.ParseEnvelope(f.Envelope)
	if err != nil {
		code := protocol.CodeMalformedFrame
		if errors.Is(err, crypto.ErrTooLarge) {
			code = protocol.CodeEnvelopeTooLarge
		}
		c.sendError(code, "cannot read envelope: "+err.Error(), f.ReqID, false)
		return
	}
	now := s.cfg.Now()
	org, err := s.dir.Org(env.Mailbox)
	if err != nil || org.Revoked != nil {
		c.sendError(protocol.CodeUnknownMailbox, "no current organisation has this mailbox", f.ReqID, false)
		return
	}
	// Every current device of the mailbox's organisation gets it, the
	// sender's own included (which acknowledges it at once): leaving the
	// sender out would record in the store who sent it.
	devices := s.mailboxes.current(s, env.Mailbox, now)
	expiry := env.Expiry
	if max := now.Add(s.cfg.MailboxTTL); expiry.IsZero() || expiry.After(max) {
		expiry = max
	}
	if !expiry.After(now) {
		c.sendError(protocol.CodeMalformedFrame, "envelope has already expired", f.ReqID, false)
		return
	}
	if len(devices) == 0 {
		// Nobody to deliver to (the organisation has no current device):
		// nothing to store, and nothing lost.
		c.enqueue(&protocol.SendOK{ReqID: f.ReqID, ID: [16]byte(env.ID)})
		return
	}
	own := slices.Contains(devices, [16]byte(c.device))
	// Recipients get the envelope as soon as the store has committed it,
	// while its sync to disk is in flight; SendOK waits for the sync. Were
	// the relay to die in between, the sender, never told SendOK, sends
	// it again and recipients drop the second copy by id.
	stored := func() {
		if own {
			// The sender's own copy comes back to it: acknowledging that
			// copy must not earn the send credit an envelope from someone
			// else does (ratelimit.go), or sending to its own organisation
			// would cost a device nothing. Taken before the copy can be
			// delivered and acknowledged.
			c.uncredited.Add(-1)
		}
		s.handOff(env.Mailbox, [16]byte(env.ID), devices, f.Envelope)
	}
	err = s.store.PutEnvelope(ctx, store.Envelope{
		ID: [16]byte(env.ID), Mailbox: [16]byte(env.Mailbox), Expiry: expiry, Body: f.Envelope, Received: now,
	}, devices, s.cfg.MailboxQuota, stored)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		c.sendError(protocol.CodeDuplicateEnvelope, "the relay already holds an envelope with this id", f.ReqID, false)
		return
	case errors.Is(err, store.ErrMailboxFull):
		c.sendError(protocol.CodeMailboxFull, "the recipient's mailbox is full; try again later or tell the scheme coordinator", f.ReqID, false)
		return
	case err != nil && ctx.Err() != nil:
		return // the connection ended while the envelope was being stored
	case err != nil:
		c.storeFailed(ctx, "store envelope", err, f.ReqID, false)
		return
	}
	s.metrics.envelopesStored.Inc()
	c.enqueue(&protocol.SendOK{ReqID: f.ReqID, ID: [16]byte(env.ID)})
}

// handleAck hands this device's acknowledgements to the relay's acker,
// which applies those of every connection together every few
// milliseconds. A batch that fails to apply is logged and counted; its
// envelopes are delivered again later, which devices deduplicate
// (protocol/SPEC.md, "Delivery").
func (c *conn) handleAck(ctx context.Context, f *protocol.Ack) {
	c.forget(f.IDs)
	c.s.creditSend(c.device, c.takeDelivered(f.IDs))
	c.s.acker.add(ctx, store.Acks{Device: [16]byte(c.device), IDs: f.IDs})
}
