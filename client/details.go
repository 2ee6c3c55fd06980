package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// ErrReadersChanged means the devices able to read household details are
// not the ones the user was shown (the digest differs): show them again.
var ErrReadersChanged = errors.New("the readers of the household details changed since they were shown")

// Reader is a device that will be able to read released household details.
type Reader struct {
	Org         crypto.OrgID
	OrgName     string
	Device      crypto.DeviceID
	DeviceName  string
	Fingerprint string
}

// DetailsReaders returns every device that would be able to read the
// case's household details if released now: each current, verified device
// of the accepted landlord and this organisation's other devices. digest is
// the hex SHA-256 over the sorted device ids and encryption keys; the user
// must be shown the list, and ReleaseDetails requires the same digest, so
// the list cannot change between showing and sending.
func (d *Device) DetailsReaders(ctx context.Context, id payload.ID) ([]Reader, string, error) {
	wc, known, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return nil, "", fmt.Errorf("details readers of %s: %w", id, err)
	}
	if !known {
		return nil, "", fmt.Errorf("details readers: case %s: %w", id, ErrNotInCase)
	}
	if wc.AcceptedLandlord.IsZero() {
		return nil, "", fmt.Errorf("details readers of %s: %w", id, &workflow.TransitionError{From: wc.Stage,
			Event: workflow.EventDetailsReleased, Actor: wc.MyRole(), Reason: "no offer has been accepted yet", Err: workflow.ErrWrongStage})
	}
	readers, digest := d.readers(wc.AcceptedLandlord)
	return readers, digest, nil
}

func (d *Device) readers(landlord crypto.OrgID) ([]Reader, string) {
	now := d.now()
	dir := d.Directory()
	var out []Reader
	type keyed struct {
		dev crypto.DeviceID
		key string
	}
	var keys []keyed
	for _, org := range []crypto.OrgID{landlord, d.secrets.Org} {
		for _, r := range dir.Recipients(org, now) {
			if r.Device == d.secrets.Device {
				continue
			}
			rd := Reader{Org: org, OrgName: d.orgRef(org).Name, Device: r.Device}
			if e, err := dir.Device(r.Device); err == nil {
				rd.DeviceName, rd.Fingerprint = e.Cert.Name, crypto.DeviceFingerprint(e.Cert.SigningKey)
			}
			out = append(out, rd)
			keys = append(keys, keyed{r.Device, r.Key})
		}
	}
	slices.SortFunc(keys, func(a, b keyed) int { return bytes.Compare(a.dev[:], b.dev[:]) })
	h := sha256.New()
	for _, k := range keys {
		h.Write(k.dev[:])
		h.Write([]byte(k.key))
		h.Write([]byte{0})
	}
	return out, hex.EncodeToString(h.Sum(nil))
}

// ReleaseDetails sends the household's details to the accepted landlord
// only (and this organisation's other devices): only once an offer is
// accepted, only with h.SharingBasis recording consent or the legal basis
// for sharing without it, and only when readersDigest is the digest of
// DetailsReaders (ErrReadersChanged otherwise). A refusal is a
// *workflow.TransitionError (ErrWrongStage, ErrNoConsent) or a
// *payload.ValidationError.
func (d *Device) ReleaseDetails(ctx context.Context, id payload.ID, h *payload.HouseholdDetails, readersDigest string) error {
	if h.Schema == 0 {
		h.Schema = payload.SchemaVersion
	}
	h.Case = id
	wc, known, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return fmt.Errorf("release details: %w", err)
	}
	if !known {
		return fmt.Errorf("release details: case %s: %w", id, ErrNotInCase)
	}
	landlord := wc.AcceptedLandlord
	consent := &workflow.Consent{Given: h.SharingBasis.Basis == payload.BasisConsent, LegalBasis: h.SharingBasis.LegalBasis}
	if h.SharingBasis.Basis != payload.BasisConsent && h.SharingBasis.Basis != payload.BasisLegal {
		consent = nil
	}
	ev := &workflow.Event{Kind: workflow.EventDetailsReleased, Landlord: landlord, Consent: consent}
	// The workflow's refusals (stage, landlord, consent) come first.
	check := wc.Clone()
	probe := *ev
	probe.Actor, probe.At = d.me(), d.now()
	if consent != nil {
		c := *consent
		c.Readers = []workflow.Party{{Org: landlord}}
		probe.Consent = &c
	}
	if err := check.Apply(probe); err != nil {
		return fmt.Errorf("release details: %w", err)
	}
	if err := d.refreshView(ctx); err != nil {
		return fmt.Errorf("release details: %w", err)
	}
	if err := d.checkFresh(ctx, releaseWindow, "releasing household details"); err != nil {
		return fmt.Errorf("release details: %w", err)
	}
	readers, digest := d.readers(landlord)
	if readersDigest != digest {
		return fmt.Errorf("release details: %w", ErrReadersChanged)
	}
	for _, r := range readers {
		consent.Readers = append(consent.Readers, workflow.Party{Org: r.Org, Device: r.Device, OrgName: r.OrgName, DeviceName: r.DeviceName})
	}
	pkts := []*outgoing{{event: ev, p: h, to: []crypto.OrgID{landlord}, ownCopy: true, kind: casestore.KindDetails}}
	if _, err := d.sendPackets(ctx, id, nil, pkts, nil); err != nil {
		return fmt.Errorf("release details: %w", err)
	}
	return nil
}

// receiveDetails applies household details: released to this landlord,
// or a colleague's copy (of a release, or of a new referral's details,
// which this device's guard checks against).
func (d *Device) receiveDetails(ctx context.Context, in *inbound, p *payload.HouseholdDetails) (func(*casestore.Tx) error, error) {
	consent := &workflow.Consent{Given: p.SharingBasis.Basis == payload.BasisConsent, LegalBasis: p.SharingBasis.LegalBasis}
	rc := &received{caseID: p.Case, kind: casestore.KindDetails}
	rc.events = func(wc *workflow.Case) ([]workflow.Event, error) {
		to := in.me
		if in.mine {
			if p.SharingBasis == (payload.SharingBasis{}) || colleagueCopy(wc, in.o.Created) {
				return nil, nil // kept here, no release
			}
			to = wc.AcceptedLandlord
		}
		return []workflow.Event{{Kind: workflow.EventDetailsReleased, Landlord: to, Consent: consent}}, nil
	}
	return d.receiveEvents(ctx, in, rc)
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
