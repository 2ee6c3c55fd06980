package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/saferef/saferef/client/casestore"
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
	// ErrNotInCase means a case does not exist on this device.
	ErrNotInCase = errors.New("no such case on this device")
)

// sealed is one envelope ready for the outbox.
type sealed struct {
	id      crypto.EnvelopeID
	mailbox crypto.OrgID
	data    []byte
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
	if len(rcpts) == 0 {
		if org == d.secrets.Org {
			return nil, nil
		}
		return nil, fmt.Errorf("seal to %s: %w", org, ErrNoRecipients)
	}
	body, err := payload.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("seal to %s: %w", org, err)
	}
	d.mu.Lock()
	certIndex := d.certIndex
	d.mu.Unlock()
	ttl := time.Duration(d.scheme.MailboxTTLDays) * 24 * time.Hour
	env, err := crypto.Seal(d.keys, org, rcpts, &crypto.Packet{PayloadType: p.PayloadType(), Payload: body, CertIndex: certIndex},
		crypto.SealOptions{Now: now, TTL: ttl})
	if err != nil {
		return nil, fmt.Errorf("seal to %s: %w", org, err)
	}
	data, err := env.Marshal()
	if err != nil {
		return nil, fmt.Errorf("seal to %s: %w", org, err)
	}
	return &sealed{id: env.ID, mailbox: org, data: data}, nil
}

// queue puts sealed envelopes in the outbox and marks them processed, so
// that a copy the relay hands back to this device is skipped.
func queue(ctx context.Context, tx *casestore.Tx, envs []*sealed, now time.Time) error {
	for _, e := range envs {
		if err := tx.QueueOutbox(ctx, &casestore.OutboxItem{Envelope: e.id, Mailbox: e.mailbox, Data: e.data, Created: now}); err != nil {
			return err
		}
		if err := tx.MarkProcessed(ctx, e.id, casestore.OutcomeSent, now.Unix()); err != nil {
			return err
		}
	}
	return nil
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
	items, err := d.store.Outbox(ctx)
	if err != nil {
		return 0, nil, err
	}
	for _, it := range items {
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
	}
	return sent, dropped, nil
}

// SendReferral circulates a referral to the given organisations (each its
// own envelope, so no recipient learns who else received it) and to this
// device's colleagues, records the case, and returns its id. A referral
// without a case id gets a new one. The referral is validated first; a
// *payload.ValidationError lists every field problem.
func (d *Device) SendReferral(ctx context.Context, to []crypto.OrgID, r *payload.Referral) (crypto.CaseID, error) {
	if r.Schema == 0 {
		r.Schema = payload.SchemaVersion
	}
	if r.Case.IsZero() {
		id, err := crypto.NewCaseID(nil)
		if err != nil {
			return crypto.CaseID{}, fmt.Errorf("send referral: %w", err)
		}
		r.Case = payload.ID(id)
	}
	caseID := crypto.CaseID(r.Case)
	if err := r.Validate(); err != nil {
		return caseID, fmt.Errorf("send referral: %w", err)
	}
	orgs := uniqueOrgs(to)
	if len(orgs) == 0 {
		return caseID, errors.New("send referral: no recipient organisations")
	}
	for _, o := range orgs {
		if o == d.secrets.Org {
			return caseID, errors.New("send referral: your own organisation always gets a copy; list only the other organisations")
		}
	}
	if _, err := d.store.Case(ctx, [16]byte(caseID)); err == nil {
		return caseID, fmt.Errorf("send referral: case %s already exists on this device", caseID)
	} else if !errors.Is(err, casestore.ErrNoCase) {
		return caseID, fmt.Errorf("send referral: %w", err)
	}
	d.netMu.Lock()
	defer d.netMu.Unlock()
	c, err := d.connect(ctx)
	if err != nil {
		return caseID, fmt.Errorf("send referral: %w", err)
	}
	defer c.Close()
	now := d.now()
	for _, o := range orgs {
		if err := d.checkOrg(o); err != nil {
			return caseID, fmt.Errorf("send referral: %w", err)
		}
	}
	envs, err := d.sealAll(append(orgs, d.secrets.Org), r, now)
	if err != nil {
		return caseID, fmt.Errorf("send referral: %w", err)
	}
	body, err := payload.Marshal(r)
	if err != nil {
		return caseID, fmt.Errorf("send referral: %w", err)
	}
	orgName, devName := d.ownNames()
	err = d.store.Update(ctx, func(tx *casestore.Tx) error {
		caseOrgs := make([][16]byte, 0, len(orgs)+1)
		for _, o := range append(orgs, d.secrets.Org) {
			caseOrgs = append(caseOrgs, [16]byte(o))
		}
		if err := tx.PutCase(ctx, &casestore.Case{ID: caseID, Status: casestore.StatusCirculated, Reference: r.Reference,
			Organisations: caseOrgs, Created: now, Updated: now}); err != nil {
			return err
		}
		if err := tx.AddEntry(ctx, &casestore.Entry{Envelope: envs[0].id, Case: caseID, Kind: casestore.KindReferral,
			Direction: casestore.DirectionSent, At: now, SenderOrg: d.secrets.Org, SenderDevice: d.secrets.Device,
			SenderOrgName: orgName, SenderDeviceName: devName, Body: body}); err != nil {
			return err
		}
		return queue(ctx, tx, envs, now)
	})
	if err != nil {
		return caseID, fmt.Errorf("send referral: record case: %w", err)
	}
	if _, dropped, err := d.flushOutbox(ctx, c); err != nil {
		return caseID, fmt.Errorf("send referral %s: %w", caseID, err)
	} else if len(dropped) > 0 {
		return caseID, fmt.Errorf("send referral %s: relay refused: %w", caseID, errors.Join(dropped...))
	}
	return caseID, nil
}

// sealAll seals p once per organisation; the first envelope is always for
// orgs[0] (the own organisation may be skipped when it has no other device).
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
	if len(envs) == 0 {
		return nil, errors.New("nobody to send to: no other organisation or device in this case")
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

// SendMessage sends a case message to every organisation in the case
// (this device's colleagues included), records it, and returns the id of
// the first envelope, which keys the message locally.
func (d *Device) SendMessage(ctx context.Context, caseID crypto.CaseID, text string) (crypto.EnvelopeID, error) {
	m := &payload.CaseMessage{Schema: payload.SchemaVersion, Case: payload.ID(caseID), Text: text}
	if err := m.Validate(); err != nil {
		return crypto.EnvelopeID{}, fmt.Errorf("send message: %w", err)
	}
	cs, err := d.store.Case(ctx, [16]byte(caseID))
	if errors.Is(err, casestore.ErrNoCase) {
		return crypto.EnvelopeID{}, fmt.Errorf("send message: case %s: %w", caseID, ErrNotInCase)
	}
	if err != nil {
		return crypto.EnvelopeID{}, fmt.Errorf("send message: %w", err)
	}
	d.netMu.Lock()
	defer d.netMu.Unlock()
	c, err := d.connect(ctx)
	if err != nil {
		return crypto.EnvelopeID{}, fmt.Errorf("send message: %w", err)
	}
	defer c.Close()
	now := d.now()
	var orgs []crypto.OrgID
	for _, o := range cs.Organisations {
		if crypto.OrgID(o) != d.secrets.Org {
			if err := d.checkOrg(o); err != nil {
				return crypto.EnvelopeID{}, fmt.Errorf("send message: %w", err)
			}
			orgs = append(orgs, o)
		}
	}
	envs, err := d.sealAll(append(orgs, d.secrets.Org), m, now)
	if err != nil {
		return crypto.EnvelopeID{}, fmt.Errorf("send message: %w", err)
	}
	body, err := payload.Marshal(m)
	if err != nil {
		return crypto.EnvelopeID{}, fmt.Errorf("send message: %w", err)
	}
	orgName, devName := d.ownNames()
	err = d.store.Update(ctx, func(tx *casestore.Tx) error {
		if err := tx.AddEntry(ctx, &casestore.Entry{Envelope: envs[0].id, Case: caseID, Kind: casestore.KindMessage,
			Direction: casestore.DirectionSent, At: now, SenderOrg: d.secrets.Org, SenderDevice: d.secrets.Device,
			SenderOrgName: orgName, SenderDeviceName: devName, Body: body}); err != nil {
			return err
		}
		return queue(ctx, tx, envs, now)
	})
	if err != nil {
		return crypto.EnvelopeID{}, fmt.Errorf("send message: record: %w", err)
	}
	if _, dropped, err := d.flushOutbox(ctx, c); err != nil {
		return envs[0].id, fmt.Errorf("send message: %w", err)
	} else if len(dropped) > 0 {
		return envs[0].id, fmt.Errorf("send message: relay refused: %w", errors.Join(dropped...))
	}
	return envs[0].id, nil
}
