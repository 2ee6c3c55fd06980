package client_test

import (
	"context"
	"testing"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/protocol/payload"
)

// newHousehold is the household details a test referral is opened with
// (the example household; a repeated reference is confirmed).
func newHousehold() client.ReferralOptions {
	return client.ReferralOptions{Household: payload.ExampleHouseholdDetails(), Again: true}
}

// testOffer is the example offer with no expiry date, so that sending it
// gives it the default expiry from the device's today.
func testOffer() *payload.Offer {
	o := payload.ExampleOffer()
	o.Expires = ""
	return o
}

// referredCase is where many client tests start: a refuge and a landlord
// (Weald Homes, Maidstone) with one device each, and a referral the
// refuge's caseworker has sent to Weald Homes (not yet synced there). The
// caseworker's clock is real time until the test moves it.
type referredCase struct {
	w                   *hometest.World
	refuge, weald       *schemetest.Org
	caseworker, officer *client.Device
	clock               *caseClock // the caseworker's
	caseID              payload.ID
}

func newReferredCase(t testing.TB) *referredCase {
	t.Helper()
	w := hometest.New(t)
	rc := &referredCase{w: w, clock: &caseClock{},
		refuge: w.Org("Harbour Refuge", crypto.KindProvider),
		weald:  w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")}
	rc.caseworker = deviceWithClock(w, rc.refuge, "Refuge laptop", rc.clock)
	rc.officer = w.Device(rc.weald, "Weald officer")
	id, err := rc.caseworker.SendReferral(context.Background(), []crypto.OrgID{rc.weald.ID}, referral(), newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	rc.caseID = id
	return rc
}
