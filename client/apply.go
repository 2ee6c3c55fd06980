package client

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// Receive-side refusals callers branch on (wrapped in Rejection.Err).
var (
	// ErrReceiptMismatch means a receipt named an envelope this device sent
	// to another organisation, not to the receipt's sender.
	ErrReceiptMismatch = errors.New("receipt names an envelope sent to another organisation")
	// ErrOutcomeRefused means an outcome statistic could not have come from
	// the nominator of a move (see checkOutcome).
	ErrOutcomeRefused = errors.New("outcome statistic refused")
	// ErrCaseIDNotBound means a referral's case id does not derive from its
	// verified sender organisation and its case nonce
	// (payload.CaseIDFor): only a case's nominator can send its referral,
	// so another organisation re-using a case id it has seen is refused.
	ErrCaseIDNotBound = errors.New("case id is not bound to the sending organisation")
)

// refusal is a received packet refused inside the store transaction (an
// illegal workflow step, a sender outside the case): the envelope is then
// recorded as rejected, acknowledged, and nothing else changes.
type refusal struct{ err error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// isRefusal reports whether err is a refusal decided in the transaction.
func isRefusal(err error) bool {
	var r *refusal
	return errors.As(err, &r)
}

// received is how one received payload changes this device's case.
type received struct {
	caseID payload.ID
	// events computes the workflow events from this organisation's own
	// view of the case (never from a role or stage the sender claims).
	events func(wc *workflow.Case) ([]workflow.Event, error)
	// base carries the reference and districts of a referral.
	base *casestore.Case
	// kind is the entry kind stored ("" stores none).
	kind string
	// once, when not zero, applies the events only the first time a packet
	// of this id is seen (the chunks of one attachment).
	once [16]byte
	// extra runs after the case is saved, inside the transaction.
	extra func(tx *casestore.Tx, wc *workflow.Case) error
	// precheck runs first inside the transaction: skip stores nothing
	// (a duplicate), an error refuses the packet.
	precheck func(tx *casestore.Tx) (skip bool, err error)
	// replies are queued in the same transaction.
	replies []*sealed
	// oweReceipt records, in the same transaction, that a delivery
	// receipt is owed to the sender (sealed, batched, at the end of the
	// sync: receipts.go).
	oweReceipt bool
}

// applyPayload returns the function that applies a verified, decoded
// payload inside the store transaction (see receive). Errors returned here
// reject the envelope for good.
func (d *Device) applyPayload(ctx context.Context, o *crypto.Opened, p payload.Payload, now time.Time) (func(*casestore.Tx) error, error) {
	return d.applyPayloadFor(ctx, o, p, now, false)
}

// applyPayloadFor is applyPayload; handedOver marks a packet handed over
// by a colleague's device (handover.go), which sends no receipts: the
// organisation answered it when it first arrived.
func (d *Device) applyPayloadFor(ctx context.Context, o *crypto.Opened, p payload.Payload, now time.Time, handedOver bool) (func(*casestore.Tx) error, error) {
	sender := o.Sender.Org
	me := d.secrets.Org
	mine := sender == me // a colleague's copy
	actor := workflow.Party{Org: sender, Device: o.Sender.Device, OrgName: o.SenderOrg.Name, DeviceName: o.Sender.Name}
	one := func(ev workflow.Event) func(*workflow.Case) ([]workflow.Event, error) {
		return func(*workflow.Case) ([]workflow.Event, error) { return []workflow.Event{ev}, nil }
	}
	var rc received
	switch p := p.(type) {
	case *payload.Referral:
		// Every referral packet comes from the case's nominator (the
		// workflow lets no other role send one), so its case id must
		// derive from the verified sender organisation: a landlord that
		// has seen a case id cannot open the case elsewhere as nominator.
		if payload.CaseIDFor(sender, p.CaseNonce) != p.Case {
			return nil, fmt.Errorf("referral for case %s from %s: %w", p.Case, sender, ErrCaseIDNotBound)
		}
		cl := [16]byte(p.CurrentLandlordOrg)
		rc = received{caseID: p.Case, kind: casestore.KindReferral,
			base: &casestore.Case{Reference: p.Reference, Districts: p.DistrictsAcceptable, Created: o.Created}}
		rc.events = func(wc *workflow.Case) ([]workflow.Event, error) {
			switch {
			case mine:
				// A colleague's referral: this device cannot know the
				// candidates (no payload names them), so it follows the
				// draft and the approval request only.
				var evs []workflow.Event
				if wc.Stage == workflow.StageNone {
					evs = append(evs, workflow.Event{Kind: workflow.EventReferralDrafted, Landlord: cl})
				}
				if cl != ([16]byte{}) && cl != me && !wc.Approved && (wc.Stage == workflow.StageNone || wc.Stage == workflow.StageDraft) {
					evs = append(evs, workflow.Event{Kind: workflow.EventApprovalRequested, Landlord: cl})
				}
				return evs, nil
			case cl == me:
				return []workflow.Event{{Kind: workflow.EventApprovalRequested, Landlord: cl}}, nil
			default:
				return []workflow.Event{{Kind: workflow.EventCirculated, Landlord: cl, Orgs: [][16]byte{me}}}, nil
			}
		}
		rc.oweReceipt = true
	case *payload.Approval:
		ev := workflow.Event{Kind: workflow.EventApproved, NoSuitableHome: p.NoSuitableHome, WillGiveHomeBack: p.WillGiveHomeBack, Why: p.Reason}
		if !p.Approved {
			ev = workflow.Event{Kind: workflow.EventApprovalDeclined, Why: p.Reason}
		}
		rc = received{caseID: p.Case, kind: casestore.KindApproval, events: one(ev)}
	case *payload.Offer:
		if p.Expires == "" {
			return nil, fmt.Errorf("offer %s from %s: %w: it has no expiry date", p.Offer, sender, workflow.ErrOfferExpired)
		}
		if !mine {
			// The nominator's own check: an offer in a district the
			// household must avoid, or outside its acceptable districts,
			// is refused and never shown as an offer.
			r, err := d.caseReferral(ctx, crypto.CaseID(p.Case))
			if err != nil && !errors.Is(err, ErrNotInCase) {
				return nil, err
			}
			if r != nil {
				if err := offerDistrictProblem(r, p); err != nil {
					return nil, fmt.Errorf("offer %s from %s: %w", p.Offer, sender, err)
				}
			}
		}
		rc = received{caseID: p.Case, kind: casestore.KindOffer, events: one(workflow.Event{Kind: workflow.EventOfferMade, Offer: p.Offer, Expires: p.Expires})}
	case *payload.OfferDecision:
		ev := workflow.Event{Kind: workflow.EventOfferAccepted, Offer: p.Offer}
		if p.Decision == payload.DecisionDecline {
			ev = workflow.Event{Kind: workflow.EventOfferDeclined, Offer: p.Offer, Why: p.Reason}
		}
		rc = received{caseID: p.Case, kind: casestore.KindOfferDecision, events: one(ev)}
	case *payload.HouseholdDetails:
		consent := &workflow.Consent{Given: p.SharingBasis.Basis == payload.BasisConsent, LegalBasis: p.SharingBasis.LegalBasis}
		rc = received{caseID: p.Case, kind: casestore.KindDetails}
		rc.events = func(wc *workflow.Case) ([]workflow.Event, error) {
			to := [16]byte(me)
			if mine {
				if p.SharingBasis == (payload.SharingBasis{}) || colleagueCopy(wc, o.Created) {
					// A colleague's new referral: the details its guard
					// checks against, kept here, no release.
					return nil, nil
				}
				to = wc.AcceptedLandlord
			}
			return []workflow.Event{{Kind: workflow.EventDetailsReleased, Landlord: to, Consent: consent}}, nil
		}
	case *payload.StatusUpdate:
		k, err := workflow.StatusEvent(p.Status)
		if err != nil {
			return nil, err
		}
		ev := workflow.Event{Kind: k, Status: p.Status, Why: p.Note, Effective: p.Effective}
		if k == workflow.EventFilled {
			ev.Landlord = me
			ev.Effective = ""
		}
		rc = received{caseID: p.Case, kind: casestore.KindStatus, events: one(ev)}
	case *payload.CaseMessage:
		rc = received{caseID: p.Case, kind: casestore.KindMessage, events: d.spokeEvent(workflow.EventMessage, mine, [16]byte{})}
		rc.oweReceipt = true
	case *payload.AttachmentChunk:
		if p.Size > d.maxAttach {
			return nil, fmt.Errorf("attachment %s: %w: %d bytes, this device's limit is %d", p.Attachment, ErrAttachmentTooLarge, p.Size, d.maxAttach)
		}
		spoke := d.spokeEvent(workflow.EventAttachment, mine, p.Attachment)
		chunk := &casestore.Chunk{Envelope: o.ID, Case: p.Case, Attachment: p.Attachment, Index: p.Index, SenderOrg: sender,
			Size: int64(len(p.Data)), At: now}
		rc = received{caseID: p.Case, kind: casestore.KindAttachment, once: p.Attachment,
			precheck: func(tx *casestore.Tx) (bool, error) { return d.checkChunk(ctx, tx, chunk) },
			extra: func(tx *casestore.Tx, _ *workflow.Case) error {
				_, err := tx.AddChunk(ctx, chunk)
				return err
			},
			events: func(wc *workflow.Case) ([]workflow.Event, error) {
				// An attachment id belongs to the organisation that sent
				// its first chunk: nobody else may add chunks to it.
				for _, e := range wc.History {
					if e.Kind == workflow.EventAttachment && e.Packet == [16]byte(p.Attachment) && e.Actor.Org != [16]byte(sender) {
						return nil, fmt.Errorf("attachment %s: %w: its id belongs to another organisation's file", p.Attachment, ErrAttachmentCorrupt)
					}
				}
				return spoke(wc)
			}}
	case *payload.ReadReceipt:
		if err := d.checkReceiptFor(ctx, p.Case, sender, p.Envelope); err != nil {
			return nil, err
		}
		rc = received{caseID: p.Case, kind: casestore.KindReadReceipt, events: one(workflow.Event{Kind: workflow.EventRead, Packet: p.Envelope})}
	case *payload.Recall:
		return d.applyRecall(ctx, o, p, actor, now)
	case *payload.RecallReceipt:
		if err := d.checkReceiptFor(ctx, p.Case, sender, p.Envelopes...); err != nil {
			return nil, err
		}
		rc = received{caseID: p.Case, kind: casestore.KindRecallReceipt, events: func(wc *workflow.Case) ([]workflow.Event, error) {
			if !mine && wc.RoleOf(sender) == workflow.RoleNone {
				return nil, fmt.Errorf("recall receipt: %w", ErrNotPartOfCase)
			}
			return nil, nil
		}}
	case *payload.DeliveryReceipt:
		if p.Rejected != "" {
			return d.applyRejection(ctx, o, p, sender, now)
		}
		ids := append([]payload.ID{p.Envelope}, p.Also...)
		if err := d.checkReceiptFor(ctx, p.Case, sender, ids...); err != nil {
			return nil, err
		}
		return func(tx *casestore.Tx) error {
			for i, id := range ids {
				// One row per envelope answered; the first is keyed by the
				// receipt's own envelope id, the others by a digest of it
				// and the envelope answered.
				key := [16]byte(o.ID)
				if i > 0 {
					h := sha256.Sum256(append(o.ID[:], id[:]...))
					key = [16]byte(h[:16])
				}
				if err := tx.AddReceipt(ctx, &casestore.Receipt{Envelope: key, Case: p.Case, For: id,
					ReaderOrg: sender, ReaderDevice: o.Sender.Device, ReadAt: time.Unix(p.ReadAt, 0), Received: now}); err != nil {
					return err
				}
			}
			return nil
		}, nil
	case *payload.Outcome:
		e, err := d.Directory().Org(me)
		if err != nil || e.Cert.Kind != crypto.KindCoordinator {
			return nil, errors.New("outcome statistics go only to the scheme coordinator; this organisation is not one")
		}
		if err := d.checkOutcome(sender, p); err != nil {
			return nil, err
		}
		return func(tx *casestore.Tx) error {
			_, err := tx.AddOutcome(ctx, &casestore.OutcomeRecord{ID: p.Outcome, Giving: p.GivingLandlord, Receiving: p.ReceivingLandlord,
				MovedMonth: p.MovedMonth, DaysToRehouse: p.DaysToRehouse, Bedrooms: p.Bedrooms, SenderOrg: sender, Received: now,
				Role: p.Role, Token: p.Token})
			return err
		}, nil
	default:
		return nil, fmt.Errorf("payload type %q is not handled by this version", o.PayloadType)
	}
	if handedOver {
		rc.replies = nil
	}
	return d.applyReceived(ctx, o, actor, &rc, now), nil
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

// checkOutcome refuses an outcome statistic whose sender was not in the
// role it attests: the receiving landlord's attestation must come from the
// receiving landlord itself, and the nominator's from another organisation
// (a nominating organisation cannot be a candidate); the receiving
// landlord must be a landlord, and the giving landlord, when named,
// another landlord. A move counts in the balance only once both
// attestations with the same token have arrived (Balance).
func (d *Device) checkOutcome(sender crypto.OrgID, p *payload.Outcome) error {
	if p.Role == payload.OutcomeByReceivingLandlord {
		if [16]byte(p.ReceivingLandlord) != [16]byte(sender) {
			return fmt.Errorf("outcome %s: %w: a receiving landlord's attestation sent by another organisation", p.Outcome, ErrOutcomeRefused)
		}
		return d.checkOutcomeLandlords(p)
	}
	if [16]byte(p.ReceivingLandlord) == [16]byte(sender) {
		return fmt.Errorf("outcome %s: %w: sent by the receiving landlord itself, which cannot have nominated the household", p.Outcome, ErrOutcomeRefused)
	}
	return d.checkOutcomeLandlords(p)
}

// checkOutcomeLandlords checks the landlords an outcome names.
func (d *Device) checkOutcomeLandlords(p *payload.Outcome) error {
	dir := d.Directory()
	isLandlord := func(id payload.ID) bool {
		e, err := dir.Org(crypto.OrgID(id))
		return err == nil && e.Cert.Kind == crypto.KindLandlord
	}
	switch {
	case !isLandlord(p.ReceivingLandlord):
		return fmt.Errorf("outcome %s: %w: the receiving organisation is not a landlord", p.Outcome, ErrOutcomeRefused)
	case !p.GivingLandlord.IsZero() && !isLandlord(p.GivingLandlord):
		return fmt.Errorf("outcome %s: %w: the giving organisation is not a landlord", p.Outcome, ErrOutcomeRefused)
	case p.GivingLandlord == p.ReceivingLandlord:
		return fmt.Errorf("outcome %s: %w: the same landlord gives and receives", p.Outcome, ErrOutcomeRefused)
	}
	return nil
}

// checkChunk decides on a received attachment chunk before anything is
// stored: a chunk the case already holds (the same index of the same
// attachment from the same organisation, whatever envelope it came in) is
// skipped; one that would take the case past MaxCaseAttachmentBytes, or
// the sender organisation past MaxSenderAttachmentBytesPerHour at this
// device, is refused.
func (d *Device) checkChunk(ctx context.Context, tx *casestore.Tx, c *casestore.Chunk) (skip bool, err error) {
	held, err := tx.HasChunk(ctx, c.Case, c.Attachment, c.Index, c.SenderOrg)
	if err != nil || held {
		return held, err
	}
	total, recent, err := tx.ChunkBytes(ctx, c.Case, c.SenderOrg, c.At.Add(-time.Hour))
	if err != nil {
		return false, err
	}
	switch {
	case total+c.Size > d.caseAttach:
		return false, fmt.Errorf("attachment %x: %w: the case already holds %d bytes of attachments, the limit is %d",
			c.Attachment, ErrAttachmentLimit, total, d.caseAttach)
	case recent+c.Size > d.senderAttach:
		return false, fmt.Errorf("attachment %x: %w: %d bytes from this organisation in the last hour, the limit is %d",
			c.Attachment, ErrAttachmentRate, recent, d.senderAttach)
	}
	return false, nil
}

// colleagueCopy reports whether household details a colleague sent at
// created are the copy of a new referral (before any offer was accepted
// in the case), not a release.
func colleagueCopy(wc *workflow.Case, created time.Time) bool {
	for _, e := range wc.History {
		if e.Kind == workflow.EventOfferAccepted {
			return created.Before(e.At)
		}
	}
	return true
}

// spokeEvent builds a message or attachment event: a colleague's copy goes
// where the workflow sends this organisation's packets, another
// organisation's packet is addressed to this one.
func (d *Device) spokeEvent(k workflow.EventKind, mine bool, packet [16]byte) func(*workflow.Case) ([]workflow.Event, error) {
	return func(wc *workflow.Case) ([]workflow.Event, error) {
		orgs := [][16]byte{d.secrets.Org}
		if mine {
			orgs = orgIDs(d.spokes(wc))
		}
		return []workflow.Event{{Kind: k, Orgs: orgs, Packet: packet}}, nil
	}
}

// applyReceived is the transaction body shared by the workflow payloads.
func (d *Device) applyReceived(ctx context.Context, o *crypto.Opened, actor workflow.Party, rc *received, now time.Time) func(*casestore.Tx) error {
	caseID := crypto.CaseID(rc.caseID)
	return func(tx *casestore.Tx) error {
		wc, known, err := d.loadFlow(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if rc.precheck != nil && known {
			skip, err := rc.precheck(tx)
			if err != nil {
				return &refusal{err}
			}
			if skip {
				return nil
			}
		}
		evs, err := rc.events(wc)
		if err != nil {
			return &refusal{err}
		}
		if rc.once != ([16]byte{}) && slices.ContainsFunc(wc.History, func(e workflow.Event) bool { return e.Packet == rc.once }) {
			// A later chunk: check it as if first, but record the event once.
			check := wc.Clone()
			for _, ev := range evs {
				ev.Actor, ev.At = actor, o.Created
				if err := check.Apply(ev); err != nil {
					return &refusal{err}
				}
			}
			evs = nil
		}
		for _, ev := range evs {
			ev.Actor, ev.At = actor, o.Created
			if rc.kind != "" {
				ev.Envelope = o.ID // the entry stored below
			}
			if err := wc.Apply(ev); err != nil {
				if known && wc.RoleOf(actor.Org) == workflow.RoleNone {
					return &refusal{fmt.Errorf("%w: %w", ErrNotPartOfCase, err)}
				}
				return &refusal{err}
			}
		}
		if !known && len(evs) == 0 {
			return &refusal{fmt.Errorf("case %s: %w", caseID, ErrNotInCase)}
		}
		if len(evs) > 0 {
			if err := d.saveFlow(ctx, tx, wc, rc.base); err != nil {
				return err
			}
		}
		if rc.kind != "" {
			if err := tx.AddEntry(ctx, &casestore.Entry{Envelope: o.ID, Case: rc.caseID, Kind: rc.kind, Direction: casestore.DirectionReceived,
				At: o.Created, SenderOrg: actor.Org, SenderDevice: actor.Device,
				SenderOrgName: actor.OrgName, SenderDeviceName: actor.DeviceName, Body: o.Payload}); err != nil {
				return err
			}
		}
		if rc.extra != nil {
			if err := rc.extra(tx, wc); err != nil {
				return err
			}
		}
		if rc.oweReceipt {
			if err := tx.OweReceipt(ctx, &casestore.OwedReceipt{Envelope: [16]byte(o.ID), Org: [16]byte(actor.Org), Case: rc.caseID, At: now}); err != nil {
				return err
			}
		}
		return queueCase(ctx, tx, rc.replies, rc.caseID, now)
	}
}

// applyRecall shreds the packets a recall names (only those the recalling
// organisation sent) and answers with a signed recall receipt listing them.
func (d *Device) applyRecall(ctx context.Context, o *crypto.Opened, p *payload.Recall, actor workflow.Party, now time.Time) (func(*casestore.Tx) error, error) {
	caseID := crypto.CaseID(p.Case)
	entries, err := d.store.Entries(ctx, [16]byte(caseID))
	if err != nil && !errors.Is(err, casestore.ErrNoCase) {
		return nil, err
	}
	var held []payload.ID
	for _, e := range entries {
		if e.Unreadable {
			continue
		}
		if e.SenderOrg == actor.Org && e.Direction == casestore.DirectionReceived && slices.Contains(p.Envelopes, payload.ID(e.Envelope)) {
			held = append(held, payload.ID(e.Envelope))
		}
	}
	var replies []*sealed
	if len(held) > 0 && actor.Org != d.secrets.Org {
		rr := &payload.RecallReceipt{Schema: payload.SchemaVersion, Case: p.Case, Envelopes: held, ShreddedAt: now.Unix()}
		s, err := d.seal(actor.Org, rr, now)
		if errors.Is(err, ErrViewStale) {
			// Shred anyway; the receipt waits for a freshly witnessed
			// view (the recalling organisation sees no receipt yet).
			s, err = nil, nil
		}
		if err != nil && !errors.Is(err, ErrNoRecipients) {
			return nil, fmt.Errorf("seal recall receipt: %w", err)
		}
		if s != nil {
			replies = []*sealed{s}
		}
	}
	referral := false
	for _, e := range entries {
		if e.Kind == casestore.KindReferral && slices.Contains(held, payload.ID(e.Envelope)) {
			referral = true
		}
	}
	rc := &received{caseID: p.Case, kind: casestore.KindRecall, replies: replies,
		events: func(*workflow.Case) ([]workflow.Event, error) {
			return []workflow.Event{{Kind: workflow.EventRecalled, Packet: p.Envelopes[0], RecalledReferral: referral}}, nil
		},
		extra: func(tx *casestore.Tx, _ *workflow.Case) error {
			for _, e := range held {
				if _, err := tx.DeleteEntry(ctx, [16]byte(caseID), e, actor.Org); err != nil {
					return err
				}
			}
			return nil
		}}
	return d.applyReceived(ctx, o, actor, rc, now), nil
}

// spokes returns where this organisation's case messages and attachments
// go (hub and spoke): from the nominator to every other organisation still
// in the case, from anyone else to the nominator only.
func (d *Device) spokes(wc *workflow.Case) []crypto.OrgID {
	if wc.MyRole() == workflow.RoleNominator {
		return fromIDs(wc.Organisations())
	}
	return d.nominatorOf(wc)
}

func fromIDs(in [][16]byte) []crypto.OrgID {
	out := make([]crypto.OrgID, len(in))
	for i, o := range in {
		out[i] = o
	}
	return out
}
