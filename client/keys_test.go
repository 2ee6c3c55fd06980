package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/protocol/payload"
)

// lifecycleReferral is a valid referral for a landlord in Maidstone.
func lifecycleReferral() *payload.Referral {
	r := payload.ExampleReferral()
	r.Case = payload.ID{}
	r.CurrentLandlordOrg = payload.ID{}
	return r
}

func mustSync(t *testing.T, d *client.Device) *client.SyncResult {
	t.Helper()
	res, err := d.Sync(context.Background())
	if err != nil {
		t.Fatalf("sync %s: %v", d.Name(), err)
	}
	return res
}

func keySeq(t *testing.T, seen, of *client.Device) (uint64, string) {
	t.Helper()
	e, err := seen.Directory().Device(of.ID())
	if err != nil {
		t.Fatal(err)
	}
	return e.KeySeq, e.Recipient
}

// TestScheduledRotationNothingLost: a landlord's device rotates its
// encryption key on schedule while a referral sealed to the old key is in
// flight; the referral still opens (the old identity is kept for the grace
// window), and the next referral is sealed to the new key.
func TestScheduledRotationNothingLost(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	rc, wc := newClock(), newClock()
	caseworker, _ := enrol(w, refuge, refuge.Admin, "Refuge laptop", rc)
	officer, officerHome := enrol(w, weald, weald.Admin, "Weald officer", wc)
	mustSync(t, officer)
	mustSync(t, caseworker)
	if seq, _ := keySeq(t, caseworker, officer); seq != 0 {
		t.Fatalf("key seq before rotation = %d", seq)
	}

	// In flight: sealed to the officer's first key.
	first, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, lifecycleReferral(), newHousehold())
	if err != nil {
		t.Fatalf("send referral: %v", err)
	}
	// A week passes: the officer's next sync rotates first, then receives.
	wc.Advance(crypto.DefaultRotationDays*days + time.Hour)
	res := mustSync(t, officer)
	if res.New != 1 || res.Rejected != 0 {
		t.Fatalf("officer sync after rotation = %+v", res)
	}
	if _, err := officer.Case(ctx, first); err != nil {
		t.Fatalf("referral sealed to the old key lost: %v", err)
	}
	if seq, _ := keySeq(t, officer, officer); seq != 1 {
		t.Fatalf("officer's own key seq after rotation = %d, want 1", seq)
	}

	// The caseworker learns the new key at its next connection and seals
	// to it; the officer opens it.
	second, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, lifecycleReferral(), newHousehold())
	if err != nil {
		t.Fatalf("send second referral: %v", err)
	}
	seq, rcpt := keySeq(t, caseworker, officer)
	if seq != 1 {
		t.Fatalf("caseworker sees officer key seq %d, want 1", seq)
	}
	rs, err := caseworker.Recipients(weald.ID)
	if err != nil || len(rs) != 1 || rs[0].Key != rcpt {
		t.Fatalf("recipients = %+v, %v", rs, err)
	}
	if res := mustSync(t, officer); res.New != 1 {
		t.Fatalf("officer second sync = %+v", res)
	}
	if _, err := officer.Case(ctx, second); err != nil {
		t.Fatal(err)
	}
	// No second rotation inside the period.
	if seq, _ := keySeq(t, officer, officer); seq != 1 {
		t.Fatalf("rotated again: seq %d", seq)
	}
	// The rotated key survives a restart (the vault was saved).
	officer.Close()
	again, err := client.OpenHomeWith(ctx, officerHome, hometest.Passphrase("Weald officer"), &client.Options{Now: wc.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if res := mustSync(t, again); res.Rejected != 0 {
		t.Fatalf("sync after reopening = %+v", res)
	}
}

// TestRotateNow: 'saferef keys rotate' rotates whatever the schedule.
func TestRotateNow(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	officer, _ := enrol(w, weald, weald.Admin, "Weald officer", newClock())
	for want := uint64(1); want <= 2; want++ {
		st, err := officer.RotateKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Seq != want || !st.Published || st.Retained != int(want) {
			t.Fatalf("rotation %d: %+v", want, st)
		}
		if seq, rcpt := keySeq(t, officer, officer); seq != want || rcpt != st.Recipient {
			t.Fatalf("directory has seq %d", seq)
		}
	}
}

// TestErasureAfterGraceWindow: once an old identity is older than the grace
// window it is erased from the vault, and an envelope captured while it was
// current can no longer be opened by the device (forward secrecy).
func TestErasureAfterGraceWindow(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	sender := refuge.AddDevice(t, "Refuge desk")
	w.Publish(sender.Raw)
	wc := newClock()
	officer, home := enrol(w, weald, weald.Admin, "Weald officer", wc)
	mustSync(t, officer)

	// Two envelopes sealed to the first key: one delivered now, one
	// captured by someone with the relay's disk for later.
	dir := crypto.NewDirectory(w.Scheme.Scheme)
	for _, o := range w.Scheme.Objects {
		dir.Add(o, time.Now())
	}
	_, first := keySeq(t, officer, officer)
	seal := func(n byte) []byte {
		m := lifecycleReferral()
		m.CaseNonce = payload.ID{n}
		m.Case = payload.CaseIDFor(refuge.ID, m.CaseNonce)
		body, err := payload.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		env, err := crypto.Seal(sender.Keys, weald.ID, []crypto.Recipient{{Device: officer.ID(), Key: first}},
			&crypto.Packet{PayloadType: m.PayloadType(), Payload: body}, crypto.SealOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := env.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	delivered, captured := seal(1), seal(2)

	// The key rotates; the delivered envelope, in flight, still opens.
	wc.Advance(8 * days)
	w.SendRaw(sender, delivered)
	if res := mustSync(t, officer); res.New != 1 || res.Rejected != 0 {
		t.Fatalf("sync inside the grace window = %+v (%v)", res, res.Rejections)
	}
	if seq, _ := keySeq(t, officer, officer); seq != 1 {
		t.Fatalf("no rotation: seq %d", seq)
	}

	// Past the grace window (30 days after the rotation) the old identity
	// is erased; the captured envelope replayed now does not open.
	wc.Advance(31 * days)
	mustSync(t, officer) // a scheduled rotation (key 2), and key 0 erased
	if st := officer.KeyStatus(); st.Seq != 2 || st.Retained != 1 || !st.Published {
		t.Fatalf("after the grace window: %+v", st)
	}
	w.SendRaw(sender, captured)
	res := mustSync(t, officer)
	if res.Rejected != 1 || !errors.Is(res.Rejections[0].Err, crypto.ErrNotForMe) {
		t.Fatalf("captured envelope after erasure: %+v %v", res, res.Rejections)
	}
	if !strings.Contains(res.Rejections[0].Err.Error(), "erased") {
		t.Fatalf("rejection not explained: %v", res.Rejections[0].Err)
	}
	// The erasure reached the vault on disk.
	officer.Close()
	again, err := client.OpenHomeWith(ctx, home, hometest.Passphrase("Weald officer"), &client.Options{Now: wc.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if st := again.KeyStatus(); st.Seq != 2 || st.Retained != 1 {
		t.Fatalf("reopened vault: %+v", st)
	}
}
