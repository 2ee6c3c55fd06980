package client_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/protocol/payload"
)

// caseClock is a controllable clock for a device.
type caseClock struct {
	mu     gosync.Mutex
	offset time.Duration
}

func (c *caseClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *caseClock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// deviceWithClock enrols a device whose clock is clk.
func deviceWithClock(w *hometest.World, o *schemetest.Org, name string, clk *caseClock) *client.Device {
	w.T.Helper()
	return w.DeviceWith(o, name, hometest.DeviceOptions{Open: &client.Options{Now: clk.now}})
}

// forge seals p from a device the test controls (bypassing every check a
// client makes before sending) to org's mailbox, and sends it.
func forge(w *hometest.World, from *schemetest.Device, to crypto.OrgID, reader *client.Device, p payload.Payload) crypto.EnvelopeID {
	w.T.Helper()
	body, err := payload.Marshal(p)
	if err != nil {
		w.T.Fatal(err)
	}
	env, err := crypto.Seal(from.Keys, to, reader.Directory().Recipients(to, time.Now()),
		&crypto.Packet{PayloadType: p.PayloadType(), Payload: body}, crypto.SealOptions{})
	if err != nil {
		w.T.Fatal(err)
	}
	raw, err := env.Marshal()
	if err != nil {
		w.T.Fatal(err)
	}
	w.SendRaw(from, raw)
	return env.ID
}

// expectRejected syncs d and checks that exactly one envelope was rejected
// with an error matching target.
func expectRejected(t *testing.T, d *client.Device, target error) {
	t.Helper()
	res := sync(t, d)
	if res.Rejected != 1 || len(res.Rejections) != 1 {
		t.Fatalf("%s: sync = %+v, want one rejection", d.Name(), res)
	}
	if err := res.Rejections[0].Err; !errors.Is(err, target) || !errors.Is(err, client.ErrRejected) {
		t.Fatalf("%s: rejection = %v, want %v", d.Name(), err, target)
	}
}

func stage(t *testing.T, d *client.Device, id payload.ID) *client.Case {
	t.Helper()
	c, err := d.Case(context.Background(), id)
	if err != nil {
		t.Fatalf("%s: case: %v", d.Name(), err)
	}
	return c
}

func wantStage(t *testing.T, d *client.Device, id payload.ID, want workflow.Stage) *client.Case {
	t.Helper()
	c := stage(t, d, id)
	if c.Stage != want {
		t.Fatalf("%s: stage %q, want %q", d.Name(), c.Stage, want)
	}
	wantListed(t, d, c)
	return c
}

// wantListed checks that the case list shows the case as opening it does:
// the store's clear status column is the stage (what 'cases list --stage'
// filters on), and the summary the store keeps is the one computed from
// the whole case.
func wantListed(t *testing.T, d *client.Device, c *client.Case) {
	t.Helper()
	found, err := d.FindCases(context.Background(), casestore.Filter{Stages: []string{string(c.Stage)}})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(found, func(s client.CaseSummary) bool { return s.ID == c.ID })
	if i < 0 {
		t.Fatalf("%s: case %s not listed at stage %q", d.Name(), c.ID, c.Stage)
	}
	if !reflect.DeepEqual(found[i], c.CaseSummary) {
		t.Fatalf("%s: case list line\n%+v\nwant (from the whole case)\n%+v", d.Name(), found[i], c.CaseSummary)
	}
}

func orgIDs(c *client.Case) []crypto.OrgID {
	var out []crypto.OrgID
	for _, o := range c.Organisations {
		out = append(out, o.ID)
	}
	return out
}

// fileHolds reports whether a home's case database or its WAL contains b.
func fileHolds(t *testing.T, w *hometest.World, name string, b []byte) bool {
	t.Helper()
	home := w.HomePath(name)
	for _, f := range []string{client.CasesFile, client.CasesFile + "-wal"} {
		data, err := os.ReadFile(filepath.Join(home, f))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(data, b) {
			return true
		}
	}
	return false
}

func TestFourOrganisationFlow(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider, "Medway")
	current := w.Org("Medway Valley Housing", crypto.KindLandlord, "Medway")
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	oaks := w.Org("Sevenoaks Homes", crypto.KindLandlord, "Sevenoaks", "Dartford")
	thanet := w.Org("Thanet Coast Housing", crypto.KindLandlord, "Thanet")
	coord := w.Org("Kent Reciprocal", crypto.KindCoordinator)
	clk := &caseClock{}
	caseworker := deviceWithClock(w, refuge, "Refuge laptop", clk)
	lead := w.Device(current, "Medway lead")
	wealdOfficer := w.Device(weald, "Weald officer")
	oaksOfficer := w.Device(oaks, "Sevenoaks officer")
	thanetOfficer := w.Device(thanet, "Thanet officer")
	coordinator := w.Device(coord, "Coordinator")
	forger := refuge.AddDevice(t, "forger")
	w.Publish(forger.Raw)

	// Draft with the household's details (kept on this device), then ask
	// the current landlord to approve.
	r := referral()
	r.CurrentLandlordOrg = payload.ID(current.ID)
	h := payload.ExampleHouseholdDetails()
	caseID, err := caseworker.DraftReferral(ctx, r, h)
	if err != nil {
		t.Fatalf("draft: %v", err)
	}
	wantStage(t, caseworker, caseID, workflow.StageDraft)
	if _, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, r, newHousehold()); !errors.Is(err, client.ErrApprovalFirst) {
		t.Fatalf("circulating before approval: %v", err)
	}
	if _, err := caseworker.SendReferral(ctx, nil, r, newHousehold()); err != nil {
		t.Fatalf("send for approval: %v", err)
	}
	wantStage(t, caseworker, caseID, workflow.StageAwaitingApproval)
	sync(t, lead)
	lc := wantStage(t, lead, caseID, workflow.StageAwaitingApproval)
	if lc.MyRole != workflow.RoleCurrentLandlord || lc.WaitingOn != workflow.ActionApprove {
		t.Fatalf("landlord: role %s, waiting on %q", lc.MyRole, lc.WaitingOn)
	}
	a := payload.ExampleApproval()
	if err := lead.Approve(ctx, caseID, a); err != nil {
		t.Fatalf("approve: %v", err)
	}
	sync(t, caseworker)

	// Circulation: only the landlords in an acceptable district.
	cands, err := caseworker.CirculationCandidates(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cands {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Sevenoaks Homes", "Weald Homes"}) {
		t.Fatalf("candidates = %v", names)
	}
	if err := caseworker.Circulate(ctx, caseID, []crypto.OrgID{thanet.ID}); !errors.Is(err, client.ErrNotCandidate) ||
		!strings.Contains(err.Error(), "Thanet Coast Housing") {
		t.Fatalf("circulate outside the districts: %v", err)
	}
	if err := caseworker.Circulate(ctx, caseID, nil); err != nil {
		t.Fatalf("circulate: %v", err)
	}
	wantStage(t, caseworker, caseID, workflow.StageCirculated)
	if res := sync(t, thanetOfficer); res.New != 0 {
		t.Fatalf("thanet received something: %+v", res)
	}
	// Neither candidate learns of the other.
	for d, other := range map[*client.Device]crypto.OrgID{wealdOfficer: oaks.ID, oaksOfficer: weald.ID} {
		sync(t, d)
		c := wantStage(t, d, caseID, workflow.StageCirculated)
		if got := orgIDs(c); !slices.Contains(got, refuge.ID) || slices.Contains(got, other) {
			t.Fatalf("%s sees organisations %v", d.Name(), got)
		}
	}

	// Two offers; the addresses reach the nominator only.
	o1 := testOffer()
	o1.Offer = payload.ID{}
	offer1, err := wealdOfficer.SendOffer(ctx, caseID, o1)
	if err != nil {
		t.Fatalf("offer 1: %v", err)
	}
	o2 := testOffer()
	o2.Offer, o2.District, o2.Address = payload.ID{}, payload.DistrictSevenoaks, "2 Oak Lane, Sevenoaks, TN13 9ZZ"
	offer2, err := oaksOfficer.SendOffer(ctx, caseID, o2)
	if err != nil {
		t.Fatalf("offer 2: %v", err)
	}
	sync(t, caseworker)
	c := wantStage(t, caseworker, caseID, workflow.StageOffersReceived)
	if len(c.Offers) != 2 || c.WaitingOn != workflow.ActionReviewOffers {
		t.Fatalf("offers = %+v, waiting on %q", c.Offers, c.WaitingOn)
	}
	for _, o := range c.Offers {
		if o.Offer.Address == "" {
			t.Fatalf("offer %s without address at the nominator", o.Offer.Offer)
		}
	}

	// Household details before acceptance are refused.
	if err := caseworker.ReleaseDetails(ctx, caseID, payload.ExampleHouseholdDetails(), ""); !errors.Is(err, workflow.ErrWrongStage) {
		t.Fatalf("details before acceptance: %v", err)
	}
	if err := caseworker.DecideOffer(ctx, caseID, offer1, true, ""); err != nil {
		t.Fatalf("accept: %v", err)
	}
	wantStage(t, caseworker, caseID, workflow.StageOfferAccepted)
	sync(t, wealdOfficer)
	wc := wantStage(t, wealdOfficer, caseID, workflow.StageOfferAccepted)
	if wc.MyRole != workflow.RoleAcceptedLandlord {
		t.Fatalf("winner role %s", wc.MyRole)
	}
	sync(t, oaksOfficer)
	oc := wantStage(t, oaksOfficer, caseID, workflow.StageFilled)
	last := oc.Entries[len(oc.Entries)-1]
	if st, ok := last.Payload.(*payload.StatusUpdate); !ok || st.Status != payload.StatusFilled || st.Note != "" {
		t.Fatalf("loser's last packet = %+v", last.Payload)
	}
	if slices.Contains(orgIDs(oc), weald.ID) || len(oc.Offers) != 1 || oc.Offers[0].Offer.Offer != offer2 {
		t.Fatalf("loser learnt too much: orgs %v, offers %+v", orgIDs(oc), oc.Offers)
	}

	// Details: not without consent, not with a stale reader list, then to
	// the winner only.
	readers, digest, err := caseworker.DetailsReaders(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	// The winner's device and the refuge's other device ("forger", a colleague).
	if len(readers) != 2 || readers[0].DeviceName != "Weald officer" || readers[0].OrgName != "Weald Homes" || readers[0].Fingerprint == "" ||
		readers[1].DeviceName != "forger" || readers[1].Org != refuge.ID {
		t.Fatalf("readers = %+v", readers)
	}
	noConsent := payload.ExampleHouseholdDetails()
	noConsent.SharingBasis = payload.SharingBasis{}
	if err := caseworker.ReleaseDetails(ctx, caseID, noConsent, digest); !errors.Is(err, workflow.ErrNoConsent) {
		t.Fatalf("details without consent: %v", err)
	}
	if err := caseworker.ReleaseDetails(ctx, caseID, payload.ExampleHouseholdDetails(), strings.Repeat("0", 64)); !errors.Is(err, client.ErrReadersChanged) {
		t.Fatalf("details with another reader list: %v", err)
	}
	if err := caseworker.ReleaseDetails(ctx, caseID, payload.ExampleHouseholdDetails(), digest); err != nil {
		t.Fatalf("release: %v", err)
	}
	sync(t, wealdOfficer)
	wc = wantStage(t, wealdOfficer, caseID, workflow.StageDetailsReleased)
	if wc.Details == nil || wc.Details.Names[0] != h.Names[0] {
		t.Fatalf("winner details = %+v", wc.Details)
	}
	// A forged release to the losing candidate is rejected there.
	forged := payload.ExampleHouseholdDetails()
	forged.Case = caseID
	forge(w, forger, oaks.ID, oaksOfficer, forged)
	expectRejected(t, oaksOfficer, workflow.ErrWrongStage)
	if oc := stage(t, oaksOfficer, caseID); oc.Details != nil || oc.Stage != workflow.StageFilled {
		t.Fatalf("loser holds details or moved on: %+v", oc.Stage)
	}

	// Sign-up, move, close, outcome.
	if err := wealdOfficer.SetStatus(ctx, caseID, payload.StatusMovedIn, "", ""); !errors.Is(err, workflow.ErrWrongStage) {
		t.Fatalf("moved in before sign-up: %v", err)
	}
	for _, s := range []string{payload.StatusSignedUp, payload.StatusMovedIn} {
		if err := wealdOfficer.SetStatus(ctx, caseID, s, "", ""); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	sync(t, caseworker)
	wantStage(t, caseworker, caseID, workflow.StageMoved)
	if err := caseworker.SetStatus(ctx, caseID, payload.StatusClosed, "", "Rehoused."); err != nil {
		t.Fatalf("close: %v", err)
	}
	wantStage(t, caseworker, caseID, workflow.StageClosed)
	sync(t, wealdOfficer)
	wantStage(t, wealdOfficer, caseID, workflow.StageClosed)
	sync(t, lead)
	wantStage(t, lead, caseID, workflow.StageClosed)
	sync(t, coordinator)
	bal, err := coordinator.Balance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []client.BalanceRow{
		{Landlord: weald.ID, Name: "Weald Homes", Given: 1, Net: 1},
		{Landlord: current.ID, Name: "Medway Valley Housing", Received: 1, Net: -1},
	}
	if !slices.Equal(bal, want) {
		t.Fatalf("balance = %+v, want %+v", bal, want)
	}

	// Retention: the closed case is shredded once its period has passed.
	if err := caseworker.SetRetention(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if res := sync(t, caseworker); res.Shredded != 0 {
		t.Fatalf("shredded too early: %+v", res)
	}
	clk.advance(2 * time.Hour)
	if res := sync(t, caseworker); res.Shredded != 1 {
		t.Fatalf("sync after the retention period = %+v", res)
	}
	if _, err := caseworker.Case(ctx, caseID); !errors.Is(err, client.ErrNotInCase) {
		t.Fatalf("shredded case still readable: %v", err)
	}
	if fileHolds(t, w, "Refuge laptop", caseID[:]) {
		t.Fatal("the database or its WAL still holds the shredded case's id")
	}
}

func TestWorkflowRefusals(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	thanet := w.Org("Thanet Coast Housing", crypto.KindLandlord, "Thanet")
	caseworker := w.Device(refuge, "Refuge laptop")
	officer := w.Device(weald, "Weald officer")
	w.Device(thanet, "Thanet officer")
	wealdForger := weald.AddDevice(t, "weald forger")
	thanetForger := thanet.AddDevice(t, "thanet forger")
	w.Publish(wealdForger.Raw, thanetForger.Raw)

	// The guard: a postcode in the needs profile.
	r := referral()
	r.Notes = "Currently near ME4 6ZZ, needs to move away."
	_, err := caseworker.SendReferral(ctx, nil, r, newHousehold())
	var ge *guard.Error
	if !errors.Is(err, guard.ErrRefused) || !errors.As(err, &ge) || len(ge.Findings) != 1 ||
		ge.Findings[0].Field != "referral.notes" || ge.Findings[0].Match != "ME4 6ZZ" {
		t.Fatalf("postcode in notes: %v", err)
	}
	// A household member's name, once the case holds the details.
	r = referral()
	caseID, err := caseworker.DraftReferral(ctx, r, payload.ExampleHouseholdDetails())
	if err != nil {
		t.Fatal(err)
	}
	r.Pets = "one cat, looked after by LINA for now"
	_, err = caseworker.SendReferral(ctx, nil, r, newHousehold())
	if !errors.As(err, &ge) || len(ge.Findings) != 1 || ge.Findings[0].Field != "referral.pets" || ge.Findings[0].Kind != guard.KindName {
		t.Fatalf("name in pets: %v", err)
	}
	if c := wantStage(t, caseworker, caseID, workflow.StageDraft); len(c.Entries) != 2 {
		t.Fatalf("refused send changed the draft: %+v", c.Entries)
	}
	r.Pets = "one cat"
	if _, err := caseworker.SendReferral(ctx, nil, r, newHousehold()); err != nil {
		t.Fatalf("send: %v", err)
	}
	sync(t, officer)
	wantStage(t, officer, caseID, workflow.StageCirculated)

	// Details before acceptance.
	if _, _, err := caseworker.DetailsReaders(ctx, caseID); !errors.Is(err, workflow.ErrWrongStage) {
		t.Fatalf("readers before acceptance: %v", err)
	}
	// A forged status from a third organisation is rejected by the
	// nominator; the next legitimate packet still goes through.
	forge(w, thanetForger, refuge.ID, caseworker, &payload.StatusUpdate{Schema: payload.SchemaVersion, Case: caseID,
		Status: payload.StatusMovedIn, Effective: "2026-06-01"})
	expectRejected(t, caseworker, workflow.ErrNotPermitted)
	if _, err := officer.SendMessage(ctx, caseID, "We may have a flat next month."); err != nil {
		t.Fatal(err)
	}
	if res := sync(t, caseworker); res.New != 1 || res.Rejected != 0 {
		t.Fatalf("legitimate message after the forgery: %+v", res)
	}
	wantStage(t, caseworker, caseID, workflow.StageCirculated)

	// Withdrawal needs a reason; then offers are refused at the sender and
	// a forged one at the receiver.
	if err := caseworker.SetStatus(ctx, caseID, payload.StatusWithdrawn, "", ""); !errors.Is(err, workflow.ErrInvalidEvent) {
		t.Fatalf("withdraw without a reason: %v", err)
	}
	if err := caseworker.SetStatus(ctx, caseID, payload.StatusWithdrawn, "", "Household rehoused privately."); err != nil {
		t.Fatalf("withdraw: %v", err)
	}
	sync(t, officer)
	wantStage(t, officer, caseID, workflow.StageWithdrawn)
	if _, err := officer.SendOffer(ctx, caseID, testOffer()); !errors.Is(err, workflow.ErrWrongStage) {
		t.Fatalf("offer on a withdrawn referral: %v", err)
	}
	o := testOffer()
	o.Case = caseID
	o.Expires = time.Now().AddDate(0, 0, 7).Format(time.DateOnly)
	forge(w, wealdForger, refuge.ID, caseworker, o)
	expectRejected(t, caseworker, workflow.ErrWrongStage)
	c := wantStage(t, caseworker, caseID, workflow.StageWithdrawn)
	if len(c.Offers) != 0 {
		t.Fatalf("forged offer stored: %+v", c.Offers)
	}
	// "filled" is never user-settable.
	if err := caseworker.SetStatus(ctx, caseID, payload.StatusFilled, "", ""); !errors.Is(err, client.ErrFilledInternal) {
		t.Fatalf("set filled: %v", err)
	}
}

func TestReadReceiptsRecallAndAttachments(t *testing.T) {
	ctx := context.Background()
	rc := newReferredCase(t)
	w, caseworker, officer, caseID := rc.w, rc.caseworker, rc.officer, rc.caseID
	var err error
	sync(t, officer)

	// Read receipts: the sender sees which device at which org opened what.
	if err := officer.MarkRead(ctx, caseID); err != nil {
		t.Fatal(err)
	}
	if err := officer.MarkRead(ctx, caseID); err != nil { // nothing new to mark
		t.Fatal(err)
	}
	sync(t, caseworker)
	c := stage(t, caseworker, caseID)
	var reads []client.CaseReceipt
	for _, r := range c.Receipts {
		if r.Kind == client.ReceiptRead {
			reads = append(reads, r)
		}
	}
	if len(reads) != 1 || reads[0].Packet != c.Entries[0].Envelope || reads[0].Reader.DeviceName != "Weald officer" ||
		reads[0].Reader.OrgName != "Weald Homes" || reads[0].ReadAt.IsZero() {
		t.Fatalf("read receipts = %+v", reads)
	}

	// Recall: the recipient shreds the packet and confirms.
	const marker = "RECALL-MARKER-7f3a wrong case"
	msg, err := caseworker.SendMessage(ctx, caseID, marker)
	if err != nil {
		t.Fatal(err)
	}
	sync(t, officer)
	if oc := stage(t, officer, caseID); !slices.ContainsFunc(oc.Entries, func(e client.CaseEntry) bool { return e.Text == marker }) {
		t.Fatal("message did not arrive")
	}
	if err := caseworker.Recall(ctx, caseID, []crypto.EnvelopeID{msg}, "Sent to the wrong case."); err != nil {
		t.Fatalf("recall: %v", err)
	}
	if res := sync(t, officer); res.Recalled != 1 {
		t.Fatalf("officer sync = %+v", res)
	}
	if oc := stage(t, officer, caseID); slices.ContainsFunc(oc.Entries, func(e client.CaseEntry) bool { return e.Envelope == msg || e.Text == marker }) {
		t.Fatal("recalled message still in the case")
	}
	if fileHolds(t, w, "Weald officer", []byte(marker)) {
		t.Fatal("recalled text in the database or WAL")
	}
	sync(t, caseworker)
	c = stage(t, caseworker, caseID)
	if !slices.ContainsFunc(c.Receipts, func(r client.CaseReceipt) bool {
		return r.Kind == client.ReceiptRecall && r.Packet == msg && r.Reader.OrgName == "Weald Homes"
	}) {
		t.Fatalf("no recall receipt: %+v", c.Receipts)
	}

	// Attachments: 600 KiB in chunks; the relay goes down after the first.
	file := bytes.Repeat([]byte("tenancy-reference-letter "), 600<<10/25)
	file = append(file, make([]byte, 600<<10-len(file))...)
	var sent []int64
	_, err = caseworker.Attach(ctx, caseID, "letter.pdf", bytes.NewReader(file), int64(len(file)), func(n, total int64) {
		sent = append(sent, n)
		if len(sent) == 1 {
			w.Relay.Stop()
		}
	})
	if !errors.Is(err, client.ErrNotSent) {
		t.Fatalf("attach with the relay down: %v", err)
	}
	if len(sent) != 1 {
		t.Fatalf("progress = %v", sent)
	}
	w.Relay.Restart()
	if res := sync(t, caseworker); res.Sent != 2 {
		t.Fatalf("resume: %+v", res)
	}
	sync(t, officer)
	oc := stage(t, officer, caseID)
	if len(oc.Attachments) != 1 || oc.Attachments[0].Chunks != 3 || oc.Attachments[0].Have != 3 {
		t.Fatalf("attachments = %+v", oc.Attachments)
	}
	name, data, err := officer.Attachment(ctx, caseID, oc.Attachments[0].ID)
	if err != nil || name != "letter.pdf" || !bytes.Equal(data, file) {
		t.Fatalf("attachment %q, %d bytes, %v", name, len(data), err)
	}
}
