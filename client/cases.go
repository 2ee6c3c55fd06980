package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// OrgRef names an organisation as the verified directory knows it.
type OrgRef struct {
	ID   crypto.OrgID
	Name string // empty when the directory does not know it
	Kind crypto.OrgKind
}

// CaseSummary is one line of the case list.
type CaseSummary struct {
	ID            crypto.CaseID
	Reference     string
	Status        string
	Organisations []OrgRef
	Created       time.Time
	LastActivity  time.Time
}

// Party is who sent or read something: organisation and device, with the
// names from their verified certificates.
type Party struct {
	Org        crypto.OrgID
	OrgName    string
	Device     crypto.DeviceID
	DeviceName string
}

// CaseEntry is a referral or a message in a case.
type CaseEntry struct {
	Envelope  crypto.EnvelopeID
	Kind      string // casestore.KindReferral or casestore.KindMessage
	Direction string // casestore.DirectionSent or casestore.DirectionReceived
	At        time.Time
	From      Party
	Referral  *payload.Referral // for a referral
	Text      string            // for a message
}

// CaseReceipt is a delivery receipt: which device opened which envelope, when.
type CaseReceipt struct {
	Envelope crypto.EnvelopeID // the envelope that was read
	Reader   Party
	ReadAt   time.Time
	Received time.Time
}

// Case is everything this device holds about one case, decrypted.
type Case struct {
	CaseSummary
	Referral *payload.Referral // the latest referral, or nil
	Entries  []CaseEntry       // oldest first
	Receipts []CaseReceipt
}

func (d *Device) orgRef(id crypto.OrgID) OrgRef {
	r := OrgRef{ID: id}
	if e, err := d.Directory().Org(id); err == nil {
		r.Name, r.Kind = e.Cert.Name, e.Cert.Kind
	}
	return r
}

func (d *Device) summary(c *casestore.Case) CaseSummary {
	s := CaseSummary{ID: c.ID, Reference: c.Reference, Status: c.Status, Created: c.Created, LastActivity: c.Updated}
	for _, o := range c.Organisations {
		s.Organisations = append(s.Organisations, d.orgRef(o))
	}
	return s
}

// Cases lists the cases on this device, most recent activity first.
func (d *Device) Cases(ctx context.Context) ([]CaseSummary, error) {
	cs, err := d.store.Cases(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]CaseSummary, len(cs))
	for i, c := range cs {
		out[i] = d.summary(c)
	}
	return out, nil
}

// Case returns one case with its referral, messages and receipts. It
// fails with ErrNotInCase for a case this device does not hold.
func (d *Device) Case(ctx context.Context, id crypto.CaseID) (*Case, error) {
	c, err := d.store.Case(ctx, [16]byte(id))
	if errors.Is(err, casestore.ErrNoCase) {
		return nil, fmt.Errorf("case %s: %w", id, ErrNotInCase)
	}
	if err != nil {
		return nil, err
	}
	entries, err := d.store.Entries(ctx, [16]byte(id))
	if err != nil {
		return nil, err
	}
	receipts, err := d.store.Receipts(ctx, [16]byte(id))
	if err != nil {
		return nil, err
	}
	out := &Case{CaseSummary: d.summary(c)}
	for _, e := range entries {
		ce := CaseEntry{Envelope: e.Envelope, Kind: e.Kind, Direction: e.Direction, At: e.At,
			From: Party{Org: e.SenderOrg, OrgName: e.SenderOrgName, Device: e.SenderDevice, DeviceName: e.SenderDeviceName}}
		switch e.Kind {
		case casestore.KindReferral:
			p, err := payload.Unmarshal(payload.TypeReferral, e.Body)
			if err != nil {
				return nil, fmt.Errorf("case %s: entry %x: %w", id, e.Envelope, err)
			}
			ce.Referral = p.(*payload.Referral)
			out.Referral = ce.Referral
		case casestore.KindMessage:
			p, err := payload.Unmarshal(payload.TypeCaseMessage, e.Body)
			if err != nil {
				return nil, fmt.Errorf("case %s: entry %x: %w", id, e.Envelope, err)
			}
			ce.Text = p.(*payload.CaseMessage).Text
		}
		out.Entries = append(out.Entries, ce)
	}
	dir := d.Directory()
	for _, r := range receipts {
		p := Party{Org: r.ReaderOrg, Device: r.ReaderDevice}
		p.OrgName = d.orgRef(r.ReaderOrg).Name
		if e, err := dir.Device(r.ReaderDevice); err == nil {
			p.DeviceName = e.Cert.Name
		}
		out.Receipts = append(out.Receipts, CaseReceipt{Envelope: r.For, Reader: p, ReadAt: r.ReadAt, Received: r.Received})
	}
	return out, nil
}
