package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/protocol/payload"
)

// TestOutcomeForgedByReceivingLandlordRefused: the landlord that housed a
// household is never the case's nominator, so an outcome naming the sender
// as the receiving landlord (crediting itself a home given) is a forgery;
// so is one naming an organisation that is not a landlord.
func TestOutcomeForgedByReceivingLandlordRefused(t *testing.T) {
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	current := w.Org("Medway Valley Housing", crypto.KindLandlord, "Medway")
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	coord := w.Org("Kent Reciprocal", crypto.KindCoordinator)
	coordinator := w.Device(coord, "Coordinator")
	wealdForger := weald.AddDevice(t, "weald forger")
	w.Publish(wealdForger.Raw)
	sync(t, coordinator)

	o := payload.ExampleOutcome()
	o.GivingLandlord, o.ReceivingLandlord = payload.ID(current.ID), payload.ID(weald.ID)
	forge(w, wealdForger, coord.ID, coordinator, o)
	expectRejected(t, coordinator, client.ErrOutcomeRefused)

	o = payload.ExampleOutcome()
	o.GivingLandlord, o.ReceivingLandlord = payload.ID(current.ID), payload.ID(refuge.ID)
	forge(w, wealdForger, coord.ID, coordinator, o)
	expectRejected(t, coordinator, client.ErrOutcomeRefused)

	rows, err := coordinator.Balance(context.Background())
	if err != nil || len(rows) != 0 {
		t.Fatalf("balance after forged outcomes = %+v, %v", rows, err)
	}
}

// TestReceiptForAnotherOrganisationsEnvelopeRefused: a candidate cannot
// claim to have read, received or shredded a packet the nominator sent to
// another candidate.
func TestReceiptForAnotherOrganisationsEnvelopeRefused(t *testing.T) {
	ctx := context.Background()
	tc := newTwoCandidateCase(t)
	w, refuge, oaks := tc.w, tc.refuge, tc.oaks
	caseworker, officer, oaksForger, caseID := tc.caseworker, tc.officer, tc.oaksForger, tc.caseID
	if _, err := officer.SendOffer(ctx, caseID, testOffer()); err != nil {
		t.Fatal(err)
	}
	sync(t, caseworker)
	c := stage(t, caseworker, caseID)
	if len(c.Offers) != 1 {
		t.Fatalf("offers = %+v", c.Offers)
	}
	if err := caseworker.DecideOffer(ctx, caseID, c.Offers[0].Offer.Offer, false, "Too far from school."); err != nil {
		t.Fatal(err)
	}
	var decision crypto.EnvelopeID // went to Weald Homes only
	for _, e := range stage(t, caseworker, caseID).Entries {
		if e.Kind == "offer-decision" {
			decision = e.Envelope
		}
	}
	if decision == (crypto.EnvelopeID{}) {
		t.Fatal("no decision entry")
	}
	sync(t, caseworker) // Weald's delivery receipts, if any

	for _, p := range []payload.Payload{
		&payload.ReadReceipt{Schema: payload.SchemaVersion, Envelope: payload.ID(decision), Case: caseID, ReadAt: 1780308000},
		&payload.RecallReceipt{Schema: payload.SchemaVersion, Case: caseID, Envelopes: []payload.ID{payload.ID(decision)}, ShreddedAt: 1780308000},
		&payload.DeliveryReceipt{Schema: payload.SchemaVersion, Envelope: payload.ID(decision), Case: caseID, ReadAt: 1780308000},
	} {
		forge(w, oaksForger, refuge.ID, caseworker, p)
		expectRejected(t, caseworker, client.ErrReceiptMismatch)
	}
	for _, r := range stage(t, caseworker, caseID).Receipts {
		if r.Reader.Org == oaks.ID && (r.Envelope == decision || r.Packet == decision) {
			t.Fatalf("forged receipt shown: %+v", r)
		}
	}
}

// TestAttachmentChunkBounds: a chunk of a file over this device's cap is
// refused on receipt, and so is a chunk from another organisation reusing
// the id of an attachment already in the case.
func TestAttachmentChunkBounds(t *testing.T) {
	ctx := context.Background()
	tc := newTwoCandidateCase(t)
	w, refuge := tc.w, tc.refuge
	caseworker, oaksForger, caseID := tc.caseworker, tc.oaksForger, tc.caseID
	var err error

	// Over the receiving device's cap (25 MiB by default).
	big := &payload.AttachmentChunk{Schema: payload.SchemaVersion, Case: caseID, Attachment: payload.ID{1, 2, 3},
		Name: "scan.pdf", MediaType: "application/pdf", Size: 30 << 20, SHA256: sha256.Sum256([]byte("x")),
		Index: 0, Count: 120, Data: make([]byte, payload.MaxChunkData)}
	forge(w, oaksForger, refuge.ID, caseworker, big)
	expectRejected(t, caseworker, client.ErrAttachmentTooLarge)

	// Another organisation's chunk under the caseworker's attachment id.
	file := []byte("Tenancy reference: rent account clear.\n")
	att, err := caseworker.Attach(ctx, caseID, "reference.txt", bytes.NewReader(file), int64(len(file)), nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := []byte("Tenancy reference: rent arrears £900.\n")
	fake := &payload.AttachmentChunk{Schema: payload.SchemaVersion, Case: caseID, Attachment: att,
		Name: "reference.txt", MediaType: "text/plain", Size: int64(len(bad)), SHA256: sha256.Sum256(bad),
		Index: 0, Count: 1, Data: bad}
	forge(w, oaksForger, refuge.ID, caseworker, fake)
	expectRejected(t, caseworker, client.ErrAttachmentCorrupt)
	name, data, err := caseworker.Attachment(ctx, caseID, att)
	if err != nil || name != "reference.txt" || !bytes.Equal(data, file) {
		t.Fatalf("attachment after the forgery: %q %q %v", name, data, err)
	}
}

// TestPeerCheckpointNotSkippedWhenProofWithheld: a relay that drops the
// connection instead of answering the consistency proof for a peer's
// checkpoint must not get the envelope applied unchecked.
func TestPeerCheckpointNotSkippedWhenProofWithheld(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	caseworker := w.Device(refuge, "Refuge laptop")
	sync(t, caseworker)
	cp := caseworker.LogCheckpoint()
	if cp == nil {
		t.Fatal("no checkpoint after sync")
	}
	// A checkpoint the relay's key signed for a larger (forked) tree.
	raw, err := translog.SignCheckpoint(w.Relay.LogSigner(), cp.Size+3, tlog.Hash{0xfa, 0x11})
	if err != nil {
		t.Fatal(err)
	}
	c, err := relay.Dial(ctx, w.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Close() // the relay "goes away" when asked for the proof
	if err := caseworker.CheckPeerCheckpointForTest(ctx, c, raw, "Weald Homes"); err == nil {
		t.Fatal("peer checkpoint check skipped when the relay withheld the proof")
	}
}

// TestCaseIDSquattingByCandidateRefused: a candidate landlord that has
// received a referral knows its case id, but cannot open that case as its
// nominator at a landlord the case has not reached yet: the case id derives
// from the nominating organisation (payload.CaseIDFor), so the other
// landlord refuses the squatter's referral and later takes the real
// nominator's circulation, and its offer (with the exact address) goes to
// the real nominator.
func TestCaseIDSquattingByCandidateRefused(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	oaks := w.Org("Sevenoaks Homes", crypto.KindLandlord, "Sevenoaks")
	caseworker := w.Device(refuge, "Refuge laptop")
	officer := w.Device(weald, "Weald officer")
	oaksOfficer := w.Device(oaks, "Sevenoaks officer")
	wealdForger := weald.AddDevice(t, "weald forger")
	w.Publish(wealdForger.Raw)

	caseID, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	sync(t, officer)
	got := stage(t, officer, caseID).Referral
	if got == nil || got.Case != caseID || payload.CaseIDFor(refuge.ID, got.CaseNonce) != got.Case {
		t.Fatalf("received referral %+v is not bound to the nominator", got)
	}
	sync(t, oaksOfficer) // the directory, before the forged packet

	// Weald's own client refuses to send a referral under the case id.
	squat := *got
	if _, err := officer.SendReferral(ctx, []crypto.OrgID{oaks.ID}, &squat, newHousehold()); !errors.Is(err, client.ErrCaseIDNotBound) {
		t.Fatalf("candidate re-sending the case's referral: %v, want ErrCaseIDNotBound", err)
	}
	// A modified client sends it anyway, with the case's real nonce and
	// with one of its own: Sevenoaks refuses both.
	for _, nonce := range []payload.ID{got.CaseNonce, {0x5e, 0x1f}} {
		forged := *got
		forged.CaseNonce = nonce
		forge(w, wealdForger, oaks.ID, oaksOfficer, &forged)
		expectRejected(t, oaksOfficer, client.ErrCaseIDNotBound)
	}
	if _, err := oaksOfficer.Case(ctx, caseID); !errors.Is(err, client.ErrNotInCase) {
		t.Fatalf("squatted case opened at Sevenoaks: %v", err)
	}

	// The real nominator's circulation reaches Sevenoaks, which sends its
	// offer to the nominator.
	if err := caseworker.Circulate(ctx, caseID, []crypto.OrgID{oaks.ID}); err != nil {
		t.Fatal(err)
	}
	if res := sync(t, oaksOfficer); res.New != 1 || res.Rejected != 0 {
		t.Fatalf("Sevenoaks sync of the real circulation = %+v", res)
	}
	c := stage(t, oaksOfficer, caseID)
	if c.Referral == nil || c.Entries[0].From.Org != refuge.ID {
		t.Fatalf("Sevenoaks case = %+v", c)
	}
	offer := testOffer()
	offer.District = "Sevenoaks"
	if _, err := oaksOfficer.SendOffer(ctx, caseID, offer); err != nil {
		t.Fatalf("Sevenoaks offer: %v", err)
	}
	sync(t, caseworker)
	if offers := stage(t, caseworker, caseID).Offers; len(offers) != 1 || offers[0].From.Org != oaks.ID {
		t.Fatalf("nominator's offers = %+v", offers)
	}
}

// twoCandidateCase is a refuge's referral circulated to two landlords,
// Weald Homes and Sevenoaks Homes, both of whose officers have synced it;
// Sevenoaks also has an approved forger device whose packets the tests
// craft by hand.
type twoCandidateCase struct {
	w                   *hometest.World
	refuge, weald, oaks *schemetest.Org
	caseworker, officer *client.Device
	oaksOfficer         *client.Device
	oaksForger          *schemetest.Device
	caseID              payload.ID
}

func newTwoCandidateCase(t *testing.T) *twoCandidateCase {
	t.Helper()
	w := hometest.New(t)
	c := &twoCandidateCase{w: w}
	c.refuge = w.Org("Harbour Refuge", crypto.KindProvider)
	c.weald = w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	c.oaks = w.Org("Sevenoaks Homes", crypto.KindLandlord, "Sevenoaks")
	c.caseworker = w.Device(c.refuge, "Refuge laptop")
	c.officer = w.Device(c.weald, "Weald officer")
	c.oaksOfficer = w.Device(c.oaks, "Sevenoaks officer")
	c.oaksForger = c.oaks.AddDevice(t, "oaks forger")
	w.Publish(c.oaksForger.Raw)
	id, err := c.caseworker.SendReferral(context.Background(), []crypto.OrgID{c.weald.ID, c.oaks.ID}, referral(), newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	c.caseID = id
	sync(t, c.officer)
	sync(t, c.oaksOfficer)
	return c
}
