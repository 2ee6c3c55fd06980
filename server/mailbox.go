package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/server/store"
)

// deliverBatch is how many envelopes the delivery loop reads from the store
// at a time.
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
	var devices [][16]byte
	for _, d := range s.dir.CurrentDevices(env.Mailbox, now) {
		devices = append(devices, [16]byte(d.Cert.Device))
	}
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
	err = s.store.PutEnvelope(ctx, store.Envelope{
		ID: [16]byte(env.ID), Mailbox: [16]byte(env.Mailbox), Expiry: expiry, Body: f.Envelope, Received: now,
	}, devices, s.cfg.MailboxQuota)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		c.sendError(protocol.CodeDuplicateEnvelope, "the relay already holds an envelope with this id", f.ReqID, false)
		return
	case errors.Is(err, store.ErrMailboxFull):
		c.sendError(protocol.CodeMailboxFull, "the recipient's mailbox is full; try again later or tell the scheme coordinator", f.ReqID, false)
		return
	case err != nil:
		s.cfg.Logger.Error("store envelope", "err", err)
		c.sendError(protocol.CodeInternal, "the relay could not store the envelope; try again", f.ReqID, false)
		return
	}
	s.metrics.envelopesStored.Inc()
	c.enqueue(&protocol.SendOK{ReqID: f.ReqID, ID: [16]byte(env.ID)})
	s.wakeMailbox(env.Mailbox)
}

// handleAck records that this device has processed envelopes; an envelope
// every device has acknowledged is deleted.
func (c *conn) handleAck(ctx context.Context, f *protocol.Ack) {
	n, err := c.s.store.Ack(ctx, [16]byte(c.device), f.IDs)
	if err != nil {
		c.s.cfg.Logger.Error("acknowledge envelopes", "err", err)
		c.sendError(protocol.CodeInternal, "the relay could not record the acknowledgement; it will be redelivered", 0, false)
		return
	}
	c.s.metrics.envelopesDeleted.Add(float64(n))
}

// deliverLoop sends the device everything pending for it, in arrival order,
// then Drained, then whatever arrives later. Each connection starts from the
// beginning of the device's queue: anything not acknowledged on an earlier
// connection is sent again (clients deduplicate by envelope id).
func (c *conn) deliverLoop(ctx context.Context) {
	defer c.s.connWG.Done()
	var cursor uint64
	drained := false
	for {
		for {
			envs, err := c.s.store.Pending(ctx, [16]byte(c.device), cursor, deliverBatch, c.s.cfg.Now())
			if err != nil {
				if ctx.Err() == nil {
					c.s.cfg.Logger.Error("read pending envelopes", "err", err)
					c.closeWith(protocol.CodeInternal, "the relay cannot read your mailbox; reconnect shortly", "store-error")
				}
				return
			}
			for _, e := range envs {
				if !c.enqueueDelivery(ctx, &protocol.Deliver{Envelope: e.Body}) {
					return
				}
				c.s.metrics.envelopesDeliver.Inc()
				cursor = e.Seq
			}
			if len(envs) < deliverBatch {
				break
			}
		}
		if !drained {
			drained = true
			if !c.enqueueDelivery(ctx, &protocol.Drained{}) {
				return
			}
		}
		select {
		case <-c.wakeup:
		case <-c.closed:
			return
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
			// Belt and braces: look again even if a wake-up was lost.
		}
	}
}
