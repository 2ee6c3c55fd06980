package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/protocol/payload"
)

// oneCandidateCase is a refuge's referral (with the example household's
// details) circulated to Weald Homes only; the refuge has a second device
// and Weald an approved forger device.
type oneCandidateCase struct {
	w                   *hometest.World
	refuge, weald       *schemetest.Org
	caseworker, desk    *client.Device
	officer             *client.Device
	wealdForger         *schemetest.Device
	caseID              payload.ID
	caseClock, wldClock *caseClock
}

func newOneCandidateCase(t *testing.T) *oneCandidateCase {
	t.Helper()
	w := hometest.New(t)
	c := &oneCandidateCase{w: w, caseClock: &caseClock{}, wldClock: &caseClock{}}
	c.refuge = w.Org("Harbour Refuge", crypto.KindProvider)
	c.weald = w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	c.caseworker = deviceWithClock(w, c.refuge, "Refuge laptop", c.caseClock)
	c.desk = w.Device(c.refuge, "Refuge desk")
	c.officer = deviceWithClock(w, c.weald, "Weald officer", c.wldClock)
	c.wealdForger = c.weald.AddDevice(t, "weald forger")
	w.Publish(c.wealdForger.Raw)
	sync(t, c.caseworker)
	id, err := c.caseworker.SendReferral(context.Background(), []crypto.OrgID{c.weald.ID}, referral(), newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	c.caseID = id
	sync(t, c.officer)
	sync(t, c.desk)
	return c
}

// refused checks that err is the disclosure guard's refusal with a
// finding of kind in field.
func refused(t *testing.T, what string, err error, field, kind string) {
	t.Helper()
	var ge *guard.Error
	if !errors.As(err, &ge) || !errors.Is(err, guard.ErrRefused) {
		t.Fatalf("%s: %v, want the guard's refusal", what, err)
	}
	for _, f := range ge.Findings {
		if f.Field == field && f.Kind == kind {
			return
		}
	}
	t.Fatalf("%s: findings %v, want a %s in %s", what, ge.Findings, kind, field)
}

// TestGuardOnEverySendPath sends identifying text on every path that
// leaves the device for an organisation not entitled to the household's
// identity — a message to a single other organisation, a status note, an
// attachment name, a recall reason, an offer's viewing arrangements, a
// decline reason — and checks that each is refused with the field and the
// match, that nothing reaches the landlord, and that a colleague's device
// (which received the household's details sealed with the referral)
// refuses the household's name too.
func TestGuardOnEverySendPath(t *testing.T) {
	ctx := context.Background()
	c := newOneCandidateCase(t)

	// A message to one other organisation, written the ways people type.
	for _, tc := range []struct{ text, kind string }{
		{"The Haddads can view on Monday.", guard.KindName},
		{"A.m.i.r.a is ready to move.", guard.KindName},
		{"Ring 07700 - 900 - 412 after 10.", guard.KindPhone},
		{"Old postcode ME4-6ZZ.", guard.KindPostcode},
		{"\u0410mira (with a Cyrillic A) asked", guard.KindName},
		{"born the fourteenth of March nineteen ninety-one", guard.KindDateOfBirth},
		{"Ex-partner Darren Smith lives at 22 Church Street, Gillingham.", guard.KindPersonName},
		{"NI AB 12 34 56 C", guard.KindNINumber},
		{"insta @amira_h91", guard.KindHandle},
	} {
		_, err := c.caseworker.SendMessage(ctx, c.caseID, tc.text)
		refused(t, "message "+tc.text, err, "case_message.text", tc.kind)
	}
	// A colleague's device holds the details too (sealed to it with the
	// referral): in a case it can write in, its guard refuses them.
	r := referral()
	r.Reference, r.CurrentLandlordOrg = "KMR-2026-0077", payload.ID(c.weald.ID)
	approval, err := c.caseworker.SendReferral(ctx, nil, r, newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	sync(t, c.desk)
	wantStage(t, c.desk, approval, workflow.StageAwaitingApproval)
	_, err = c.desk.SendMessage(ctx, approval, "Lina starts school in September.")
	refused(t, "colleague's message", err, "case_message.text", guard.KindName)
	if _, err := c.desk.SendMessage(ctx, approval, "The family can wait for your panel."); err != nil {
		t.Fatalf("colleague's clean message: %v", err)
	}
	sync(t, c.officer)

	err = c.caseworker.SetStatus(ctx, c.caseID, payload.StatusWithdrawn, "", "Moved in with family at 14 Orchard Row.")
	refused(t, "status note", err, "status_update.note", guard.KindAddress)

	_, err = c.caseworker.Attach(ctx, c.caseID, "ME46ZZ_tenancy.pdf", bytes.NewReader([]byte("plan")), 4, nil)
	refused(t, "attachment name", err, "attachment_chunk.name", guard.KindPostcode)

	var referralEntry crypto.EnvelopeID
	for _, e := range stage(t, c.caseworker, c.caseID).Entries {
		if e.Kind == "referral" {
			referralEntry = e.Envelope
		}
	}
	err = c.caseworker.Recall(ctx, c.caseID, []crypto.EnvelopeID{referralEntry}, "Amira asked us to stop")
	refused(t, "recall reason", err, "recall.reason", guard.KindName)

	o := testOffer()
	o.Viewing = "Call Mr Patel on 01634 960001 to view."
	_, err = c.officer.SendOffer(ctx, c.caseID, o)
	refused(t, "offer viewing", err, "offer.viewing", guard.KindPhone)

	if res := sync(t, c.officer); res.New != 0 {
		t.Fatalf("a refused packet reached the landlord: %+v", res)
	}
	// Clean text goes.
	if _, err := c.caseworker.SendMessage(ctx, c.caseID, "The family can view on Monday."); err != nil {
		t.Fatalf("clean message: %v", err)
	}
	if _, err := c.officer.SendOffer(ctx, c.caseID, testOffer()); err != nil {
		t.Fatalf("clean offer: %v", err)
	}
	sync(t, c.caseworker)
	offer := stage(t, c.caseworker, c.caseID).Offers[0].Offer.Offer
	err = c.caseworker.DecideOffer(ctx, c.caseID, offer, false, "Amira cannot climb stairs.")
	refused(t, "decline reason", err, "offer_decision.reason", guard.KindName)
}

// TestGuardOverride: a false positive that is not the household's data
// passes once overridden with a reason, recorded in the timeline; the
// household's own data never can be.
func TestGuardOverride(t *testing.T) {
	ctx := context.Background()
	c := newOneCandidateCase(t)
	text := "Nearest GP is Church Road Surgery."
	_, err := c.caseworker.SendMessage(ctx, c.caseID, text)
	refused(t, "landmark", err, "case_message.text", guard.KindStreet)
	if err := c.caseworker.OverrideGuard(ctx, c.caseID, "Church Road", ""); err == nil {
		t.Fatal("override without a reason accepted")
	}
	if err := c.caseworker.OverrideGuard(ctx, c.caseID, "Church Road", "a GP surgery, not the household's address"); err != nil {
		t.Fatalf("override: %v", err)
	}
	if _, err := c.caseworker.SendMessage(ctx, c.caseID, text); err != nil {
		t.Fatalf("overridden message: %v", err)
	}
	for _, own := range []string{"Orchard Row", "Haddad", "07700 900412", "ME4 6ZZ"} {
		if err := c.caseworker.OverrideGuard(ctx, c.caseID, own, "not identifying"); !errors.Is(err, guard.ErrOverrideOwnData) {
			t.Errorf("override of the household's %q: %v", own, err)
		}
	}
	found := false
	for _, e := range stage(t, c.caseworker, c.caseID).Events {
		if e.Kind == workflow.EventGuardOverride && e.Match == "Church Road" && strings.Contains(e.Why, "GP surgery") {
			found = true
		}
	}
	if !found {
		t.Fatal("the override is not in the case's timeline")
	}
}

// TestNewReferralNeedsHouseholdAndConfirmsDuplicates: no new referral
// without the household's details; a second referral with the reference of
// an open case is sent only when confirmed.
func TestNewReferralNeedsHouseholdAndConfirmsDuplicates(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	caseworker := w.Device(refuge, "Refuge laptop")
	officer := w.Device(weald, "Weald officer")
	if _, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), client.ReferralOptions{}); !errors.Is(err, client.ErrNoHousehold) {
		t.Fatalf("referral without household details: %v", err)
	}
	if _, err := caseworker.DraftReferral(ctx, referral(), nil); !errors.Is(err, client.ErrNoHousehold) {
		t.Fatalf("draft without household details: %v", err)
	}
	bad := payload.ExampleHouseholdDetails()
	bad.Names = nil
	var ve payload.ValidationError
	if _, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), client.ReferralOptions{Household: bad}); !errors.As(err, &ve) {
		t.Fatalf("referral with bad household details: %v", err)
	}
	// The details may leave sharing_basis empty until release.
	h := payload.ExampleHouseholdDetails()
	h.SharingBasis = payload.SharingBasis{}
	first, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), client.ReferralOptions{Household: h})
	if err != nil {
		t.Fatal(err)
	}
	// The guard checks the referral itself against them.
	named := referral()
	named.Notes = "Mum (Amira) needs a ground floor."
	_, err = caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, named, client.ReferralOptions{Household: h, Again: true})
	refused(t, "referral naming the household", err, "referral.notes", guard.KindName)

	_, err = caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), client.ReferralOptions{Household: h})
	if !errors.Is(err, client.ErrDuplicateReference) || !strings.Contains(err.Error(), first.String()) {
		t.Fatalf("second referral with the same reference: %v", err)
	}
	if res := sync(t, officer); res.New != 1 {
		t.Fatalf("landlord got %d referrals, want 1", res.New)
	}
	second, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), client.ReferralOptions{Household: h, Again: true})
	if err != nil || second == first {
		t.Fatalf("confirmed second referral: %s, %v", second, err)
	}
	// Once the first case is no longer open, the reference is free again.
	for _, id := range []payload.ID{first, second} {
		if err := caseworker.SetStatus(ctx, id, payload.StatusWithdrawn, "", "Sent twice in error."); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), client.ReferralOptions{Household: h}); err != nil {
		t.Fatalf("referral after the earlier cases were withdrawn: %v", err)
	}
}

// TestOfferDistrictAndExpiry: an offer in a district to avoid, or outside
// the acceptable districts, is refused by the landlord's device before
// sealing and by the nominator's on receipt; an offer must expire in the
// future when sent, and one that has expired shows as expired and cannot
// be accepted.
func TestOfferDistrictAndExpiry(t *testing.T) {
	ctx := context.Background()
	c := newOneCandidateCase(t)
	for _, d := range []string{payload.DistrictMedway, payload.DistrictDover} { // to avoid; not acceptable
		o := testOffer()
		o.District = d
		if _, err := c.officer.SendOffer(ctx, c.caseID, o); !errors.Is(err, client.ErrOfferDistrict) {
			t.Fatalf("offer in %s: %v", d, err)
		}
	}
	o := testOffer()
	o.Expires = time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	if _, err := c.officer.SendOffer(ctx, c.caseID, o); !errors.Is(err, workflow.ErrOfferExpired) {
		t.Fatalf("offer expired when sent: %v", err)
	}
	sync(t, c.caseworker)
	if offers := stage(t, c.caseworker, c.caseID).Offers; len(offers) != 0 {
		t.Fatalf("a refused offer reached the nominator: %+v", offers)
	}
	// A landlord device that skips its own checks: refused on receipt.
	forged := testOffer()
	forged.Case, forged.District = c.caseID, payload.DistrictMedway
	forged.Expires = time.Now().AddDate(0, 0, 7).Format(time.DateOnly)
	forge(c.w, c.wealdForger, c.refuge.ID, c.caseworker, forged)
	expectRejected(t, c.caseworker, client.ErrOfferDistrict)
	forged = testOffer()
	forged.Case, forged.Offer = c.caseID, payload.ID{0x0f, 1}
	forged.Expires = time.Now().AddDate(0, 0, -2).Format(time.DateOnly)
	forge(c.w, c.wealdForger, c.refuge.ID, c.caseworker, forged)
	expectRejected(t, c.caseworker, workflow.ErrOfferExpired)
	if offers := stage(t, c.caseworker, c.caseID).Offers; len(offers) != 0 {
		t.Fatalf("refused offers shown: %+v", offers)
	}

	o = testOffer()
	o.Expires = time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	id, err := c.officer.SendOffer(ctx, c.caseID, o)
	if err != nil {
		t.Fatal(err)
	}
	sync(t, c.caseworker)
	if s := stage(t, c.caseworker, c.caseID).Offers[0].State; s != workflow.OfferPending {
		t.Fatalf("fresh offer state %s", s)
	}
	c.caseClock.advance(4 * 24 * time.Hour)
	if s := stage(t, c.caseworker, c.caseID).Offers[0].State; s != workflow.OfferExpired {
		t.Fatalf("offer past its expiry shows as %s, want expired", s)
	}
	if err := c.caseworker.DecideOffer(ctx, c.caseID, id, true, ""); !errors.Is(err, workflow.ErrOfferExpired) {
		t.Fatalf("accepting an expired offer: %v", err)
	}
}

// TestRecalledReferralClosesCandidatesCase: once the nominator recalls a
// referral, the landlord's case stops asking for an offer, says why, and
// refuses an offer.
func TestRecalledReferralClosesCandidatesCase(t *testing.T) {
	ctx := context.Background()
	c := newOneCandidateCase(t)
	if s := stage(t, c.officer, c.caseID); s.WaitingOn != workflow.ActionConsiderOffer {
		t.Fatalf("before the recall the landlord waits on %q", s.WaitingOn)
	}
	var referralEntry crypto.EnvelopeID
	for _, e := range stage(t, c.caseworker, c.caseID).Entries {
		if e.Kind == "referral" {
			referralEntry = e.Envelope
		}
	}
	if err := c.caseworker.Recall(ctx, c.caseID, []crypto.EnvelopeID{referralEntry}, "sent to the wrong landlord"); err != nil {
		t.Fatal(err)
	}
	sync(t, c.officer)
	s := wantStage(t, c.officer, c.caseID, workflow.StageWithdrawn)
	if s.WaitingOn != workflow.ActionNone || !strings.Contains(s.EndedWhy, "recalled the referral") {
		t.Fatalf("after the recall: waiting on %q, ended because %q", s.WaitingOn, s.EndedWhy)
	}
	_, err := c.officer.SendOffer(ctx, c.caseID, testOffer())
	if !errors.Is(err, workflow.ErrWrongStage) || !strings.Contains(err.Error(), "recalled the referral") {
		t.Fatalf("offer after the recall: %v", err)
	}
}

// TestOutcomeNeedsBothAttestations: the coordinator counts a move only
// when the nominator's and the receiving landlord's attestations with the
// same token arrive; outcomes from one side alone (a refuge inventing
// five moves) move nothing, and an attestation from an organisation not
// in that role is refused.
func TestOutcomeNeedsBothAttestations(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	current := w.Org("Medway Valley Housing", crypto.KindLandlord, "Medway")
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	coord := w.Org("Kent Reciprocal", crypto.KindCoordinator)
	coordinator := w.Device(coord, "Coordinator")
	refugeForger := refuge.AddDevice(t, "refuge forger")
	wealdForger := weald.AddDevice(t, "weald forger")
	w.Publish(refugeForger.Raw, wealdForger.Raw)
	sync(t, coordinator)

	outcome := func(role string, token byte) *payload.Outcome {
		o := payload.ExampleOutcome()
		o.Outcome = payload.ID{0x0c, token, byte(len(role))}
		o.GivingLandlord, o.ReceivingLandlord = payload.ID(current.ID), payload.ID(weald.ID)
		o.Role, o.Token = role, payload.ID{0x70, token}
		return o
	}
	for i := range 5 {
		forge(w, refugeForger, coord.ID, coordinator, outcome(payload.OutcomeByNominator, byte(i+1)))
	}
	sync(t, coordinator)
	if rows, err := coordinator.Balance(ctx); err != nil || len(rows) != 0 {
		t.Fatalf("balance after one-sided outcomes = %+v, %v", rows, err)
	}
	// The refuge cannot attest as the receiving landlord.
	forge(w, refugeForger, coord.ID, coordinator, outcome(payload.OutcomeByReceivingLandlord, 1))
	expectRejected(t, coordinator, client.ErrOutcomeRefused)
	// The landlord's own attestation pairs with the nominator's: one move,
	// however many copies arrive.
	forge(w, wealdForger, coord.ID, coordinator, outcome(payload.OutcomeByReceivingLandlord, 1))
	sync(t, coordinator)
	again := outcome(payload.OutcomeByReceivingLandlord, 1)
	again.Outcome = payload.ID{0x0d}
	forge(w, wealdForger, coord.ID, coordinator, again)
	sync(t, coordinator)
	rows, err := coordinator.Balance(ctx)
	if err != nil || len(rows) != 2 || rows[0].Landlord != weald.ID || rows[0].Given != 1 || rows[1].Received != 1 {
		t.Fatalf("balance = %+v, %v; want one move from Medway Valley to Weald", rows, err)
	}
	// Two sides naming different landlords are not the same move.
	odd := outcome(payload.OutcomeByReceivingLandlord, 2)
	odd.GivingLandlord = payload.ID{}
	forge(w, wealdForger, coord.ID, coordinator, odd)
	sync(t, coordinator)
	if rows, _ := coordinator.Balance(ctx); len(rows) != 2 || rows[0].Given != 1 {
		t.Fatalf("mismatched attestations counted: %+v", rows)
	}
}

// TestAttachmentChunksBounded: the same chunk sent 40 times is stored
// once; a case stops taking attachment data at its limit and one sender
// at its hourly rate; and opening a case does not read chunk bodies, while
// saving the file still reassembles it.
func TestAttachmentChunksBounded(t *testing.T) {
	ctx := context.Background()
	c := newOneCandidateCase(t)
	home := c.w.HomePath("Refuge laptop")
	c.caseworker.Close()
	caseworker, err := client.OpenHomeWith(ctx, home, hometest.Passphrase("Refuge laptop"),
		&client.Options{Now: c.caseClock.now, MaxCaseAttachmentBytes: 40 << 10, MaxSenderAttachmentBytesPerHour: 30 << 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { caseworker.Close() })
	data := bytes.Repeat([]byte("x"), 8<<10)
	chunk := func(att byte, index, count int) *payload.AttachmentChunk {
		ch := payload.ExampleAttachmentChunk()
		ch.Case, ch.Attachment, ch.Name, ch.Index, ch.Count = c.caseID, payload.ID{0xa7, att}, "plan.txt", index, count
		ch.Data = data
		ch.Size = int64(len(data) * count)
		ch.SHA256 = payload.Digest(sha256.Sum256(bytes.Repeat(data, count)))
		return ch
	}
	for range 40 {
		forge(c.w, c.wealdForger, c.refuge.ID, caseworker, chunk(1, 0, 2))
	}
	res := sync(t, caseworker)
	if res.Rejected != 0 {
		t.Fatalf("duplicates rejected rather than skipped: %+v", res)
	}
	got := stage(t, caseworker, c.caseID)
	if len(got.Attachments) != 1 || got.Attachments[0].Have != 1 {
		t.Fatalf("attachments after 40 copies of one chunk: %+v", got.Attachments)
	}
	forge(c.w, c.wealdForger, c.refuge.ID, caseworker, chunk(1, 1, 2))
	sync(t, caseworker)
	got = stage(t, caseworker, c.caseID)
	if got.Attachments[0].Have != 2 {
		t.Fatalf("attachment chunks held: %+v", got.Attachments[0])
	}
	name, body, err := caseworker.Attachment(ctx, c.caseID, payload.ID{0xa7, 1})
	if err != nil || name != "plan.txt" || !bytes.Equal(body, bytes.Repeat(data, 2)) {
		t.Fatalf("attachment reassembled: %q, %d bytes, %v", name, len(body), err)
	}
	// 16 KiB held; the sender's hourly rate (30 KiB) stops the next file
	// after one more chunk.
	forge(c.w, c.wealdForger, c.refuge.ID, caseworker, chunk(2, 0, 2))
	forge(c.w, c.wealdForger, c.refuge.ID, caseworker, chunk(2, 1, 2))
	res = sync(t, caseworker)
	if res.Rejected != 1 || !errors.Is(res.Rejections[0].Err, client.ErrAttachmentRate) {
		t.Fatalf("past the sender's rate: %+v", res)
	}
	// An hour later the rate allows more, but the case's limit (40 KiB)
	// stops it.
	c.caseClock.advance(2 * time.Hour)
	forge(c.w, c.wealdForger, c.refuge.ID, caseworker, chunk(3, 0, 3))
	forge(c.w, c.wealdForger, c.refuge.ID, caseworker, chunk(3, 1, 3))
	forge(c.w, c.wealdForger, c.refuge.ID, caseworker, chunk(3, 2, 3))
	res = sync(t, caseworker)
	if res.Rejected != 1 || !errors.Is(res.Rejections[0].Err, client.ErrAttachmentLimit) {
		t.Fatalf("past the case's limit: %+v", res)
	}
}
