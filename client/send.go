package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/protocol/payload"
)

// Errors callers branch on.
var (
	// ErrNoRecipients means an organisation has no current device to seal to.
	ErrNoRecipients = errors.New("organisation has no current devices")
	// ErrOrgRevoked means an organisation was removed from the scheme.
	ErrOrgRevoked = errors.New("organisation revoked")
	// ErrNotSent means envelopes were recorded but not all reached the
	// relay; the next Sync sends them.
	ErrNotSent = errors.New("not every envelope reached the relay")
	// ErrRelayUnreachable means the relay could not be reached (refused,
	// timed out, connection lost before its hello): the device is offline.
	// Sends made offline are queued and wrap ErrNotSent as well.
	ErrRelayUnreachable = errors.New("cannot reach the relay")
	// ErrNotInCase means a case does not exist on this device.
	ErrNotInCase = errors.New("no such case on this device")
)

// sealed is one envelope ready for the outbox.
type sealed struct {
	id      crypto.EnvelopeID
	mailbox crypto.OrgID
	data    []byte // nil for a local copy (never sent)
	// inner is the signed inner envelope, kept for handover when the
	// envelope is the own organisation's copy.
	inner []byte
}

// recipients returns who an envelope for org's mailbox is sealed to: its
// current devices, less this one.
func (d *Device) recipients(org crypto.OrgID, now time.Time) []crypto.Recipient {
	all := d.Directory().Recipients(org, now)
	return slices.DeleteFunc(all, func(r crypto.Recipient) bool { return r.Device == d.secrets.Device })
}

// seal seals one payload for one organisation's mailbox. It returns nil
// (and no error) when the organisation is this device's own and it has no
// other devices.
func (d *Device) seal(org crypto.OrgID, p payload.Payload, now time.Time) (*sealed, error) {
	rcpts := d.recipients(org, now)
	local := false
	if len(rcpts) == 0 {
		if org != d.secrets.Org {
			return nil, fmt.Errorf("seal to %s: %w", org, ErrNoRecipients)
		}
		// No colleague yet: sign the own organisation's copy to this device
		// alone and keep it, never sent, so that the case can be handed to
		// a colleague's device later (handover.go).
		for _, r := range d.Directory().Recipients(org, now) {
			if r.Device == d.secrets.Device {
				rcpts = append(rcpts, r)
			}
		}
		if len(rcpts) == 0 {
			return nil, nil
		}
		local = true
	}
	if err := d.checkSendable(org, rcpts); err != nil {
		return nil, err
	}
	if err := d.clockOK(); err != nil {
		return nil, fmt.Errorf("seal to %s: %w", org, err)
	}
	// seal has no context of its own (its callers seal before they open a
	// store transaction); the checks below only read and write the local
	// store.
	ctx := context.Background()
	if err := d.checkFresh(ctx, ordinaryWindow, "sending"); err != nil {
		return nil, fmt.Errorf("cannot send to %s: %w", d.orgName(org), err)
	}
	if err := d.checkFirstSeal(ctx, rcpts); err != nil {
		return nil, fmt.Errorf("cannot send to %s: %w", d.orgName(org), err)
	}
	body, err := payload.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("seal to %s: %w", org, err)
	}
	d.mu.Lock()
	certIndex := d.certIndex
	d.mu.Unlock()
	ttl := time.Duration(d.scheme.MailboxTTLDays) * 24 * time.Hour
	env, err := crypto.Seal(d.keys, org, rcpts, &crypto.Packet{PayloadType: p.PayloadType(), Payload: body, CertIndex: certIndex, Checkpoint: d.checkpointRaw()},
		crypto.SealOptions{Now: now, TTL: ttl})
	if err != nil {
		return nil, fmt.Errorf("seal to %s: %w", org, err)
	}
	s := &sealed{id: env.ID, mailbox: org}
	if org == d.secrets.Org {
		s.inner = env.Inner
	}
	if local {
		return s, nil
	}
	if s.data, err = env.Marshal(); err != nil {
		return nil, fmt.Errorf("seal to %s: %w", org, err)
	}
	ids := make([][16]byte, len(rcpts))
	for i, r := range rcpts {
		ids[i] = r.Device
	}
	if err := d.store.AddSealedTo(ctx, ids); err != nil {
		return nil, fmt.Errorf("seal to %s: %w", org, err)
	}
	return s, nil
}

// permanentSendFailure reports relay refusals that no retry will cure.
func permanentSendFailure(err error) bool {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case protocol.CodeUnknownMailbox, protocol.CodeEnvelopeTooLarge, protocol.CodeMalformedFrame, protocol.CodeFrameTooLarge:
		return true
	}
	return false
}

// flushOutbox sends every queued envelope, removing each once the relay
// has stored it (or already had it). It returns how many were sent and the
// envelopes dropped because the relay refused them for good.
func (d *Device) flushOutbox(ctx context.Context, c *relay.Conn) (sent int, dropped []error, err error) {
	return d.flushOutboxWith(ctx, c, nil)
}

// flushOutboxWith is flushOutbox calling stored (when not nil) after each
// envelope the relay has stored.
func (d *Device) flushOutboxWith(ctx context.Context, c *relay.Conn, stored func(crypto.EnvelopeID)) (sent int, dropped []error, err error) {
	items, err := d.store.Outbox(ctx)
	if err != nil {
		return 0, nil, err
	}
	for _, it := range items {
		if ahead := it.Created.Sub(d.now()); ahead > maxQueuedAhead {
			// Written while this computer's clock was wrong: receivers
			// would refuse it for ever. Do not send it; say so in its case.
			dropped = append(dropped, fmt.Errorf("envelope %x: %w", it.Envelope, notSentClock(ahead)))
			if err := d.refuseQueued(ctx, it, ahead); err != nil {
				return sent, dropped, err
			}
			continue
		}
		_, serr := c.Send(ctx, it.Data)
		var pe *protocol.Error
		switch {
		case serr == nil:
			sent++
		case errors.As(serr, &pe) && pe.Code == protocol.CodeDuplicateEnvelope:
			sent++
		case permanentSendFailure(serr):
			dropped = append(dropped, fmt.Errorf("envelope %x to %x: %w", it.Envelope, it.Mailbox, serr))
		default:
			return sent, dropped, fmt.Errorf("%w: envelope %x: %w", ErrNotSent, it.Envelope, serr)
		}
		if err := d.store.RemoveOutbox(ctx, it.Envelope); err != nil {
			return sent, dropped, err
		}
		if stored != nil {
			stored(it.Envelope)
		}
	}
	return sent, dropped, nil
}

// sealAll seals p once per organisation; the first envelope is always for
// orgs[0] (the own organisation is skipped when it has no other device, so
// the list may be empty).
func (d *Device) sealAll(orgs []crypto.OrgID, p payload.Payload, now time.Time) ([]*sealed, error) {
	var envs []*sealed
	for _, o := range orgs {
		s, err := d.seal(o, p, now)
		if err != nil {
			return nil, err
		}
		if s != nil {
			envs = append(envs, s)
		}
	}
	return envs, nil
}

// checkOrg refuses an organisation that is unknown or revoked.
func (d *Device) checkOrg(o crypto.OrgID) error {
	e, err := d.Directory().Org(o)
	if err != nil {
		return fmt.Errorf("organisation %s: %w", o, err)
	}
	if e.Revoked != nil {
		return fmt.Errorf("organisation %s (%s): %w", o, e.Cert.Name, ErrOrgRevoked)
	}
	return nil
}

// ownNames returns this device's verified organisation and device names,
// falling back to the config when the directory does not have them yet.
func (d *Device) ownNames() (org, device string) {
	org, device = d.cfg.Org, d.cfg.Name
	dir := d.Directory()
	if e, err := dir.Org(d.secrets.Org); err == nil {
		org = e.Cert.Name
	}
	if e, err := dir.Device(d.secrets.Device); err == nil {
		device = e.Cert.Name
	}
	return org, device
}

func uniqueOrgs(in []crypto.OrgID) []crypto.OrgID {
	var out []crypto.OrgID
	for _, o := range in {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// anySent reports whether any of envs goes to the relay (not only local
// copies).
func anySent(envs []*sealed) bool {
	for _, e := range envs {
		if e.data != nil {
			return true
		}
	}
	return false
}
