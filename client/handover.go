package client

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// Handover: a device passes its organisation's open cases to a colleague's
// device, as the original signed packets.
//
// Every device keeps, per case, the signed inner envelope of each packet
// it received for its organisation's mailbox or sent with an own-
// organisation copy (casestore.Packet). When the directory shows a device
// of its own organisation approved after itself, a device seals, once, a
// handover (payload.TypeHandover) of every open case for that device: an
// envelope to its own organisation's mailbox, signed by the handing
// device, sealed to the organisation's current devices (the new one among
// them; the others already hold the packets and skip them). The new device accepts a
// handover only from a current device of its own organisation, and
// accepts each packet in it only if crypto.VerifyHandedOver verifies it
// (addressed to its organisation's mailbox, sender current at the signed
// creation time, the sender's own signature over the envelope id,
// recipient list and payload) and its id and recipient list are those the
// handover names. It then applies the packet as if it had received it
// (once: the original envelope id is recorded as processed), sending no
// receipts. A forged or altered packet is rejected and reported, and
// nothing else of the handover is lost. The handing device cannot change a
// packet, add one that was never sent to the organisation, or hide one it
// holds without the other colleagues' handovers showing it.
//
// A caseworker who is leaving hands everything to a named colleague's
// device with HandOver (saferef handover --to DEVICE) before the admin
// revokes the old device: open cases, and drafts, which have no packets
// yet, go as packets the leaving device signs now for its own
// organisation (the referral and the household's details, which the
// colleague's device keeps for its guard and releases to nobody).

// ErrHandoverRefused means a handover envelope came from outside the
// device's organisation or does not parse.
var ErrHandoverRefused = errors.New("handover refused")

// handoverBudget is how many bytes of packets one handover part carries.
const handoverBudget = 700 << 10

// caseOf returns the case a payload belongs to, if it has one.
func caseOf(p payload.Payload) ([16]byte, bool) {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return [16]byte{}, false
	}
	f := v.Elem().FieldByName("Case")
	if !f.IsValid() || f.Type() != reflect.TypeFor[payload.ID]() {
		return [16]byte{}, false
	}
	id := f.Interface().(payload.ID)
	return [16]byte(id), id != payload.ID{}
}

// keepPacket wraps apply so that the packet's signed inner envelope is
// kept with its case, for handover.
func keepPacket(ctx context.Context, o *crypto.Opened, p payload.Payload, apply func(*casestore.Tx) error) func(*casestore.Tx) error {
	caseID, ok := caseOf(p)
	if !ok || len(o.Inner) == 0 || p.PayloadType() == payload.TypeDeliveryReceipt || p.PayloadType() == payload.TypeRecall {
		return apply
	}
	return func(tx *casestore.Tx) error {
		if err := apply(tx); err != nil {
			return err
		}
		return tx.AddPacket(ctx, caseID, [16]byte(o.ID), o.Inner)
	}
}

// receiveHandover applies a verified handover envelope from a colleague's
// device: each packet is verified on its own and applied once.
func (d *Device) receiveHandover(ctx context.Context, o *crypto.Opened, res *SyncResult, now time.Time) error {
	reject := func(err error) error {
		res.Rejected++
		res.Rejections = append(res.Rejections, Rejection{Envelope: o.ID, Err: fmt.Errorf("%w: %w: %w", ErrRejected, ErrHandoverRefused, err)})
		if aerr := d.store.Apply(ctx, o.ID, casestore.OutcomeRejected, now.Unix(), nil); aerr != nil && !errors.Is(aerr, casestore.ErrAlreadyProcessed) {
			return aerr
		}
		return nil
	}
	if o.Sender.Org != d.secrets.Org || o.Mailbox != d.secrets.Org {
		return reject(fmt.Errorf("from organisation %s: only a colleague's device can hand over cases", o.Sender.Org))
	}
	h, err := payload.UnmarshalHandover(o.Payload)
	if err != nil {
		return reject(err)
	}
	for _, k := range h.Packets {
		if err := d.applyHandedOver(ctx, h, k, res, now); err != nil {
			return err
		}
	}
	if err := d.store.Apply(ctx, o.ID, casestore.OutcomeStored, now.Unix(), nil); err != nil && !errors.Is(err, casestore.ErrAlreadyProcessed) {
		return err
	}
	res.Handovers++
	return nil
}

// applyHandedOver verifies and applies one handed-over packet. Only storage
// failures are returned; a packet that fails is counted as rejected.
func (d *Device) applyHandedOver(ctx context.Context, h *payload.Handover, k payload.HandedOver, res *SyncResult, now time.Time) error {
	reject := func(err error) {
		res.Rejected++
		res.Rejections = append(res.Rejections, Rejection{Envelope: crypto.EnvelopeID(k.Envelope),
			Err: fmt.Errorf("%w: handed-over packet: %w", ErrRejected, err)})
	}
	o, err := crypto.VerifyHandedOver(k.Inner, d.secrets.Org, d.Directory())
	if err != nil {
		reject(explainOpen(err))
		return nil
	}
	if o.ID != crypto.EnvelopeID(k.Envelope) {
		reject(fmt.Errorf("%w: the handover names envelope %s, the signed packet is %s", crypto.ErrMismatchedOuter, k.Envelope, o.ID))
		return nil
	}
	var signed []payload.ID
	for _, r := range o.Recipients {
		signed = append(signed, payload.ID(r.Device))
	}
	if !slices.Equal(signed, k.Recipients) {
		reject(fmt.Errorf("%w: the handover's recipient list for %s is not the signed one", crypto.ErrMismatchedOuter, o.ID))
		return nil
	}
	if _, done, err := d.store.Processed(ctx, o.ID); err != nil {
		return err
	} else if done {
		return nil // already here: received directly, or from another colleague
	}
	if o.PayloadType == payload.TypeRecall || o.PayloadType == payload.TypeHandover {
		return nil
	}
	p, err := payload.Unmarshal(o.PayloadType, o.Payload)
	if err != nil {
		reject(err)
		return nil
	}
	if c, ok := caseOf(p); !ok || c != [16]byte(h.Case) {
		reject(fmt.Errorf("packet %s is not about case %s", o.ID, h.Case))
		return nil
	}
	apply, err := d.applyPayloadFor(ctx, o, p, now, true)
	if err != nil {
		reject(err)
		return nil
	}
	err = d.store.Apply(ctx, o.ID, casestore.OutcomeStored, now.Unix(), keepPacket(ctx, o, p, apply))
	switch {
	case err == nil:
		res.HandedOver++
	case errors.Is(err, casestore.ErrAlreadyProcessed):
	case errors.Is(err, ErrNotPartOfCase) || isRefusal(err):
		reject(err)
	default:
		return err
	}
	return nil
}

// HandoverResult says what a handover sent.
type HandoverResult struct {
	To      crypto.DeviceID
	Cases   int // open cases handed over
	Packets int
	Parts   int // handover envelopes
}

// openCasePackets returns, for each open case, its kept packets.
func (d *Device) openCasePackets(ctx context.Context) (map[[16]byte][]casestore.Packet, error) {
	cases, err := d.store.Cases(ctx)
	if err != nil {
		return nil, err
	}
	out := map[[16]byte][]casestore.Packet{}
	for _, c := range cases {
		if !c.Closed.IsZero() {
			continue
		}
		pk, err := d.store.Packets(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if len(pk) > 0 {
			out[c.ID] = pk
		}
	}
	return out, nil
}

// sealHandover seals the open cases' packets to device to, in parts.
func (d *Device) sealHandover(ctx context.Context, to crypto.DeviceID, now time.Time, drafts bool, mutate func(*payload.Handover)) ([]*sealed, *HandoverResult, error) {
	// Sealed to every current device of the organisation but this one,
	// not to the new device alone: the relay delivers an envelope in a
	// mailbox to all of the organisation's devices, and one sealed to a
	// single colleague would show on the others as an envelope they cannot
	// open, which they must report (it looks like a key erased too soon).
	// The colleagues already hold what it carries, and apply nothing twice.
	target := d.recipients(d.secrets.Org, now)
	if !slices.ContainsFunc(target, func(r crypto.Recipient) bool { return r.Device == to }) || to == d.secrets.Device {
		return nil, nil, fmt.Errorf("hand over to %s: %w: not a current device of this organisation", to, ErrNoRecipients)
	}
	byCase, err := d.openCasePackets(ctx)
	if err != nil {
		return nil, nil, err
	}
	if drafts {
		if err := d.addDraftPackets(ctx, byCase, target, now); err != nil {
			return nil, nil, err
		}
	}
	res := &HandoverResult{To: to}
	var out []*sealed
	ids := make([][16]byte, 0, len(byCase))
	for id := range byCase {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b [16]byte) int { return slices.Compare(a[:], b[:]) })
	for _, caseID := range ids {
		var parts [][]payload.HandedOver
		var cur []payload.HandedOver
		size := 0
		for _, k := range byCase[caseID] {
			id, rcpts, err := crypto.InnerSummary(k.Inner)
			if err != nil {
				return nil, nil, fmt.Errorf("hand over case %x: packet %x: %w", caseID, k.Envelope, err)
			}
			ho := payload.HandedOver{Envelope: payload.ID(id), Inner: k.Inner}
			for _, r := range rcpts {
				ho.Recipients = append(ho.Recipients, payload.ID(r))
			}
			if len(cur) > 0 && (len(cur) == payload.MaxHandoverPackets || size+len(k.Inner) > handoverBudget) {
				parts, cur, size = append(parts, cur), nil, 0
			}
			cur = append(cur, ho)
			size += len(k.Inner)
		}
		parts = append(parts, cur)
		for i, pk := range parts {
			h := &payload.Handover{Schema: payload.SchemaVersion, Case: payload.ID(caseID), Part: i + 1, Parts: len(parts), Packets: pk}
			if mutate != nil { // tests: a hostile colleague's device
				mutate(h)
			}
			body, err := payload.MarshalHandover(h)
			if err != nil {
				return nil, nil, fmt.Errorf("hand over case %x: %w", caseID, err)
			}
			s, err := d.sealPacket(d.secrets.Org, target, payload.TypeHandover, body, now)
			if err != nil {
				return nil, nil, fmt.Errorf("hand over case %x: %w", caseID, err)
			}
			out = append(out, s)
			res.Packets += len(pk)
		}
		res.Cases++
	}
	res.Parts = len(out)
	return out, res, nil
}

// sealPacket seals an already encoded payload for org's mailbox to rcpts.
func (d *Device) sealPacket(org crypto.OrgID, rcpts []crypto.Recipient, pt string, body []byte, now time.Time) (*sealed, error) {
	if err := d.checkSendable(org, rcpts); err != nil {
		return nil, err
	}
	d.mu.Lock()
	certIndex := d.certIndex
	d.mu.Unlock()
	ttl := time.Duration(d.scheme.MailboxTTLDays) * 24 * time.Hour
	env, err := crypto.Seal(d.keys, org, rcpts, &crypto.Packet{PayloadType: pt, Payload: body, CertIndex: certIndex, Checkpoint: d.checkpointRaw()},
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

// queueHandover seals and queues a handover to device to and records it.
func (d *Device) queueHandover(ctx context.Context, to crypto.DeviceID, now time.Time, drafts bool, mutate func(*payload.Handover)) (*HandoverResult, error) {
	envs, res, err := d.sealHandover(ctx, to, now, drafts, mutate)
	if err != nil {
		return nil, err
	}
	err = d.store.Update(ctx, func(tx *casestore.Tx) error {
		if err := queueCase(ctx, tx, envs, [16]byte{}, now); err != nil {
			return err
		}
		return tx.MarkHandedOver(ctx, to, now.Unix())
	})
	if err != nil {
		return nil, fmt.Errorf("hand over to %s: %w", to, err)
	}
	return res, nil
}

// handOverToNewColleagues hands the open cases, once, to every current
// device of this organisation approved after this one.
func (d *Device) handOverToNewColleagues(ctx context.Context, c *relay.Conn) (int, error) {
	now := d.now()
	d.mu.Lock()
	mine, approved := d.certIndex, d.approved
	newer := map[crypto.DeviceID]bool{}
	for id, rec := range d.devRec {
		if id != d.secrets.Device && rec.index > mine {
			newer[id] = true
		}
	}
	d.mu.Unlock()
	if !approved {
		return 0, nil
	}
	n := 0
	for _, r := range d.Directory().Recipients(d.secrets.Org, now) {
		if !newer[r.Device] {
			continue
		}
		done, err := d.store.HandedOverTo(ctx, r.Device)
		if err != nil {
			return n, err
		}
		if done {
			continue
		}
		if _, err := d.queueHandover(ctx, r.Device, now, false, nil); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		if _, _, err := d.flushOutbox(ctx, c); err != nil {
			return n, err
		}
	}
	return n, nil
}

// HandOver connects to the relay and hands every open case on this device
// to one colleague's device of the same organisation (as a caseworker
// does before leaving, or for a replacement laptop), whether or not it
// was handed over before. Draft referrals, which nothing was sent for
// yet, go too, as referral packets this device signs now for its own
// organisation; the colleague's device then holds them as its drafts,
// with the household's details.
func (d *Device) HandOver(ctx context.Context, to crypto.DeviceID) (*HandoverResult, error) {
	return d.handOver(ctx, to, nil)
}

func (d *Device) handOver(ctx context.Context, to crypto.DeviceID, mutate func(*payload.Handover)) (*HandoverResult, error) {
	d.netMu.Lock()
	defer d.netMu.Unlock()
	c, err := d.connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("hand over: %w", err)
	}
	defer c.Close()
	res, err := d.queueHandover(ctx, to, d.now(), true, mutate)
	if err != nil {
		return nil, err
	}
	if _, dropped, err := d.flushOutbox(ctx, c); err != nil {
		return res, err
	} else if len(dropped) > 0 {
		return res, fmt.Errorf("hand over: relay refused: %w", errors.Join(dropped...))
	}
	return res, nil
}

// addDraftPackets adds to byCase, for each draft case (a referral drafted
// on this device and not sent), the referral and the household's details
// as packets signed now for this organisation's mailbox, sealed to target:
// the colleague's device keeps the details for its guard, released to
// nobody, as for a colleague's new referral.
func (d *Device) addDraftPackets(ctx context.Context, byCase map[[16]byte][]casestore.Packet, target []crypto.Recipient, now time.Time) error {
	cases, err := d.store.Cases(ctx)
	if err != nil {
		return err
	}
	for _, c := range cases {
		if !c.Closed.IsZero() || len(byCase[c.ID]) > 0 {
			continue
		}
		entries, err := d.store.Entries(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, e := range entries {
			pt := map[string]string{casestore.KindReferral: payload.TypeReferral, casestore.KindDetails: payload.TypeHouseholdDetails}[e.Kind]
			if pt == "" || e.SenderDevice != [16]byte(d.secrets.Device) {
				continue
			}
			d.mu.Lock()
			certIndex := d.certIndex
			d.mu.Unlock()
			env, err := crypto.Seal(d.keys, d.secrets.Org, target, &crypto.Packet{PayloadType: pt, Payload: e.Body,
				CertIndex: certIndex, Checkpoint: d.checkpointRaw()}, crypto.SealOptions{Now: now,
				TTL: time.Duration(d.scheme.MailboxTTLDays) * 24 * time.Hour})
			if err != nil {
				return fmt.Errorf("hand over draft %x: %w", c.ID, err)
			}
			byCase[c.ID] = append(byCase[c.ID], casestore.Packet{Envelope: [16]byte(env.ID), Case: c.ID, Inner: env.Inner})
		}
	}
	return nil
}
