package devicecore

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/desktop"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/protocol/payload"
)

// TestOfflineSendsGoWhenTheRelayReturns: with a real relay on loopback and
// two real enrolled devices, a referral and a case message sent by the
// refuge while the relay is down are queued (Queued counts them, Sync fails
// with client.ErrRelayUnreachable: the connection bar's offline state), and
// the next Sync after the relay returns sends them to the landlord.
func TestOfflineSendsGoWhenTheRelayReturns(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	relay := w.Relay
	device := func(o *schemetest.Org, name string) desktop.Core {
		h := w.Enrol(o, name, hometest.DeviceOptions{})
		w.Approve(h, o, hometest.DeviceOptions{})
		core, err := Homes{}.Open(ctx, h.Path, h.Passphrase)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { core.Close() })
		return core
	}
	refugeOrg := w.Org("Harbour Refuge", crypto.KindProvider)
	landlordOrg := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	refuge := device(refugeOrg, "Refuge laptop")
	landlord := device(landlordOrg, "Weald officer")
	for _, d := range []desktop.Core{landlord, refuge} {
		if _, err := d.Sync(ctx); err != nil {
			t.Fatalf("first sync of %s: %v", d.Identity().DeviceName, err)
		}
	}
	queued := func(want int) {
		t.Helper()
		n, err := refuge.Queued(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if (want == 0) != (n == 0) || n < want {
			t.Fatalf("queued %d, want %d", n, want)
		}
	}
	offline := func() {
		t.Helper()
		if _, err := refuge.Sync(ctx); !errors.Is(err, client.ErrRelayUnreachable) {
			t.Fatalf("sync with the relay down: %v", err)
		}
	}
	backOnline := func() {
		t.Helper()
		relay.Restart()
		rep, err := refuge.Sync(ctx)
		if err != nil {
			t.Fatalf("sync after the relay returned: %v", err)
		}
		if rep.Sent == 0 {
			t.Fatalf("sync after the relay returned sent nothing: %+v", rep)
		}
		queued(0)
	}

	relay.Stop()
	r := payload.ExampleReferral()
	r.Case = payload.ID{}
	r.CurrentLandlordOrg = payload.ID{}
	id, err := refuge.SendReferral(ctx, []crypto.OrgID{landlordOrg.ID}, r, client.ReferralOptions{Household: payload.ExampleHouseholdDetails()})
	if !errors.Is(err, client.ErrNotSent) || !errors.Is(err, client.ErrRelayUnreachable) {
		t.Fatalf("referral with the relay down: %v", err)
	}
	if id == (payload.ID{}) {
		t.Fatal("no case id for the queued referral")
	}
	if rows, err := refuge.CaseRows(ctx); err != nil || !slices.ContainsFunc(rows, func(c desktop.CaseRow) bool { return c.ID == id }) {
		t.Fatalf("the queued referral is not in the refuge's cases: %v", err)
	}
	queued(1)
	offline()
	queued(1)
	backOnline()

	rep, err := landlord.Sync(ctx)
	if err != nil || rep.New != 1 {
		t.Fatalf("landlord sync: %+v, %v", rep, err)
	}
	if _, err := landlord.Case(ctx, id); err != nil {
		t.Fatalf("the landlord has no case: %v", err)
	}

	// A message on the case, sent while the relay is down again.
	relay.Stop()
	const text = "The household can move at short notice."
	if err := refuge.SendMessage(ctx, id, text); !errors.Is(err, client.ErrNotSent) {
		t.Fatalf("message with the relay down: %v", err)
	}
	queued(1)
	offline()
	backOnline()
	if rep, err := landlord.Sync(ctx); err != nil || rep.New != 1 {
		t.Fatalf("landlord sync: %+v, %v", rep, err)
	}
	v, err := landlord.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(v.Entries, func(e client.CaseEntry) bool { return e.Text == text }) {
		t.Fatal("the message sent offline did not reach the landlord")
	}
}
