package crypto

import (
	"crypto/ed25519"
	"errors"
	"testing"
	"time"
)

// rotateRoots signs the next scheme update of dir's scheme from old to
// newRoots (threshold k), signed by signOld and all of newRoots.
func rotateRoots(t *testing.T, cur *Scheme, signOld, newRoots []ed25519.PrivateKey, k int, at time.Time) []byte {
	t.Helper()
	prev, err := cur.rootKeys()
	if err != nil {
		t.Fatal(err)
	}
	u := &SchemeUpdate{Seq: uint64(len(cur.History)) + 1, PrevRoots: prev, PrevThreshold: cur.Threshold, Threshold: k, Issued: at}
	for _, r := range newRoots {
		u.Roots = append(u.Roots, publicOf(r))
	}
	b, err := SignSchemeUpdate(u, signOld, newRoots)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSchemeUpdateChain(t *testing.T) {
	f := newFixture(t)
	r := detRand(9)
	next := []ed25519.PrivateKey{mustSigningKey(t, r), mustSigningKey(t, r)}
	oldScheme := f.dir.Scheme()
	up1 := rotateRoots(t, oldScheme, f.roots[1:], next, 2, t0)

	// Refused: too few old roots, no new-root signatures, wrong sequence.
	if _, err := f.dir.Add(rotateRoots(t, oldScheme, f.roots[:1], next, 2, t0), t0); !errors.Is(err, ErrBelowThreshold) {
		t.Fatalf("one old root: %v", err)
	}
	u, _, err := ParseSchemeUpdate(up1)
	if err != nil {
		t.Fatal(err)
	}
	noNew, err := SignSchemeUpdate(u, f.roots[:2], nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(noNew, t0); !errors.Is(err, ErrUnknownRoot) {
		t.Fatalf("unsigned by the new roots: %v", err)
	}
	u2 := *u
	u2.Seq = 2
	skip, err := SignSchemeUpdate(&u2, f.roots, next)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(skip, t0); !errors.Is(err, ErrSchemeChain) {
		t.Fatalf("sequence 2 first: %v", err)
	}

	if kind, err := f.dir.Add(up1, t0); err != nil || kind != TypeSchemeUpdate {
		t.Fatalf("rotation: %s %v", kind, err)
	}
	cur := f.dir.Scheme()
	if cur.Threshold != 2 || len(cur.Roots) != 2 || cur.Fingerprint() == oldScheme.Fingerprint() || len(cur.History) != 1 {
		t.Fatalf("scheme after rotation: %+v", cur)
	}
	if _, err := f.dir.Add(up1, t0); err != nil {
		t.Fatalf("replayed rotation: %v", err)
	}
	other := rotateRoots(t, oldScheme, f.roots[:2], []ed25519.PrivateKey{mustSigningKey(t, r)}, 1, t0)
	if _, err := f.dir.Add(other, t0); !errors.Is(err, ErrSchemeChain) {
		t.Fatalf("conflicting update 1: %v", err)
	}

	// Old org certs stay; new ones and org revocations need the new roots.
	if len(f.dir.CurrentDevices(f.landlord.cert.Org, t0)) != 2 {
		t.Fatal("devices of an org certified by the old roots were dropped")
	}
	oldSigned := f.newOrgCert(t, r, "Old Roots Housing", f.roots[:2])
	if _, err := f.dir.Add(oldSigned, t0); !errors.Is(err, ErrUnknownRoot) {
		t.Fatalf("org cert by old roots after rotation: %v", err)
	}
	newSigned := f.newOrgCert(t, r, "New Roots Housing", next)
	if _, err := f.dir.Add(newSigned, t0); err != nil {
		t.Fatalf("org cert by new roots: %v", err)
	}
	revOld, err := SignOrgRevocation(&Revocation{Org: f.provider.cert.Org, RevokedAt: t0, Reason: "left"}, f.roots[:2])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(revOld, t0); !errors.Is(err, ErrUnknownRoot) {
		t.Fatalf("org revocation by old roots: %v", err)
	}

	// A second rotation chains from the first.
	third := []ed25519.PrivateKey{mustSigningKey(t, r)}
	up2 := rotateRoots(t, cur, next, third, 1, t0.Add(time.Hour))
	if _, err := f.dir.Add(up2, t0); err != nil {
		t.Fatalf("second rotation: %v", err)
	}
	revNew, err := SignOrgRevocation(&Revocation{Org: f.provider.cert.Org, RevokedAt: t0, Reason: "left"}, third)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(revNew, t0); err != nil {
		t.Fatalf("org revocation by the newest root: %v", err)
	}

	// The new scheme file (for new members) pins the newest root, carries
	// the history, and verifies the whole log from the first entry.
	b, err := f.dir.Scheme().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := ParseScheme(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(fresh.History) != 2 || fresh.Fingerprint() == oldScheme.Fingerprint() {
		t.Fatalf("new member scheme: %+v", fresh)
	}
	origin, err := fresh.Origin()
	if err != nil || origin.Fingerprint() != oldScheme.Fingerprint() {
		t.Fatalf("origin of the new scheme: %v", err)
	}
	log := [][]byte{f.provider.raw, f.landlord.raw, f.p1.raw, f.l1.raw, f.l2.raw, up1, oldSigned, newSigned, revOld, up2, revNew}
	nd := NewDirectory(fresh)
	for i, o := range log {
		_, err := nd.Add(o, t0)
		if wantErr := i == 6 || i == 8; (err != nil) != wantErr {
			t.Fatalf("new member, entry %d: %v", i, err)
		}
	}
	if len(nd.Orgs()) != 3 || len(nd.CurrentDevices(f.landlord.cert.Org, t0)) != 2 || len(nd.CurrentDevices(f.provider.cert.Org, t0)) != 0 {
		t.Fatalf("new member's directory: %d orgs", len(nd.Orgs()))
	}
	// A new member refuses a different first rotation than the one pinned.
	nd = NewDirectory(fresh)
	for _, o := range log[:5] {
		if _, err := nd.Add(o, t0); err != nil {
			t.Fatal(err)
		}
	}
	forged := rotateRoots(t, oldScheme, f.roots[:2], next, 1, t0)
	if _, err := nd.Add(forged, t0); !errors.Is(err, ErrSchemeChain) {
		t.Fatalf("forged rotation against a pinned history: %v", err)
	}

	// A history that does not lead to the roots is refused.
	bad := *fresh
	bad.History = bad.History[:1]
	if _, err := bad.Marshal(); !errors.Is(err, ErrSchemeChain) {
		t.Fatalf("truncated history: %v", err)
	}
}

// newOrgCert signs a landlord org cert with the given roots.
func (f *fixture) newOrgCert(t *testing.T, r interface{ Read([]byte) (int, error) }, name string, roots []ed25519.PrivateKey) []byte {
	t.Helper()
	id, err := NewOrgID(r)
	if err != nil {
		t.Fatal(err)
	}
	c := &OrgCert{Org: id, Name: name, Kind: KindLandlord, Districts: []string{"Dover"},
		AdminKeys: []ed25519.PublicKey{publicOf(mustSigningKey(t, r))},
		NotBefore: t0.AddDate(0, -1, 0), NotAfter: t0.AddDate(1, 0, 0), Issued: t0}
	b, err := SignOrgCert(c, roots)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAdminRotationByAdmin(t *testing.T) {
	f := newFixture(t)
	r := detRand(10)
	newAdmin := mustSigningKey(t, r)
	c := *f.landlord.cert
	c.AdminKeys = []ed25519.PublicKey{publicOf(newAdmin)}
	c.Issued = f.landlord.cert.Issued.Add(time.Hour)

	// Refused: not signed by the new key, other fields changed, signed by
	// another organisation's admin, not issued later.
	unproven, err := SignOrgCertByAdmin(&c, f.landlord.admin, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(unproven, t0); !errors.Is(err, ErrAdminReissue) {
		t.Fatalf("new key did not sign: %v", err)
	}
	longer := c
	longer.NotAfter = c.NotAfter.AddDate(5, 0, 0)
	b, err := SignOrgCertByAdmin(&longer, f.landlord.admin, []ed25519.PrivateKey{newAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(b, t0); !errors.Is(err, ErrAdminReissue) {
		t.Fatalf("admin extended its validity: %v", err)
	}
	if b, err = SignOrgCertByAdmin(&c, f.provider.admin, []ed25519.PrivateKey{newAdmin}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(b, t0); !errors.Is(err, ErrUnknownRoot) {
		t.Fatalf("another organisation's admin: %v", err)
	}
	same := c
	same.Issued = f.landlord.cert.Issued
	if b, err = SignOrgCertByAdmin(&same, f.landlord.admin, []ed25519.PrivateKey{newAdmin}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(b, t0); !errors.Is(err, ErrAdminReissue) {
		t.Fatalf("not issued later: %v", err)
	}

	good, err := SignOrgCertByAdmin(&c, f.landlord.admin, []ed25519.PrivateKey{newAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyOrgCertByAdmin(good, f.landlord.cert, t0); err != nil {
		t.Fatal(err)
	}
	if kind, err := f.dir.Add(good, t0); err != nil || kind != TypeOrgCert {
		t.Fatalf("admin rotation: %s %v", kind, err)
	}
	o, err := f.dir.Org(f.landlord.cert.Org)
	if err != nil || !o.Cert.AdminKeys[0].Equal(publicOf(newAdmin)) || len(o.Cert.AdminKeys) != 1 {
		t.Fatalf("org after rotation: %+v %v", o, err)
	}
	if len(f.dir.CurrentDevices(f.landlord.cert.Org, t0)) != 2 {
		t.Fatal("devices approved under the old admin key were dropped")
	}
	// Only the new key approves now; the old key cannot rotate again.
	s, err := GenerateDeviceSecrets(r, f.landlord.cert.Org, "New laptop", t0)
	if err != nil {
		t.Fatal(err)
	}
	old := *f.landlord
	if _, err := f.dir.Add(f.enrolRaw(t, &old, s), t0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("device approved by the retired admin key: %v", err)
	}
	fresh := *f.landlord
	fresh.admin = newAdmin
	if _, err := f.dir.Add(f.enrolRaw(t, &fresh, s), t0); err != nil {
		t.Fatalf("device approved by the new admin key: %v", err)
	}
	back := c
	back.AdminKeys = []ed25519.PublicKey{publicOf(f.landlord.admin)}
	back.Issued = c.Issued.Add(time.Hour)
	if b, err = SignOrgCertByAdmin(&back, f.landlord.admin, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(b, t0); !errors.Is(err, ErrUnknownRoot) {
		t.Fatalf("retired admin key took the organisation back: %v", err)
	}
	// The roots can still re-issue.
	rc := c
	rc.Issued = c.Issued.Add(2 * time.Hour)
	if b, err = SignOrgCert(&rc, f.roots[:2]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(b, t0); err != nil {
		t.Fatalf("root re-issue after admin rotation: %v", err)
	}
}

// enrolRaw signs a device cert for s with org's admin key.
func (f *fixture) enrolRaw(t *testing.T, org *testOrg, s *DeviceSecrets) []byte {
	t.Helper()
	keys, err := s.Keys()
	if err != nil {
		t.Fatal(err)
	}
	c := &DeviceCert{Device: s.Device, Org: org.cert.Org, Name: s.Name, SigningKey: s.SigningKey(),
		Recipient: keys.Encryption[0].Recipient().String(), NotBefore: t0.AddDate(0, 0, -1), NotAfter: t0.AddDate(0, 6, 0), Issued: t0}
	b, err := SignDeviceCert(c, org.admin)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOrgPolicy(t *testing.T) {
	f := newFixture(t)
	org := f.landlord.cert.Org
	sign := func(seq uint64, ret time.Duration, admin ed25519.PrivateKey) []byte {
		t.Helper()
		b, err := SignOrgPolicy(&OrgPolicy{Org: org, Seq: seq, Retention: ret, Issued: t0}, admin)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if f.dir.Policy(org) != nil {
		t.Fatal("policy before any was published")
	}
	if _, err := SignOrgPolicy(&OrgPolicy{Org: org, Seq: 1, Retention: time.Hour, Issued: t0}, f.landlord.admin); !errors.Is(err, ErrMalformed) {
		t.Fatalf("retention below a day: %v", err)
	}
	if _, err := f.dir.Add(sign(1, 90*24*time.Hour, f.provider.admin), t0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("policy by another organisation's admin: %v", err)
	}
	if kind, err := f.dir.Add(sign(2, 90*24*time.Hour, f.landlord.admin), t0); err != nil || kind != TypeOrgPolicy {
		t.Fatalf("policy: %s %v", kind, err)
	}
	if _, err := f.dir.Add(sign(1, 30*24*time.Hour, f.landlord.admin), t0); err != nil {
		t.Fatalf("stale policy: %v", err)
	}
	if p := f.dir.Policy(org); p == nil || p.Seq != 2 || p.Retention != 90*24*time.Hour {
		t.Fatalf("policy = %+v", p)
	}
	if _, err := VerifyOrgPolicy(sign(3, 24*time.Hour, f.landlord.admin), f.provider.cert); !errors.Is(err, ErrWrongOrg) {
		t.Fatalf("policy checked against another org: %v", err)
	}
	// A renewal of the org cert keeps the policy; a revocation ends changes.
	c := *f.landlord.cert
	c.Issued = c.Issued.Add(time.Hour)
	b, err := SignOrgCert(&c, f.roots[:2])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(b, t0); err != nil {
		t.Fatal(err)
	}
	if p := f.dir.Policy(org); p == nil || p.Seq != 2 {
		t.Fatalf("policy after renewal = %+v", p)
	}
	rev, err := SignOrgRevocation(&Revocation{Org: org, RevokedAt: t0, Reason: "left"}, f.roots[:2])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(rev, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(sign(3, 24*time.Hour, f.landlord.admin), t0); !errors.Is(err, ErrRevoked) {
		t.Fatalf("policy of a removed org: %v", err)
	}
}
