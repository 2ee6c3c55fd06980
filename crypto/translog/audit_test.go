package translog

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/schemetest"
)

// auditScheme is a refuge and a landlord with devices, one key update and
// one revocation, as directory objects in publication order.
type auditScheme struct {
	*schemetest.Scheme
	refuge, landlord *schemetest.Org
	laptop, officer  *schemetest.Device
}

func newAuditScheme(t testing.TB) *auditScheme {
	s := &auditScheme{Scheme: schemetest.New(t, 2, 2)}
	s.refuge = s.AddOrg(t, "Harbour Refuge", crypto.KindProvider)
	s.landlord = s.AddOrg(t, "Weald Homes", crypto.KindLandlord, "Maidstone")
	s.laptop = s.refuge.AddDevice(t, "Refuge caseworker laptop")
	s.officer = s.landlord.AddDevice(t, "Weald liaison officer")
	lost := s.landlord.AddDevice(t, "Lost phone")
	// The laptop rotates its encryption key.
	upd, err := s.laptop.Secrets.Rotate(s.Now.Add(time.Minute))
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	s.Objects = append(s.Objects, upd)
	lost.Revoke(t, s.Now.Add(2*time.Minute), "phone lost on the train")
	return s
}

func logOf(t *testing.T, objs [][]byte) *Log {
	t.Helper()
	s, vkey := testKey(t, 0)
	l, err := NewLog(s, vkey)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if _, err := l.Append(o); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func TestAuditHonestLog(t *testing.T) {
	s := newAuditScheme(t)
	l := logOf(t, s.Objects)
	rep, err := Audit(s.Scheme.Scheme, l.VerifierKey(), mustCheckpoint(t, l, l.Size()), s.Objects)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	if !rep.OK() || len(rep.Entries) != len(s.Objects) {
		for _, e := range rep.Entries {
			t.Logf("%d %s %v", e.Index, e.Kind, e.Err)
		}
		t.Fatalf("audit of an honest log: %d of %d failed", rep.Failed, len(rep.Entries))
	}
	kinds := []string{"org-cert", "org-cert", "device-cert", "device-cert", "device-cert", "key-update", "revocation"}
	for i, e := range rep.Entries {
		if e.Kind != kinds[i] || e.Index != int64(i) {
			t.Errorf("entry %d is %s, want %s", i, e.Kind, kinds[i])
		}
	}
	// The refuge's history: admitted, laptop approved, laptop's key rotated.
	h := rep.History(s.refuge.ID, crypto.DeviceID{})
	if len(h) != 3 || h[0].Kind != "org-cert" || h[1].Kind != "device-cert" || h[2].Kind != "key-update" {
		t.Fatalf("refuge history: %+v", h)
	}
	if h[2].Org != s.refuge.ID || h[2].Name != "Refuge caseworker laptop" || !strings.Contains(h[2].Detail, "encryption key 1") {
		t.Fatalf("key update entry: %+v", h[2])
	}
	if !strings.Contains(h[1].Detail, crypto.DeviceFingerprint(s.laptop.Cert.SigningKey)) {
		t.Fatalf("device entry lacks its fingerprint: %s", h[1].Detail)
	}
	if !strings.Contains(h[0].Detail, crypto.OrgFingerprint(s.refuge.Cert)) {
		t.Fatalf("org entry lacks its fingerprint: %s", h[0].Detail)
	}
	dh := rep.History(s.landlord.ID, s.officer.Secrets.Device)
	if len(dh) != 1 || dh[0].Kind != "device-cert" {
		t.Fatalf("officer history: %+v", dh)
	}
	lh := rep.History(s.landlord.ID, crypto.DeviceID{})
	if last := lh[len(lh)-1]; last.Kind != "revocation" || !strings.Contains(last.Detail, "phone lost") {
		t.Fatalf("landlord history ends with %+v", last)
	}
	if _, err := rep.Directory.Device(s.officer.Secrets.Device); err != nil {
		t.Fatalf("audited directory: %v", err)
	}
}

// TestAuditCatchesSubstitutedKey: a relay that swaps a device certificate
// for one it made up is caught whether it signs the tampered log (the
// entry fails verification) or not (the tree does not match).
func TestAuditCatchesSubstitutedKey(t *testing.T) {
	s := newAuditScheme(t)
	honest := logOf(t, s.Objects)
	cp := mustCheckpoint(t, honest, honest.Size())

	// A certificate for the officer's device id with the relay's own key,
	// signed by a key that is not Weald's admin.
	rogueAdmin, _ := crypto.GenerateSigningKey(rand.Reader)
	c := *s.officer.Cert
	c.SigningKey = rogueAdmin.Public().(ed25519.PublicKey)
	forged, err := crypto.SignDeviceCert(&c, rogueAdmin)
	if err != nil {
		t.Fatal(err)
	}
	tampered := append([][]byte(nil), s.Objects...)
	tampered[3] = forged

	if _, err := Audit(s.Scheme.Scheme, honest.VerifierKey(), cp, tampered); !errors.Is(err, ErrTreeMismatch) {
		t.Fatalf("tampered entries against the honest checkpoint: %v", err)
	}
	// The relay signs its tampered log: the tree checks, the entry does not.
	bad := &Log{tree: NewTree(), signer: honest.signer, verifierKey: honest.verifierKey}
	for _, o := range tampered {
		bad.Append(o)
	}
	rep, err := Audit(s.Scheme.Scheme, honest.VerifierKey(), mustCheckpoint(t, bad, bad.Size()), tampered)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	if rep.OK() || rep.Failed != 1 || !errors.Is(rep.Entries[3].Err, crypto.ErrBadSignature) {
		t.Fatalf("forged certificate: failed %d, entry 3: %v", rep.Failed, rep.Entries[3].Err)
	}
	// Too few entries, or a checkpoint by another key.
	if _, err := Audit(s.Scheme.Scheme, honest.VerifierKey(), cp, s.Objects[:3]); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("short log: %v", err)
	}
	other := logOf(t, s.Objects)
	if _, err := Audit(s.Scheme.Scheme, honest.VerifierKey(), mustCheckpoint(t, other, other.Size()), s.Objects); !errors.Is(err, ErrBadCheckpoint) {
		t.Fatalf("checkpoint by another key: %v", err)
	}
	// Garbage entries are reported, not fatal.
	junk := append(append([][]byte(nil), s.Objects...), []byte("junk"))
	jl := &Log{tree: NewTree(), signer: honest.signer, verifierKey: honest.verifierKey}
	for _, o := range junk {
		jl.Append(o)
	}
	rep, err = Audit(s.Scheme.Scheme, honest.VerifierKey(), mustCheckpoint(t, jl, jl.Size()), junk)
	if err != nil || rep.Failed != 1 || rep.Entries[len(junk)-1].Kind != "" {
		t.Fatalf("junk entry: %v, %+v", err, rep)
	}
}

// TestAuditFollowsRotations audits a log holding a root rotation, an
// admin key rotation signed by the old admin key and a retention policy,
// from the original scheme and from the scheme file a new member gets.
func TestAuditFollowsRotations(t *testing.T) {
	s := newAuditScheme(t)
	next, err := crypto.GenerateSigningKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	prev := []ed25519.PublicKey{}
	for _, r := range s.Roots {
		prev = append(prev, r.Public().(ed25519.PublicKey))
	}
	up, err := crypto.SignSchemeUpdate(&crypto.SchemeUpdate{Seq: 1, PrevRoots: prev, PrevThreshold: 2,
		Roots: []ed25519.PublicKey{next.Public().(ed25519.PublicKey)}, Threshold: 1, Issued: s.Now.Add(time.Hour)}, s.Roots, []ed25519.PrivateKey{next})
	if err != nil {
		t.Fatal(err)
	}
	newAdmin, err := crypto.GenerateSigningKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := *s.landlord.Cert
	c.AdminKeys = []ed25519.PublicKey{newAdmin.Public().(ed25519.PublicKey)}
	c.Issued = c.Issued.Add(2 * time.Hour)
	reissue, err := crypto.SignOrgCertByAdmin(&c, s.landlord.Admin, []ed25519.PrivateKey{newAdmin})
	if err != nil {
		t.Fatal(err)
	}
	policy, err := crypto.SignOrgPolicy(&crypto.OrgPolicy{Org: c.Org, Seq: 1, Retention: 90 * 24 * time.Hour, Issued: c.Issued}, newAdmin)
	if err != nil {
		t.Fatal(err)
	}
	// An org cert signed by the old roots after the rotation fails.
	late := *s.refuge.Cert
	late.Issued = late.Issued.Add(3 * time.Hour)
	stale, err := crypto.SignOrgCert(&late, s.Roots)
	if err != nil {
		t.Fatal(err)
	}
	objs := append(append([][]byte{}, s.Objects...), up, reissue, policy, stale)
	l := logOf(t, objs)
	rep, err := Audit(s.Scheme.Scheme, l.VerifierKey(), mustCheckpoint(t, l, l.Size()), objs)
	if err != nil {
		t.Fatal(err)
	}
	n := len(s.Objects)
	if rep.Failed != 1 || rep.Entries[n+3].Err == nil || !errors.Is(rep.Entries[n+3].Err, crypto.ErrUnknownRoot) {
		t.Fatalf("audit: %d failed, last: %v", rep.Failed, rep.Entries[n+3].Err)
	}
	if e := rep.Entries[n]; e.Kind != crypto.TypeSchemeUpdate || !strings.Contains(e.Detail, "scheme roots rotated (update 1); 1 of 1 roots") {
		t.Fatalf("scheme update entry: %+v", e)
	}
	if e := rep.Entries[n+1]; !strings.Contains(e.Detail, "admin keys replaced by the organisation's admin") {
		t.Fatalf("admin rotation entry: %+v", e)
	}
	if e := rep.Entries[n+2]; e.Kind != crypto.TypeOrgPolicy || !strings.Contains(e.Detail, "kept 90 days") || e.Org != c.Org {
		t.Fatalf("policy entry: %+v", e)
	}
	if p := rep.Directory.Policy(c.Org); p == nil || p.Retention != 90*24*time.Hour {
		t.Fatalf("policy = %+v", p)
	}
	// The new member's scheme file audits the same log the same way.
	b, err := rep.Directory.Scheme().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := crypto.ParseScheme(b)
	if err != nil {
		t.Fatal(err)
	}
	rep2, err := Audit(fresh, l.VerifierKey(), mustCheckpoint(t, l, l.Size()), objs)
	if err != nil || rep2.Failed != 1 || len(rep2.Directory.Orgs()) != 2 {
		t.Fatalf("audit from the rotated scheme: %v, %d failed", err, rep2.Failed)
	}
}
