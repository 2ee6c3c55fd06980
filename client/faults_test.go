package client_test

import (
	"context"
	"testing"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/server"
)

// TestReceiptBacklogDoesNotBlockReceiving (issue 12, item 3): after a
// backlog larger than the relay's send burst, the receipts it owes never
// stop a sync, and a new message shows at the next sync.
func TestReceiptBacklogDoesNotBlockReceiving(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	refuge := w.org("Harbour Refuge", crypto.KindProvider)
	weald := w.org("Weald Homes", crypto.KindLandlord, "Maidstone")
	caseworker := w.device(refuge, "Refuge laptop")
	officer := w.device(weald, "Weald officer")
	caseID, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral())
	if err != nil {
		t.Fatal(err)
	}
	const backlog = 12
	for range backlog {
		if _, err := caseworker.SendMessage(ctx, caseID, "Any news on a flat?"); err != nil {
			t.Fatal(err)
		}
	}
	// The relay now allows a burst of 3 sends and almost no refill.
	w.tweak = func(c *server.Config) { c.SendBurst, c.SendRate = 3, 0.0001 }
	w.restart(w.dbPath)

	res := sync(t, officer)
	if res.New != backlog+1 {
		t.Fatalf("backlog sync = %+v", res)
	}
	if _, err := caseworker.SendMessage(ctx, caseID, "We have found a flat."); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		res := sync(t, officer) // never fails with rate-limited
		if i == 0 && res.New != 1 {
			t.Fatalf("the new message did not show: %+v", res)
		}
	}
	if res := sync(t, caseworker); res.New != backlog+2 {
		t.Fatalf("caseworker got %d receipts, want one per packet (%d): %+v", res.New, backlog+2, res)
	}
}
