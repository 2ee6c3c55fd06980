package client_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/internal/schemetest"
)

// TestRevokedDeviceShutOut: a stolen refuge laptop is revoked (dated when
// it went missing). Its next connection is refused with a plain error;
// senders stop encrypting to it once they sync; and a referral it made
// after the revocation time is rejected by the landlord.
func TestRevokedDeviceShutOut(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	stolenClock := newClock()
	desk, _ := enrol(w, refuge, refuge.Admin, "Refuge desk", newClock())
	stolen, _ := enrol(w, refuge, refuge.Admin, "Refuge laptop", stolenClock)
	officer, _ := enrol(w, weald, weald.Admin, "Weald officer", newClock())
	mustSync(t, officer)
	mustSync(t, stolen)
	mustSync(t, desk)
	if rs, err := officer.Recipients(refuge.ID); err != nil || len(rs) != 2 {
		t.Fatalf("recipients before revocation = %+v, %v", rs, err)
	}

	// The thief sends a referral an hour after the laptop went missing,
	// before the admin has revoked it.
	missing := time.Now()
	stolenClock.Advance(time.Hour)
	if _, err := stolen.SendReferral(ctx, []crypto.OrgID{weald.ID}, lifecycleReferral(), newHousehold()); err != nil {
		t.Fatalf("thief's referral: %v", err)
	}
	rev, err := crypto.SignDeviceRevocation(&crypto.Revocation{Org: refuge.ID, Device: stolen.ID(),
		RevokedAt: missing, Reason: "laptop stolen"}, refuge.Admin)
	if err != nil {
		t.Fatal(err)
	}
	w.Publish(rev)

	// The laptop is shut out.
	if _, err := stolen.Sync(ctx); !errors.Is(err, client.ErrDeviceRevoked) || !strings.Contains(err.Error(), "enrol a new device") {
		t.Fatalf("revoked device sync: %v", err)
	}
	// The landlord refuses the thief's referral, saying why.
	res := mustSync(t, officer)
	if res.New != 0 || res.Rejected != 1 {
		t.Fatalf("landlord sync = %+v", res)
	}
	if err := res.Rejections[0].Err; !errors.Is(err, crypto.ErrSenderRevoked) || !strings.Contains(err.Error(), "revoked before this envelope was made") {
		t.Fatalf("rejection: %v", err)
	}
	// Nobody encrypts to it any more.
	rs, err := officer.Recipients(refuge.ID)
	if err != nil || len(rs) != 1 || rs[0].Device != desk.ID() {
		t.Fatalf("recipients after revocation = %+v, %v", rs, err)
	}
	// The colleague still works.
	if _, err := desk.SendReferral(ctx, []crypto.OrgID{weald.ID}, lifecycleReferral(), newHousehold()); err != nil {
		t.Fatalf("colleague's referral: %v", err)
	}
	if res := mustSync(t, officer); res.New != 1 {
		t.Fatalf("landlord second sync = %+v", res)
	}
}

// TestSubstitutedKeyCaughtByClient: someone with the relay's disk swaps a
// landlord device's certificate row for one with their own key. A client
// that synced before notices at its next sync and refuses to send to the
// organisation, in plain words.
func TestSubstitutedKeyCaughtByClient(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	caseworker, _ := enrol(w, refuge, refuge.Admin, "Refuge laptop", newClock())
	officer, _ := enrol(w, weald, weald.Admin, "Weald officer", newClock())
	mustSync(t, caseworker)
	entry, err := caseworker.Directory().Device(officer.ID())
	if err != nil {
		t.Fatal(err)
	}

	w.Relay.ReplaceObject(entry.Raw, schemetest.ForgeDeviceCert(t, entry.Cert))

	_, err = caseworker.Sync(ctx)
	if !errors.Is(err, client.ErrLogInconsistent) || !errors.Is(err, translog.ErrSplitView) {
		t.Fatalf("sync against the tampered relay: %v", err)
	}
	_, err = caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, lifecycleReferral(), newHousehold())
	if err == nil {
		t.Fatal("sent a referral through a tampered relay")
	}
	if _, rerr := caseworker.Recipients(weald.ID); !errors.Is(rerr, client.ErrRelayUntrusted) ||
		!strings.Contains(rerr.Error(), "cannot send to Weald Homes") || !strings.Contains(rerr.Error(), "tell your scheme coordinator") {
		t.Fatalf("refusal to send: %v", rerr)
	}
	alerts, err := caseworker.Alerts(ctx)
	if err != nil || len(alerts) != 1 || alerts[0].Kind != client.AlertSplitView {
		t.Fatalf("alerts = %+v, %v", alerts, err)
	}
	// The key the client uses is still the genuine one.
	if e, _ := caseworker.Directory().Device(officer.ID()); string(e.Raw) != string(entry.Raw) {
		t.Fatal("the forged certificate replaced the genuine one")
	}
}

// TestRolledBackLogCaughtByClient: the relay is restored from a backup
// older than what a device has seen; the device refuses it.
func TestRolledBackLogCaughtByClient(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	caseworker, _ := enrol(w, refuge, refuge.Admin, "Refuge laptop", newClock())
	old := filepath.Join(t.TempDir(), "backup.db")
	w.Relay.Backup(old)
	enrol(w, weald, weald.Admin, "Weald officer", newClock())
	mustSync(t, caseworker)
	seen := caseworker.LogCheckpoint()

	w.Relay.RestartOn(old)
	_, err := caseworker.Sync(ctx)
	if !errors.Is(err, client.ErrLogInconsistent) || !errors.Is(err, translog.ErrRollback) || !strings.Contains(err.Error(), "older state") {
		t.Fatalf("sync against the rolled-back relay: %v", err)
	}
	if got := caseworker.LogCheckpoint(); got.Size != seen.Size || got.Root != seen.Root {
		t.Fatalf("checkpoint moved to %v", got)
	}
	if _, err := caseworker.Recipients(weald.ID); !errors.Is(err, client.ErrRelayUntrusted) {
		t.Fatalf("still sending: %v", err)
	}
}

// TestForkedLogCaughtByEnvelope: one dishonest relay (two instances with
// one log key) shows the refuge and the landlord different logs. The
// landlord finds out from the checkpoint inside the refuge's envelope.
func TestForkedLogCaughtByEnvelope(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	f := w.Fork()
	s := w.Scheme
	refuge := admitBoth(t, s, "Harbour Refuge", crypto.KindProvider, "", w, f)
	weald := admitBoth(t, s, "Weald Homes", crypto.KindLandlord, "Maidstone", w, f)
	medway := admitBoth(t, s, "Medway Valley Housing", crypto.KindLandlord, "Medway", w, f)
	caseworker, _ := enrol(w, refuge, refuge.Admin, "Refuge laptop", newClock(), f)
	officer, _ := enrol(f, weald, weald.Admin, "Weald officer", newClock(), w)
	// The views diverge by one entry each, at the same size.
	w.Publish(medway.AddDevice(t, "Medway officer").Raw)
	f.Publish(medway.AddDevice(t, "Medway night officer").Raw)
	mustSync(t, caseworker)
	mustSync(t, officer)

	id, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, lifecycleReferral(), newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	// The envelope reaches the landlord through the other view.
	envs := w.Relay.Pending(officer.ID())
	if len(envs) != 1 {
		t.Fatalf("%d envelopes for the officer", len(envs))
	}
	f.Relay.Inject(envs[0], officer.ID())
	res := mustSync(t, officer)
	if res.New != 1 {
		t.Fatalf("officer sync = %+v", res)
	}
	if _, err := officer.Case(ctx, id); err != nil {
		t.Fatal(err)
	}
	alerts, err := officer.Alerts(ctx)
	if err != nil || len(alerts) != 1 || alerts[0].Kind != client.AlertSplitView ||
		!strings.Contains(alerts[0].Message, "Harbour Refuge") || !strings.Contains(alerts[0].Message, "tell your scheme coordinator") {
		t.Fatalf("alerts = %+v, %v", alerts, err)
	}
	if _, err := officer.Recipients(refuge.ID); !errors.Is(err, client.ErrRelayUntrusted) {
		t.Fatalf("officer still sends: %v", err)
	}
	// Resolving (after the coordinator has investigated) lifts the stop.
	if n, err := officer.ResolveAlerts(ctx); err != nil || n != 1 {
		t.Fatalf("resolve = %d, %v", n, err)
	}
	if _, err := officer.Recipients(refuge.ID); err != nil {
		t.Fatalf("after resolving: %v", err)
	}
}

// TestOfflineForMonthsCatchesUp: a caseworker's laptop left in a drawer for
// four months syncs once after many key rotations, a revocation, an
// organisation admin key rotation and a device approved by the new admin
// key, verifies the whole way (one consistency proof), and sends to the
// right keys.
func TestOfflineForMonthsCatchesUp(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	rc, wc := newClock(), newClock()
	caseworker, _ := enrol(w, refuge, refuge.Admin, "Refuge laptop", rc)
	officer, _ := enrol(w, weald, weald.Admin, "Weald officer", wc)
	leaver, _ := enrol(w, weald, weald.Admin, "Weald leaver", newClock())
	mustSync(t, caseworker)
	before := caseworker.LogCheckpoint()

	for range 16 { // four months of weekly rotations
		wc.Advance(7*days + time.Hour)
		mustSync(t, officer)
	}
	rev, err := crypto.SignDeviceRevocation(&crypto.Revocation{Org: weald.ID, Device: leaver.ID(), RevokedAt: time.Now(), Reason: "left"}, weald.Admin)
	if err != nil {
		t.Fatal(err)
	}
	w.Publish(rev)
	// Weald's admin key is rotated: the roots re-issue its certificate
	// with a new admin key, which approves a new device.
	newAdmin, err := crypto.GenerateSigningKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	oc := *weald.Cert
	oc.AdminKeys = []ed25519.PublicKey{newAdmin.Public().(ed25519.PublicKey)}
	oc.Issued = oc.Issued.Add(time.Minute)
	reissued, err := crypto.SignOrgCert(&oc, w.Scheme.Roots[:w.Scheme.Scheme.Threshold])
	if err != nil {
		t.Fatal(err)
	}
	w.Publish(reissued)
	newcomer, _ := enrol(w, weald, newAdmin, "Weald newcomer", wc)

	// The laptop comes back months later, to the same present as everyone
	// else (devices' clocks agree; envelopes dated in the future are refused).
	rc.Advance(wc.Now().Sub(rc.Now()))
	mustSync(t, caseworker)
	after := caseworker.LogCheckpoint()
	if after.Size <= before.Size+16 {
		t.Fatalf("checkpoint %v after %v", after, before)
	}
	rs, err := caseworker.Recipients(weald.ID)
	if err != nil {
		t.Fatal(err)
	}
	seq, rcpt := keySeq(t, officer, officer)
	if seq != 16 {
		t.Fatalf("officer rotated %d times", seq)
	}
	got := map[crypto.DeviceID]string{}
	for _, r := range rs {
		got[r.Device] = r.Key
	}
	if len(got) != 2 || got[officer.ID()] != rcpt || got[newcomer.ID()] == "" {
		t.Fatalf("recipients after catching up = %+v", rs)
	}
	if _, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, lifecycleReferral(), newHousehold()); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*client.Device{officer, newcomer} {
		if res := mustSync(t, d); res.New != 1 {
			t.Fatalf("%s: %+v", d.Name(), res)
		}
	}
}
