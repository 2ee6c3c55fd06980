package client_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/vault"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/protocol/payload"
)

func sync(t *testing.T, d *client.Device) *client.SyncResult {
	t.Helper()
	res, err := d.Sync(context.Background())
	if err != nil {
		t.Fatalf("sync %s: %v", d.Name(), err)
	}
	return res
}

func referral() *payload.Referral {
	r := payload.ExampleReferral()
	r.Case = payload.ID{}
	r.CurrentLandlordOrg = payload.ID{}
	return r
}

func TestReferralRoundTrip(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	medway := w.Org("Medway Valley Housing", crypto.KindLandlord, "Medway", "Tunbridge Wells")
	caseworker := w.Device(refuge, "Refuge laptop")
	wealdOfficer := w.Device(weald, "Weald officer")
	medwayOfficer := w.Device(medway, "Medway officer")

	const marker = "CANARY-0b7e-lift-needed"
	r := referral()
	r.Notes = "Ground floor please " + marker
	caseID, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID, medway.ID}, r, newHousehold())
	if err != nil {
		t.Fatalf("send referral: %v", err)
	}
	if caseID == (payload.ID{}) {
		t.Fatal("no case id assigned")
	}
	for _, d := range []*client.Device{wealdOfficer, medwayOfficer} {
		res := sync(t, d)
		if res.New != 1 || res.Rejected != 0 {
			t.Fatalf("%s: sync = %+v", d.Name(), res)
		}
		c, err := d.Case(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Referral == nil || c.Referral.Notes != r.Notes || c.Reference != r.Reference {
			t.Fatalf("%s: case = %+v", d.Name(), c)
		}
		e := c.Entries[0]
		if e.From.OrgName != "Harbour Refuge" || e.From.DeviceName != "Refuge laptop" || e.Direction != "received" {
			t.Fatalf("%s: sender = %+v", d.Name(), e.From)
		}
		// A recipient sees only the sender's organisation and its own.
		if len(c.Organisations) != 2 {
			t.Fatalf("%s: organisations = %+v", d.Name(), c.Organisations)
		}
		// Nothing new on a second sync: everything was acknowledged.
		if res := sync(t, d); res.New != 0 || res.Duplicates != 0 {
			t.Fatalf("%s: second sync = %+v", d.Name(), res)
		}
	}

	// The landlord replies; the caseworker gets the message and two receipts.
	if _, err := wealdOfficer.SendMessage(ctx, caseID, "We have a two-bedroom flat in Maidstone."); err != nil {
		t.Fatal(err)
	}
	res := sync(t, caseworker)
	if res.New != 3 || res.Rejected != 0 {
		t.Fatalf("caseworker sync = %+v", res)
	}
	c, err := caseworker.Case(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Receipts) != 2 {
		t.Fatalf("receipts = %+v", c.Receipts)
	}
	var msgs []client.CaseEntry
	for _, e := range c.Entries {
		if e.Kind == "message" {
			msgs = append(msgs, e)
		}
	}
	if len(msgs) != 1 || msgs[0].Text != "We have a two-bedroom flat in Maidstone." || msgs[0].From.OrgName != "Weald Homes" {
		t.Fatalf("messages = %+v", msgs)
	}
	// The caseworker's message reaches both landlords.
	if _, err := caseworker.SendMessage(ctx, caseID, "Thank you."); err != nil {
		t.Fatal(err)
	}
	// Weald also gets the caseworker's receipt for its own message.
	for d, want := range map[*client.Device]int{wealdOfficer: 2, medwayOfficer: 1} {
		if res := sync(t, d); res.New != want {
			t.Fatalf("%s: sync = %+v, want %d new", d.Name(), res, want)
		}
	}
	if c, err := medwayOfficer.Case(ctx, caseID); err != nil || len(c.Entries) != 2 || c.Entries[1].Text != "Thank you." {
		t.Fatalf("medway case = %+v, %v", c, err)
	}
	list, err := caseworker.Cases(ctx)
	if err != nil || len(list) != 1 || list[0].ID != caseID || len(list[0].Organisations) != 3 {
		t.Fatalf("cases = %+v, %v", list, err)
	}

	// The marker never reaches the case stores in clear.
	for _, home := range []string{w.HomePath("Refuge laptop"), w.HomePath("Weald officer")} {
		for _, f := range []string{client.CasesFile, client.CasesFile + "-wal"} {
			b, err := os.ReadFile(filepath.Join(home, f))
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(marker)) {
				t.Errorf("%s/%s contains the marker", home, f)
			}
		}
	}
}

func TestColleagueGetsOwnOrgCopy(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	a := w.Device(refuge, "Refuge laptop A")
	b := w.Device(refuge, "Refuge laptop B")
	w.Device(weald, "Weald officer")
	caseID, err := a.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	// The referral and the household's details (for the colleague's guard).
	if res := sync(t, b); res.New != 2 || res.Rejected != 0 {
		t.Fatalf("colleague sync = %+v", res)
	}
	c, err := b.Case(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Details == nil || c.Details.Names[0] != "Amira Haddad" || c.Stage != workflow.StageDraft {
		t.Fatalf("colleague's case: details %+v, stage %s", c.Details, c.Stage)
	}
	if c.Entries[0].From.DeviceName != "Refuge laptop A" {
		t.Fatalf("entry = %+v", c.Entries[0])
	}
	// The sender gets its colleague's receipt and never sees its own copy as
	// new or rejected.
	res := sync(t, a)
	if res.Rejected != 0 || res.New != 1 {
		t.Fatalf("sender sync = %+v", res)
	}
}

func TestRejectsEnvelopeFromUnknownSender(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	officer := w.Device(weald, "Weald officer")
	carrier := refuge.AddDevice(t, "carrier")
	w.Publish(carrier.Raw)

	// A device that was never published seals a referral to the officer,
	// and an approved device carries it to the relay.
	rogue := w.Scheme.AddOrg(t, "Rogue", crypto.KindProvider).AddDevice(t, "rogue")
	r := referral()
	r.Case = payload.ID{1}
	body, err := payload.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := officer.Sync(ctx); err != nil { // fetch the directory
		t.Fatal(err)
	}
	env, err := crypto.Seal(rogue.Keys, weald.ID, officer.Directory().Recipients(weald.ID, time.Now()),
		&crypto.Packet{PayloadType: payload.TypeReferral, Payload: body}, crypto.SealOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	c, err := relay.Dial(ctx, w.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Authenticate(ctx, carrier.Secrets.Device, carrier.Keys.Signing); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx, raw); err != nil {
		t.Fatal(err)
	}
	c.Close()

	res := sync(t, officer)
	if res.Rejected != 1 || res.New != 0 || len(res.Rejections) != 1 {
		t.Fatalf("sync = %+v", res)
	}
	if rj := res.Rejections[0]; rj.Envelope != env.ID || !errors.Is(rj.Err, crypto.ErrUnknownSender) || !errors.Is(rj.Err, client.ErrRejected) {
		t.Fatalf("rejection = %+v", rj)
	}
	if bytes.Contains([]byte(res.Rejections[0].Err.Error()), []byte(r.Notes)) {
		t.Fatal("rejection reason contains plaintext")
	}
	// It was acknowledged: it does not come back.
	if res := sync(t, officer); res.Rejected != 0 || res.New != 0 {
		t.Fatalf("second sync = %+v", res)
	}
	if cs, err := officer.Cases(ctx); err != nil || len(cs) != 0 {
		t.Fatalf("cases after rejection = %v, %v", cs, err)
	}
}

func TestDirectoryCachedAcrossOpens(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	d := w.Device(refuge, "Refuge laptop")
	sync(t, d)
	home := w.HomePath("Refuge laptop")
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d2, err := client.OpenHome(ctx, home, hometest.Passphrase("Refuge laptop"))
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	e, err := d2.Directory().Org(weald.ID)
	if err != nil || e.Cert.Name != "Weald Homes" {
		t.Fatalf("cached directory: %v, %v", e, err)
	}
	if _, err := client.OpenHome(ctx, home, "wrong passphrase"); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
}

func TestSendReferralRefusals(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	d := w.Device(refuge, "Refuge laptop")

	bad := referral()
	bad.Bedrooms = 0
	bad.DistrictsAcceptable = []string{"Atlantis"}
	_, err := d.SendReferral(ctx, []crypto.OrgID{weald.ID}, bad, newHousehold())
	var ve payload.ValidationError
	if !errors.As(err, &ve) || len(ve) < 2 {
		t.Fatalf("invalid referral: %v", err)
	}
	if _, err := d.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), newHousehold()); !errors.Is(err, client.ErrNoRecipients) {
		t.Fatalf("landlord without devices: %v", err)
	}
	if _, err := d.SendReferral(ctx, []crypto.OrgID{{9}}, referral(), newHousehold()); !errors.Is(err, crypto.ErrUnknownOrg) {
		t.Fatalf("unknown org: %v", err)
	}
	if _, err := d.SendReferral(ctx, []crypto.OrgID{refuge.ID}, referral(), newHousehold()); err == nil {
		t.Fatal("sent a referral to the own organisation only")
	}
	if _, err := d.SendMessage(ctx, payload.ID{7}, "hello"); !errors.Is(err, client.ErrNotInCase) {
		t.Fatalf("message to unknown case: %v", err)
	}
	if cs, _ := d.Cases(ctx); len(cs) != 0 {
		t.Fatalf("refused sends left cases: %+v", cs)
	}
}
