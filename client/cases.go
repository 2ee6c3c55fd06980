package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// OrgRef names an organisation as the verified directory knows it.
type OrgRef struct {
	ID   crypto.OrgID
	Name string // empty when the directory does not know it
	Kind crypto.OrgKind
}

// CaseSummary is one line of the case list. Cases and FindCases build it
// from the summary the case store keeps for each case, without opening
// the case (see listSummary).
type CaseSummary struct {
	ID            payload.ID
	Reference     string
	Organisations []OrgRef
	Created       time.Time
	LastActivity  time.Time
	// Stage is where the case stands for this organisation.
	Stage workflow.Stage
	// MyRole is this organisation's role in the case.
	MyRole workflow.Role
	// WaitingOn is what the case waits on this organisation's user to do
	// (workflow.ActionNone when it waits on someone else or is over).
	WaitingOn workflow.Action
	// Next lists the organisations the case waits on when it does not
	// wait on this organisation's user: the accepted landlord after an
	// acceptance, else every other organisation still asked (not a
	// landlord told the referral is filled, nor one that answered "no
	// suitable home"). Names are the directory's ("" when unknown).
	Next []OrgRef
	// HasReferral is true once the case's referral is on this device.
	HasReferral bool
	// Districts, Urgency and NeededBy (YYYY-MM-DD) are the latest
	// referral's acceptable districts, urgency and date (empty before it
	// arrives).
	Districts []string
	Urgency   string
	NeededBy  string
	// SearchText is the case's decrypted needs profile and messages, lower
	// case, for the case list's search. Outside memory it exists only in
	// the store's sealed summary, shredded with the case; a recalled
	// message leaves it when the message does.
	SearchText string
}

// Party is who sent or read something: organisation and device, with the
// names from their verified certificates.
type Party struct {
	Org        crypto.OrgID
	OrgName    string
	Device     crypto.DeviceID
	DeviceName string
}

// CaseEntry is one packet of a case, sent, received or kept as a draft.
type CaseEntry struct {
	Envelope  crypto.EnvelopeID
	Kind      string // a casestore.Kind* constant
	Direction string // casestore.DirectionSent, casestore.DirectionReceived or DirectionDraft
	At        time.Time
	From      Party
	Referral  *payload.Referral // for a referral
	Text      string            // for a message
	// Payload is the decoded packet, whatever its kind (nil for an
	// attachment chunk: see Case.Attachments).
	Payload payload.Payload
	// Unreadable is set when the entry could not be opened on this device
	// (damaged storage); Text is then UnreadableEntry and Payload nil.
	Unreadable bool
}

// UnreadableEntry is what a case shows in place of an entry that could not
// be opened; the rest of the case is shown as usual.
const UnreadableEntry = "this entry could not be opened"

// Receipt kinds.
const (
	ReceiptDelivery = "delivery" // the device received the packet
	ReceiptRead     = "read"     // a person opened it
	ReceiptRecall   = "recall"   // the device shredded it at a recall
	// ReceiptRejected: the device refused the packet for good (a signed
	// rejection receipt); Reason says why.
	ReceiptRejected = "rejected"
	// ReceiptNotSent: this device did not send the packet (Reason says
	// why, e.g. it was dated by a wrong clock); Reader is this device's
	// organisation.
	ReceiptNotSent = "not-sent"
)

// CaseReceipt is a receipt: which device at which organisation received,
// opened or shredded which packet, when.
type CaseReceipt struct {
	Envelope crypto.EnvelopeID // the envelope the receipt is about, as its reader knew it
	// Packet is the entry (CaseEntry.Envelope) of this device's packet that
	// envelope carried, or Envelope when it is not one this device sent.
	Packet   crypto.EnvelopeID
	Kind     string // ReceiptDelivery, ReceiptRead, ReceiptRecall, ReceiptRejected or ReceiptNotSent
	Reader   Party
	ReadAt   time.Time
	Received time.Time
	// Reason, for ReceiptRejected and ReceiptNotSent, says in words why
	// the packet was not accepted.
	Reason string
}

// CaseOffer is one offer in a case with where it stands.
type CaseOffer struct {
	Offer *payload.Offer // the address only ever reaches the nominating organisation
	State workflow.OfferState
	From  Party
	At    time.Time
}

// CaseAttachment is a file attached to a case.
type CaseAttachment struct {
	ID        payload.ID
	Name      string
	MediaType string
	Size      int64
	Chunks    int // how many chunks the file has
	Have      int // how many of them this device holds
	From      Party
	At        time.Time
}

// Case is everything this device holds about one case, decrypted.
type Case struct {
	CaseSummary
	Referral *payload.Referral // the latest referral, or nil
	Entries  []CaseEntry       // oldest first; attachment chunks and receipts are listed apart
	Receipts []CaseReceipt
	// Allowed lists the workflow steps this organisation may take now.
	Allowed []workflow.EventKind
	// Events is the case's workflow timeline: who (verified organisation
	// and device), when and why.
	Events []workflow.Event
	// Verified[i] reports whether the actor of Events[i] is vouched for by
	// this device's verified directory (see Device.ActorVerified); read it
	// with EventVerified.
	Verified    []bool
	Offers      []CaseOffer
	Details     *payload.HouseholdDetails // the latest household details held, or nil
	Attachments []CaseAttachment
	// EndedWhy says why the case ended here when the stage does not ("the
	// nominating organisation recalled the referral").
	EndedWhy string
}

// EventVerified reports whether the actor of Events[i] is vouched for by
// the directory; false when the case does not say (a Case built by hand).
func (c *Case) EventVerified(i int) bool {
	return i >= 0 && i < len(c.Verified) && c.Verified[i]
}

// ActorVerified reports whether the device that made an event is, in this
// device's verified directory, a device of the organisation the event
// names: the one rule behind "signature verified" in the command line and
// the desktop app. Every event in a case's history was made here or came
// in an envelope whose signature was checked when it arrived; this says
// whether the directory still vouches for the device and organisation
// shown.
func (d *Device) ActorVerified(p workflow.Party) bool {
	e, err := d.Directory().Device(p.Device)
	return err == nil && e.Cert.Org == p.Org
}

func (d *Device) orgRef(id crypto.OrgID) OrgRef {
	r := OrgRef{ID: id}
	if e, err := d.Directory().Org(id); err == nil {
		r.Name, r.Kind = e.Cert.Name, e.Cert.Kind
	}
	return r
}

// summary is the case list line of a case being opened, computed afresh.
func (d *Device) summary(ctx context.Context, c *casestore.Case) (CaseSummary, error) {
	s, _, err := d.caseSummary(ctx, &casestore.Summary{ID: c.ID, Status: c.Status, Reference: c.Reference,
		Organisations: c.Organisations, Created: c.Created, Updated: c.Updated, Closed: c.Closed})
	return s, err
}

// Cases lists the cases on this device, most recent activity first, from
// the summaries the case store keeps (no case is opened).
func (d *Device) Cases(ctx context.Context) ([]CaseSummary, error) {
	return d.FindCases(ctx, casestore.Filter{})
}

// entryTypes maps entry kinds to payload types.
var entryTypes = map[string]string{
	casestore.KindReferral:      payload.TypeReferral,
	casestore.KindMessage:       payload.TypeCaseMessage,
	casestore.KindApproval:      payload.TypeApproval,
	casestore.KindOffer:         payload.TypeOffer,
	casestore.KindOfferDecision: payload.TypeOfferDecision,
	casestore.KindDetails:       payload.TypeHouseholdDetails,
	casestore.KindStatus:        payload.TypeStatusUpdate,
	casestore.KindAttachment:    payload.TypeAttachmentChunk,
	casestore.KindReadReceipt:   payload.TypeReadReceipt,
	casestore.KindRecall:        payload.TypeRecall,
	casestore.KindRecallReceipt: payload.TypeRecallReceipt,
}

// Case returns one case with its workflow state, packets, offers,
// attachments and receipts. It fails with ErrNotInCase for a case this
// device does not hold.
func (d *Device) Case(ctx context.Context, id payload.ID) (*Case, error) {
	c, err := d.store.Case(ctx, [16]byte(id))
	if errors.Is(err, casestore.ErrNoCase) {
		return nil, fmt.Errorf("case %s: %w", id, ErrNotInCase)
	}
	if err != nil {
		return nil, err
	}
	// Chunk bodies are left out (read when the file is saved), apart from
	// each attachment's first, which names it.
	entries, err := d.store.EntriesLazy(ctx, [16]byte(id))
	if err != nil {
		return nil, err
	}
	receipts, err := d.store.Receipts(ctx, [16]byte(id))
	if err != nil {
		return nil, err
	}
	sentEnvs, err := d.store.SentEnvelopes(ctx, [16]byte(id))
	if err != nil {
		return nil, err
	}
	packetOf := func(env [16]byte) crypto.EnvelopeID {
		for _, s := range sentEnvs {
			if s.Envelope == env {
				return s.Entry
			}
		}
		return env
	}
	wc, _, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return nil, err
	}
	sum, err := d.summary(ctx, c)
	if err != nil {
		return nil, err
	}
	out := &Case{CaseSummary: sum, Events: wc.History, EndedWhy: wc.EndedWhy, Verified: make([]bool, len(wc.History))}
	for i, ev := range wc.History {
		out.Verified[i] = d.ActorVerified(ev.Actor)
	}
	if wc.Stage != workflow.StageNone {
		out.Allowed = wc.Allowed(wc.MyRole())
	}
	atts := map[payload.ID]int{}
	dir := d.Directory()
	later := 0 // chunks whose bodies were left out
	for _, e := range entries {
		from := Party{Org: e.SenderOrg, OrgName: e.SenderOrgName, Device: e.SenderDevice, DeviceName: e.SenderDeviceName}
		if e.Body == nil && e.Kind == casestore.KindAttachment {
			later++
			continue
		}
		pt, ok := entryTypes[e.Kind]
		var p payload.Payload
		err := fmt.Errorf("unknown kind %q", e.Kind)
		if ok && !e.Unreadable {
			p, err = payload.Unmarshal(pt, e.Body)
		}
		if e.Unreadable || err != nil {
			out.Entries = append(out.Entries, CaseEntry{Envelope: e.Envelope, Kind: e.Kind, Direction: e.Direction, At: e.At,
				From: from, Text: UnreadableEntry, Unreadable: true})
			continue
		}
		switch p := p.(type) {
		case *payload.AttachmentChunk:
			i, ok := atts[p.Attachment]
			if !ok {
				i = len(out.Attachments)
				atts[p.Attachment] = i
				out.Attachments = append(out.Attachments, CaseAttachment{ID: p.Attachment, Name: p.Name, MediaType: p.MediaType,
					Size: p.Size, Chunks: p.Count, From: from, At: e.At})
			}
			if later == 0 {
				out.Attachments[i].Have++
			}
			continue
		case *payload.ReadReceipt:
			if e.Direction == casestore.DirectionReceived {
				out.Receipts = append(out.Receipts, CaseReceipt{Envelope: crypto.EnvelopeID(p.Envelope), Packet: packetOf(p.Envelope),
					Kind: ReceiptRead, Reader: from, ReadAt: time.Unix(p.ReadAt, 0).UTC(), Received: e.At})
			}
			continue
		case *payload.RecallReceipt:
			for _, env := range p.Envelopes {
				out.Receipts = append(out.Receipts, CaseReceipt{Envelope: crypto.EnvelopeID(env), Packet: packetOf(env),
					Kind: ReceiptRecall, Reader: from, ReadAt: time.Unix(p.ShreddedAt, 0).UTC(), Received: e.At})
			}
			continue
		case *payload.Referral:
			out.Referral = p
		case *payload.CaseMessage:
		case *payload.Offer:
			state := workflow.OfferPending
			for _, o := range wc.Offers {
				if o.ID == [16]byte(p.Offer) {
					state = o.State
					if state == workflow.OfferPending && o.ExpiredAt(d.now()) {
						state = workflow.OfferExpired
					}
				}
			}
			out.Offers = append(out.Offers, CaseOffer{Offer: p, State: state, From: from, At: e.At})
		case *payload.HouseholdDetails:
			out.Details = p
		}
		ce := CaseEntry{Envelope: e.Envelope, Kind: e.Kind, Direction: e.Direction, At: e.At, From: from, Payload: p}
		switch p := p.(type) {
		case *payload.Referral:
			ce.Referral = p
		case *payload.CaseMessage:
			ce.Text = p.Text
		}
		out.Entries = append(out.Entries, ce)
	}
	if later > 0 {
		// Count what is held from the chunk index instead.
		chunks, err := d.store.Chunks(ctx, [16]byte(id))
		if err != nil {
			return nil, err
		}
		for i := range out.Attachments {
			a := &out.Attachments[i]
			a.Have = 0
			for _, c := range chunks {
				if c.Attachment == [16]byte(a.ID) && c.SenderOrg == [16]byte(a.From.Org) {
					a.Have++
				}
			}
		}
	}
	rejections, err := d.store.Rejections(ctx, [16]byte(id))
	if err != nil {
		return nil, err
	}
	for _, r := range rejections {
		p := Party{Org: r.Org, Device: r.Device}
		p.OrgName = d.orgRef(r.Org).Name
		if e, err := dir.Device(r.Device); err == nil {
			p.DeviceName = e.Cert.Name
		}
		cr := CaseReceipt{Envelope: r.For, Packet: packetOf(r.For), Kind: ReceiptRejected, Reader: p, ReadAt: r.At, Received: r.At,
			Reason: payload.RejectionReason(r.Code)}
		if r.Code == LocalClockCode {
			cr.Kind, cr.Reason = ReceiptNotSent, "it was written while this computer's clock was wrong, and would have been refused; write it again"
		}
		out.Receipts = append(out.Receipts, cr)
	}
	for _, r := range receipts {
		p := Party{Org: r.ReaderOrg, Device: r.ReaderDevice}
		p.OrgName = d.orgRef(r.ReaderOrg).Name
		if e, err := dir.Device(r.ReaderDevice); err == nil {
			p.DeviceName = e.Cert.Name
		}
		out.Receipts = append(out.Receipts, CaseReceipt{Envelope: r.For, Packet: packetOf(r.For), Kind: ReceiptDelivery,
			Reader: p, ReadAt: r.ReadAt, Received: r.Received})
	}
	return out, nil
}
