package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// stateReader is a casestore.Store or casestore.Tx.
type stateReader interface {
	State(ctx context.Context, caseID [16]byte) ([]byte, error)
}

// loadFlow returns this organisation's workflow view of a case: the stored
// one, or a new empty one when the case is unknown or predates the
// workflow (known reports whether the store holds the case at all).
func (d *Device) loadFlow(ctx context.Context, q stateReader, id payload.ID) (wc *workflow.Case, known bool, err error) {
	b, err := q.State(ctx, [16]byte(id))
	if errors.Is(err, casestore.ErrNoCase) {
		return workflow.New(id, d.secrets.Org, d.secrets.Device), false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("case %s: workflow state: %w", id, err)
	}
	if b == nil {
		return workflow.New(id, d.secrets.Org, d.secrets.Device), true, nil
	}
	wc = new(workflow.Case)
	if err := json.Unmarshal(b, wc); err != nil {
		return nil, true, fmt.Errorf("case %s: workflow state: %w", id, err)
	}
	return wc, true, nil
}

// flowOrgs lists every organisation a case view knows of, this one
// included, for the store's organisation index.
func (d *Device) flowOrgs(wc *workflow.Case) [][16]byte {
	orgs := [][16]byte{d.secrets.Org}
	add := func(o [16]byte) {
		if o != ([16]byte{}) && !slices.Contains(orgs, o) {
			orgs = append(orgs, o)
		}
	}
	add(wc.Nominator)
	add(wc.CurrentLandlord)
	add(wc.AcceptedLandlord)
	for _, o := range wc.Candidates {
		add(o)
	}
	return orgs
}

// saveFlow writes a changed case view inside a transaction: the case row
// (status = stage, organisations, last activity) and the sealed state. base
// carries the reference and districts when the case is created.
func (d *Device) saveFlow(ctx context.Context, tx *casestore.Tx, wc *workflow.Case, base *casestore.Case) error {
	c := &casestore.Case{ID: wc.ID, Status: string(wc.Stage), Organisations: d.flowOrgs(wc),
		Created: wc.Created, Updated: wc.Updated, Closed: wc.Ended}
	if base != nil {
		c.Reference, c.Districts = base.Reference, base.Districts
		if c.Created.IsZero() {
			c.Created = base.Created
		}
	}
	if c.Updated.IsZero() {
		c.Updated = c.Created
	}
	if err := tx.PutCase(ctx, c); err != nil {
		return err
	}
	b, err := json.Marshal(wc)
	if err != nil {
		return fmt.Errorf("case %x: encode workflow state: %w", wc.ID, err)
	}
	return tx.SetState(ctx, wc.ID, b)
}

// me is this device as the actor of an event.
func (d *Device) me() workflow.Party {
	org, dev := d.ownNames()
	return workflow.Party{Org: d.secrets.Org, Device: d.secrets.Device, OrgName: org, DeviceName: dev}
}

// household returns what the case's latest household details say, for the
// disclosure guard, or nil when the case holds none.
func (d *Device) household(ctx context.Context, id payload.ID) (*guard.Household, error) {
	h, err := d.householdDetails(ctx, id)
	if err != nil || h == nil {
		return nil, err
	}
	return guardHousehold(h), nil
}

// householdDetails returns the case's latest household details, or nil
// when the case holds none.
func (d *Device) householdDetails(ctx context.Context, id payload.ID) (*payload.HouseholdDetails, error) {
	entries, err := d.store.Entries(ctx, [16]byte(id))
	if errors.Is(err, casestore.ErrNoCase) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var h *payload.HouseholdDetails
	for _, e := range entries {
		if e.Unreadable {
			continue
		}
		if e.Kind != casestore.KindDetails {
			continue
		}
		p, err := payload.Unmarshal(payload.TypeHouseholdDetails, e.Body)
		if err != nil {
			return nil, fmt.Errorf("case %s: household details %x: %w", id, e.Envelope, err)
		}
		h = p.(*payload.HouseholdDetails)
	}
	return h, nil
}

func guardHousehold(h *payload.HouseholdDetails) *guard.Household {
	g := &guard.Household{Names: h.Names, DatesOfBirth: h.DatesOfBirth, Address: h.CurrentAddress,
		Passages: []string{h.RiskNotes, h.SupportWorker, h.SafeContact.SafeToCall}}
	if h.SafeContact.Phone != "" {
		g.Phones = []string{h.SafeContact.Phone}
	}
	if h.SafeContact.Email != "" {
		g.Emails = []string{h.SafeContact.Email}
	}
	return g
}

// checkGuard runs the disclosure guard over a payload's anonymous fields,
// against the household's details (h when not nil, else the case's), with
// the case's overrides applied. The error is a *guard.Error (errors.Is
// guard.ErrRefused): it holds the matched text, for the user who typed it,
// never for a log.
func (d *Device) checkGuard(ctx context.Context, id payload.ID, wc *workflow.Case, p payload.Payload, h *guard.Household, now time.Time) error {
	fs := p.AnonymousFields()
	if len(fs) == 0 {
		return nil
	}
	if h == nil {
		var err error
		if h, err = d.household(ctx, id); err != nil {
			return err
		}
	}
	gf := make([]guard.Field, len(fs))
	for i, f := range fs {
		gf[i] = guard.Field{Name: f.Name, Value: f.Value}
	}
	return guard.VerifyWith(gf, h, now, wc.Overrides())
}

// entitled reports whether every organisation in to may read the
// household's identity: this organisation, and the landlord the details
// were released to. Anything else a packet carries passes the guard.
func entitled(wc *workflow.Case, me crypto.OrgID, to []crypto.OrgID) bool {
	for _, o := range to {
		if o != me && (wc.DetailsReleasedTo.IsZero() || o != wc.DetailsReleasedTo) {
			return false
		}
	}
	return true
}

// outgoing is one packet a workflow step sends.
type outgoing struct {
	// event is applied to the case before sending (nil: none).
	event *workflow.Event
	// p is the payload (nil: the event is local, nothing is sent).
	p payload.Payload
	// to lists the other organisations it goes to (one envelope each).
	to []crypto.OrgID
	// ownCopy sends it to this organisation's other devices too.
	ownCopy bool
	// kind is the entry kind recorded locally ("" records no entry).
	kind string
	// guarded is kept for readability at the call sites; the guard runs
	// on every packet with anonymous fields that goes to an organisation
	// not entitled to the household's identity (see entitled).
	guarded bool
	// household, when not nil, is what the guard checks against instead
	// of the case's stored details (a new referral's, not stored yet).
	household *guard.Household
	// localOK records the packet locally even when no envelope is sealed
	// (this organisation has no other device): the household details a
	// new referral keeps on this device.
	localOK bool
	// noCase queues its envelopes without the case id (an outcome for the
	// coordinator, which must survive the case's shredding).
	noCase bool
}

// sendPackets is every workflow send: it applies the packets' events to the
// case (refusing an illegal step with the *workflow.TransitionError), runs
// the disclosure guard, seals every packet once per organisation, records
// the case, entries and envelopes and queues them in one transaction, then
// sends the outbox. base creates the case (a referral). It returns the
// entry id (first envelope) of each packet. After the transaction, a
// failure to reach the relay wraps ErrNotSent: the next Sync sends the rest.
// Offline (ErrRelayUnreachable) the packets are sealed to the directory as
// last fetched and queued, and the error wraps both.
//
// Its phases are checkPackets, sealPackets, recordPackets and flushPackets.
func (d *Device) sendPackets(ctx context.Context, id payload.ID, base *casestore.Case, pkts []*outgoing,
	progress func(sent, total int)) ([]crypto.EnvelopeID, error) {
	now := d.now()
	if err := d.checkPackets(ctx, id, base, pkts, now); err != nil {
		return nil, err
	}
	d.netMu.Lock()
	defer d.netMu.Unlock()
	c, err := d.connect(ctx)
	var offline error
	switch {
	case errors.Is(err, ErrRelayUnreachable):
		offline = err
	case err != nil:
		return nil, err
	default:
		defer c.Close()
	}
	all, err := d.sealPackets(pkts, now)
	if err != nil {
		return nil, err
	}
	ids, queued, err := d.recordPackets(ctx, id, base, pkts, all, now)
	if err != nil {
		return nil, fmt.Errorf("record case %s: %w", id, err)
	}
	if offline != nil {
		return ids, fmt.Errorf("%w: %w", ErrNotSent, offline)
	}
	return ids, d.flushPackets(ctx, c, queued, progress)
}

// sealedPacket is one outgoing packet sealed: its envelopes (the first is
// the entry id) and its encoded payload.
type sealedPacket struct {
	envs []*sealed
	body []byte
}

// checkPackets applies the packets' events to a copy of the case and runs
// the disclosure guard and payload validation, changing nothing.
func (d *Device) checkPackets(ctx context.Context, id payload.ID, base *casestore.Case, pkts []*outgoing, now time.Time) error {
	wc, known, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return err
	}
	if !known && base == nil {
		return fmt.Errorf("case %s: %w", id, ErrNotInCase)
	}
	actor := d.me()
	check := wc.Clone()
	for _, p := range pkts {
		if p.event == nil {
			continue
		}
		p.event.Actor, p.event.At = actor, now
		if err := check.Apply(*p.event); err != nil {
			return err
		}
	}
	for _, p := range pkts {
		if p.p == nil {
			continue
		}
		if !entitled(check, d.secrets.Org, p.to) {
			if err := d.checkGuard(ctx, id, check, p.p, p.household, now); err != nil {
				return err
			}
		}
		if err := p.p.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// sealPackets seals each packet that has a payload once per organisation
// it goes to (its own organisation last, when it takes a copy).
func (d *Device) sealPackets(pkts []*outgoing, now time.Time) ([]sealedPacket, error) {
	all := make([]sealedPacket, len(pkts))
	for i, p := range pkts {
		if p.p == nil {
			continue
		}
		for _, o := range p.to {
			if o == d.secrets.Org {
				return nil, errors.New("your own organisation always gets a copy; list only the other organisations")
			}
			if err := d.checkOrg(o); err != nil {
				return nil, err
			}
		}
		orgs := slices.Clone(p.to)
		if p.ownCopy {
			orgs = append(orgs, d.secrets.Org)
		}
		envs, err := d.sealAll(orgs, p.p, now)
		if err != nil {
			return nil, err
		}
		if !anySent(envs) && !p.localOK {
			return nil, errors.New("nobody to send to: no other organisation or device in this case")
		}
		body, err := payload.Marshal(p.p)
		if err != nil {
			return nil, err
		}
		all[i] = sealedPacket{envs: envs, body: body}
	}
	return all, nil
}

// recordPackets applies the events, records the case, the entries and the
// sent envelopes and queues the envelopes, all in one transaction. It
// returns each packet's entry id and every envelope queued.
func (d *Device) recordPackets(ctx context.Context, id payload.ID, base *casestore.Case, pkts []*outgoing,
	all []sealedPacket, now time.Time) (ids []crypto.EnvelopeID, queued [][16]byte, err error) {
	orgName, devName := d.ownNames()
	if ids, err = entryIDs(pkts, all); err != nil {
		return nil, nil, err
	}
	err = d.store.Update(ctx, func(tx *casestore.Tx) error {
		wc, _, err := d.loadFlow(ctx, tx, id)
		if err != nil {
			return err
		}
		for i, p := range pkts {
			if p.event != nil {
				if p.p != nil && p.kind != "" {
					p.event.Envelope = ids[i] // the entry recorded below
				}
				if err := wc.Apply(*p.event); err != nil {
					return err
				}
			}
		}
		if err := d.saveFlow(ctx, tx, wc, base); err != nil {
			return err
		}
		for i, p := range pkts {
			if p.p == nil {
				continue
			}
			entry := ids[i]
			if p.kind != "" {
				dir := casestore.DirectionSent
				if !anySent(all[i].envs) {
					dir = DirectionDraft // kept here only
				}
				if err := tx.AddEntry(ctx, &casestore.Entry{Envelope: entry, Case: id, Kind: p.kind,
					Direction: dir, At: now, SenderOrg: d.secrets.Org, SenderDevice: d.secrets.Device,
					SenderOrgName: orgName, SenderDeviceName: devName, Body: all[i].body}); err != nil {
					return err
				}
				if c, ok := p.p.(*payload.AttachmentChunk); ok {
					if _, err := tx.AddChunk(ctx, &casestore.Chunk{Envelope: entry, Case: id, Attachment: c.Attachment, Index: c.Index,
						SenderOrg: d.secrets.Org, Size: int64(len(c.Data)), At: now}); err != nil {
						return err
					}
				}
			}
			var se []casestore.SentEnvelope
			for _, e := range all[i].envs {
				if e.data == nil {
					continue // a local copy: never sent, nothing to recall or receipt
				}
				se = append(se, casestore.SentEnvelope{Envelope: e.id, Entry: entry, Mailbox: e.mailbox})
			}
			if err := tx.AddSentEnvelopes(ctx, id, se); err != nil {
				return err
			}
			caseID := [16]byte(id)
			if p.noCase {
				caseID = [16]byte{}
			}
			if err := queueCase(ctx, tx, all[i].envs, caseID, now); err != nil {
				return err
			}
			for _, e := range all[i].envs {
				if e.data != nil {
					queued = append(queued, e.id)
				}
			}
		}
		return nil
	})
	return ids, queued, err
}

// entryIDs returns the id each packet's entry is kept under: its first
// envelope's (a local copy's when nothing goes to the relay), else a fresh
// one; zero for a packet without a payload.
func entryIDs(pkts []*outgoing, all []sealedPacket) ([]crypto.EnvelopeID, error) {
	ids := make([]crypto.EnvelopeID, len(pkts))
	for i, p := range pkts {
		switch {
		case p.p == nil:
		case len(all[i].envs) > 0:
			ids[i] = all[i].envs[0].id
		default:
			id, err := crypto.NewEnvelopeID(nil)
			if err != nil {
				return nil, fmt.Errorf("entry id: %w", err)
			}
			ids[i] = id
		}
	}
	return ids, nil
}

// flushPackets sends the outbox, reporting progress over the envelopes in
// queued (when progress is not nil).
func (d *Device) flushPackets(ctx context.Context, c *relay.Conn, queued [][16]byte, progress func(sent, total int)) error {
	var notify func(crypto.EnvelopeID)
	if progress != nil {
		done := 0
		notify = func(e crypto.EnvelopeID) {
			if slices.Contains(queued, [16]byte(e)) {
				done++
				progress(done, len(queued))
			}
		}
	}
	_, dropped, err := d.flushOutboxWith(ctx, c, notify)
	if err != nil {
		return err
	}
	if len(dropped) > 0 {
		return fmt.Errorf("relay refused: %w", errors.Join(dropped...))
	}
	return nil
}

// queueCase puts sealed envelopes of a case in the outbox and marks them
// processed, so that a copy the relay hands back to this device is skipped
// and shredding the case also drops those still unsent (caseID zero: none).
func queueCase(ctx context.Context, tx *casestore.Tx, envs []*sealed, caseID [16]byte, now time.Time) error {
	for _, e := range envs {
		if e.inner != nil && caseID != ([16]byte{}) {
			if err := tx.AddPacket(ctx, caseID, e.id, e.inner); err != nil {
				return err
			}
		}
		if e.data == nil { // a local copy, kept only for handover
			if err := tx.MarkProcessed(ctx, e.id, casestore.OutcomeSent, now.Unix()); err != nil {
				return err
			}
			continue
		}
		if err := tx.QueueOutbox(ctx, &casestore.OutboxItem{Envelope: e.id, Mailbox: e.mailbox, Data: e.data, Created: now, Case: caseID}); err != nil {
			return err
		}
		if err := tx.MarkProcessed(ctx, e.id, casestore.OutcomeSent, now.Unix()); err != nil {
			return err
		}
	}
	return nil
}
