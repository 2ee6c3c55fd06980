package client_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/protocol/payload"
)

// TestRootAndAdminRotationFollowed: while a caseworker's laptop is offline
// for months, the scheme's roots are rotated by ceremony, a landlord's
// admin key is rotated by the old admin key, and a new landlord is
// admitted by the new roots with a device enrolled from the new scheme
// file. The laptop, still anchored on its original scheme.json, catches up
// and seals to everyone; the new member verifies the organisations the old
// roots admitted; the relay refuses what the retired keys sign.
func TestRootAndAdminRotationFollowed(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	rc := newClock()
	others := newClock() // everyone else's clock: it moves on with the laptop's
	caseworker, _ := enrol(w, refuge, refuge.Admin, "Refuge laptop", rc)
	officer, _ := enrol(w, weald, weald.Admin, "Weald officer", others)
	mustSync(t, caseworker)
	oldFingerprint := caseworker.Directory().Scheme().Fingerprint()

	// Root rotation: the old root and the new one sign the update.
	newRoot, err := crypto.GenerateSigningKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	prev := []ed25519.PublicKey{w.Scheme.Roots[0].Public().(ed25519.PublicKey)}
	up, err := crypto.SignSchemeUpdate(&crypto.SchemeUpdate{Seq: 1, PrevRoots: prev, PrevThreshold: 1,
		Roots: []ed25519.PublicKey{newRoot.Public().(ed25519.PublicKey)}, Threshold: 1, Issued: time.Now()},
		w.Scheme.Roots, []ed25519.PrivateKey{newRoot})
	if err != nil {
		t.Fatal(err)
	}
	w.Publish(up)

	// The retired root can no longer admit anyone.
	rogue := w.Scheme.AddOrg(t, "Rogue Homes", crypto.KindLandlord, "Maidstone")
	if err := w.TryPublish(rogue.Raw); err == nil {
		t.Fatalf("relay accepted an org cert signed by the retired root: %v", err)
	}

	// Weald's admin rotates its own key with the old one.
	newAdmin, err := crypto.GenerateSigningKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	oc := *weald.Cert
	oc.AdminKeys = []ed25519.PublicKey{newAdmin.Public().(ed25519.PublicKey)}
	oc.Issued = oc.Issued.Add(time.Minute)
	reissue, err := crypto.SignOrgCertByAdmin(&oc, weald.Admin, []ed25519.PrivateKey{newAdmin})
	if err != nil {
		t.Fatal(err)
	}
	w.Publish(reissue)
	weald2 := &schemetest.Org{ID: weald.ID, Cert: &oc, Admin: newAdmin, Raw: reissue}

	// A new landlord is admitted by the new root; its device enrols from
	// the new scheme file (the new roots plus the rotation history).
	now := time.Now().UTC().Truncate(time.Second)
	mid, err := crypto.NewOrgID(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	midAdmin, err := crypto.GenerateSigningKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	mc := &crypto.OrgCert{Org: mid, Name: "Medway Homes", Kind: crypto.KindLandlord, Districts: []string{"Maidstone"},
		AdminKeys: []ed25519.PublicKey{midAdmin.Public().(ed25519.PublicKey)}, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), Issued: now}
	mraw, err := crypto.SignOrgCert(mc, []ed25519.PrivateKey{newRoot})
	if err != nil {
		t.Fatal(err)
	}
	w.Publish(mraw)
	mustSync(t, officer)
	newScheme, err := officer.Directory().Scheme().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	oldFile := w.SchemeFile
	w.SchemeFile = filepath.Join(w.Dir, "scheme-rotated.json")
	if err := os.WriteFile(w.SchemeFile, newScheme, 0o644); err != nil {
		t.Fatal(err)
	}
	medway, _ := enrol(w, &schemetest.Org{ID: mid, Cert: mc, Admin: midAdmin, Raw: mraw}, midAdmin, "Medway officer", others)
	w.SchemeFile = oldFile
	if medway.Scheme().Fingerprint() == oldFingerprint {
		t.Fatal("the new member pinned the old roots")
	}
	// Weald's new admin approves; the retired admin key no longer can.
	newcomer, _ := enrol(w, weald2, newAdmin, "Weald newcomer", others)
	stale, err := crypto.SignDeviceRevocation(&crypto.Revocation{Org: weald.ID, Device: officer.ID(), RevokedAt: time.Now(), Reason: "x"}, weald.Admin)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.TryPublish(stale); err == nil {
		t.Fatal("relay accepted a revocation signed by the retired admin key")
	}

	// Months later the laptop syncs and follows every change.
	rc.Advance(90 * days)
	others.Advance(90 * days)
	mustSync(t, caseworker)
	cur := caseworker.Directory().Scheme()
	if cur.Fingerprint() != medway.Scheme().Fingerprint() || caseworker.Scheme().Fingerprint() != oldFingerprint {
		t.Fatalf("laptop's current scheme %s, anchor %s", cur.Fingerprint(), caseworker.Scheme().Fingerprint())
	}
	for org, want := range map[crypto.OrgID]int{weald.ID: 2, mid: 1} {
		rs, err := caseworker.Recipients(org)
		if err != nil || len(rs) != want {
			t.Fatalf("recipients of %s: %d, %v", org, len(rs), err)
		}
	}
	if _, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID, mid}, lifecycleReferral(), newHousehold()); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*client.Device{officer, newcomer, medway} {
		if res := mustSync(t, d); res.New != 1 {
			t.Fatalf("%s: %+v", d.Name(), res)
		}
	}
	// The new member verified the refuge, admitted by the retired root.
	if rs, err := medway.Recipients(refuge.ID); err != nil || len(rs) != 1 {
		t.Fatalf("new member's view of an org the old root admitted: %d, %v", len(rs), err)
	}
}

// TestOrgRetentionPolicy: the organisation admin's signed retention policy
// reaches every device at its next sync; a device may shorten it but not
// extend it; ShredExpired uses it; a later policy replaces it.
func TestOrgRetentionPolicy(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	rc := newClock()
	caseworker, _ := enrol(w, refuge, refuge.Admin, "Refuge laptop", rc)
	colleague, _ := enrol(w, refuge, refuge.Admin, "Refuge desktop", newClock())
	enrol(w, weald, weald.Admin, "Weald officer", newClock())
	mustSync(t, caseworker)
	policy := func(seq uint64, d time.Duration) []byte {
		t.Helper()
		b, err := crypto.SignOrgPolicy(&crypto.OrgPolicy{Org: refuge.ID, Seq: seq, Retention: d, Issued: time.Now()}, refuge.Admin)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	retention := func(d *client.Device) time.Duration {
		t.Helper()
		r, err := d.Retention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	id, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, lifecycleReferral(), newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	if err := caseworker.SetStatus(ctx, id, payload.StatusWithdrawn, "", "Household rehoused privately."); err != nil {
		t.Fatal(err)
	}
	if r := retention(caseworker); r != 365*days {
		t.Fatalf("default retention %v", r)
	}
	w.Publish(policy(1, 30*days))
	mustSync(t, caseworker)
	mustSync(t, colleague)
	for _, d := range []*client.Device{caseworker, colleague} {
		if r := retention(d); r != 30*days || d.RetentionPolicy() != 30*days {
			t.Fatalf("%s: retention %v after the policy", d.Name(), r)
		}
	}
	if err := colleague.SetRetention(ctx, 60*days); !errors.Is(err, client.ErrRetentionPolicy) {
		t.Fatalf("extended beyond the policy: %v", err)
	}
	if err := colleague.SetRetention(ctx, 10*days); err != nil {
		t.Fatal(err)
	}
	mustSync(t, colleague)
	if r := retention(colleague); r != 10*days {
		t.Fatalf("a shorter local retention was overridden by the same policy: %v", r)
	}

	// The withdrawn case is kept 30 days, not 365.
	rc.Advance(29 * days)
	if n, err := caseworker.ShredExpired(ctx); err != nil || n != 0 {
		t.Fatalf("shredded %d before the policy's period: %v", n, err)
	}
	rc.Advance(2 * days)
	if n, err := caseworker.ShredExpired(ctx); err != nil || n != 1 {
		t.Fatalf("shred after the policy's period: %d, %v", n, err)
	}

	// A later policy replaces the local setting, longer or not.
	w.Publish(policy(2, 90*days))
	mustSync(t, colleague)
	if r := retention(colleague); r != 90*days {
		t.Fatalf("retention after a new policy %v", r)
	}
	// Another organisation's admin cannot set it.
	other, err := crypto.SignOrgPolicy(&crypto.OrgPolicy{Org: refuge.ID, Seq: 3, Retention: days, Issued: time.Now()}, weald.Admin)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.TryPublish(other); err == nil {
		t.Fatal("relay accepted a policy signed by another organisation's admin")
	}
}
