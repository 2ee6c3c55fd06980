package crypto

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestIDs(t *testing.T) {
	id, err := NewDeviceID(detRand(3))
	if err != nil {
		t.Fatal(err)
	}
	s := id.String()
	if len(s) != 32 || strings.ToLower(s) != s {
		t.Fatalf("String() = %q", s)
	}
	back, err := ParseDeviceID(s)
	if err != nil || back != id {
		t.Fatalf("ParseDeviceID = %v, %v", back, err)
	}
	if _, err := ParseOrgID(strings.ToUpper(s)); !errors.Is(err, ErrMalformed) {
		t.Errorf("upper case accepted: %v", err)
	}
	if _, err := ParseEnvelopeID(s[:30]); !errors.Is(err, ErrMalformed) {
		t.Errorf("short accepted: %v", err)
	}
	if _, err := ParseEnvelopeID(s[:31] + "g"); !errors.Is(err, ErrMalformed) {
		t.Errorf("non-hex accepted: %v", err)
	}
	e, err := NewEnvelopeID(nil)
	if err != nil || e == (EnvelopeID{}) {
		t.Fatalf("NewEnvelopeID = %v, %v", e, err)
	}
	if e2, err := ParseEnvelopeID(e.String()); err != nil || e2 != e {
		t.Fatalf("ParseEnvelopeID = %v, %v", e2, err)
	}
	if _, err := NewOrgID(strings.NewReader("short")); err == nil {
		t.Fatal("short random source accepted")
	}
}

func TestPublicKeyText(t *testing.T) {
	k := publicOf(mustSigningKey(t, detRand(4)))
	s := EncodePublicKey(k)
	if !strings.HasPrefix(s, "ed25519:") || strings.ContainsAny(s, "=+/") {
		t.Fatalf("EncodePublicKey = %q", s)
	}
	back, err := ParsePublicKey(s)
	if err != nil || !back.Equal(k) {
		t.Fatalf("ParsePublicKey = %v, %v", back, err)
	}
	for _, bad := range []string{"", s[8:], "ed25519:" + s[9:], s + "A", "ed25519:AAAA", "x25519:" + s[8:], s[:len(s)-1] + "!"} {
		if _, err := ParsePublicKey(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParsePublicKey(%q) = %v", bad, err)
		}
	}
	id := KeyID(k)
	if id == ([8]byte{}) || KeyID(publicOf(mustSigningKey(t, detRand(5)))) == id {
		t.Fatal("KeyID not distinct")
	}
}

func TestScheme(t *testing.T) {
	f := newFixture(t)
	b, err := f.scheme.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseScheme(b)
	if err != nil {
		t.Fatal(err)
	}
	if s.RotationDays != 7 || s.GraceDays != 30 || s.MailboxTTLDays != 30 || s.Threshold != 2 {
		t.Fatalf("defaults not filled: %+v", s)
	}
	// The fingerprint survives reformatting and root order, not a change of
	// threshold or roots.
	fp := s.Fingerprint()
	if len(fp) != 35 {
		t.Fatalf("fingerprint %q", fp)
	}
	compact := `{"name":"x","roots":["` + s.Roots[2] + `","` + s.Roots[0] + `","` + s.Roots[1] + `"],"threshold":2}`
	s2, err := ParseScheme([]byte(compact))
	if err != nil {
		t.Fatal(err)
	}
	if s2.Fingerprint() != fp {
		t.Fatal("fingerprint depends on formatting or order")
	}
	s2.Threshold = 3
	if s2.Fingerprint() == fp {
		t.Fatal("fingerprint ignores threshold")
	}
	s2.Threshold, s2.Roots = 2, s2.Roots[:2]
	if s2.Fingerprint() == fp {
		t.Fatal("fingerprint ignores a root")
	}
	r := s.Roots[0]
	bad := map[string]string{
		"no roots":        `{"name":"x","roots":[],"threshold":1}`,
		"threshold 0":     `{"name":"x","roots":["` + r + `"],"threshold":0}`,
		"threshold > n":   `{"name":"x","roots":["` + r + `"],"threshold":2}`,
		"duplicate root":  `{"name":"x","roots":["` + r + `","` + r + `"],"threshold":1}`,
		"bad root":        `{"name":"x","roots":["ed25519:AAAA"],"threshold":1}`,
		"grace below ttl": `{"name":"x","roots":["` + r + `"],"threshold":1,"grace_days":10,"mailbox_ttl_days":20}`,
		"negative":        `{"name":"x","roots":["` + r + `"],"threshold":1,"rotation_days":-1}`,
		"unknown field":   `{"name":"x","roots":["` + r + `"],"threshold":1,"extra":1}`,
		"no name":         `{"roots":["` + r + `"],"threshold":1}`,
		"trailing":        `{"name":"x","roots":["` + r + `"],"threshold":1} {}`,
		"not json":        `roots`,
	}
	for name, in := range bad {
		if _, err := ParseScheme([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: ParseScheme = %v", name, err)
		}
	}
}

func TestVerifyOrgCert(t *testing.T) {
	f := newFixture(t)
	c, err := f.scheme.VerifyOrgCert(f.landlord.raw, t0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Org != f.landlord.cert.Org || c.Name != "Medway Homes" || c.Kind != KindLandlord ||
		len(c.Districts) != 2 || !c.AdminKeys[0].Equal(publicOf(f.landlord.admin)) || !c.NotAfter.Equal(f.landlord.cert.NotAfter) {
		t.Fatalf("VerifyOrgCert = %+v", c)
	}
	stranger := mustSigningKey(t, detRand(6))
	sign := func(c OrgCert, keys ...ed25519.PrivateKey) []byte {
		b, err := SignOrgCert(&c, keys)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base := *f.landlord.cert
	all3 := sign(base, f.roots...)
	if _, err := f.scheme.VerifyOrgCert(all3, t0); err != nil {
		t.Fatalf("3 of 3: %v", err)
	}
	if _, err := f.scheme.VerifyOrgCert(sign(base, f.roots[2], stranger, f.roots[0]), t0); err != nil {
		t.Fatalf("2 roots plus a non-root: %v", err)
	}
	sd, err := ParseSigned(all3, TypeOrgCert)
	if err != nil {
		t.Fatal(err)
	}
	sd.Sigs[1].Sig[0] ^= 1
	badSig, _ := sd.Marshal()
	asDevice, _ := (&Signed{Type: TypeDeviceCert, Body: sd.Body, Sigs: sd.Sigs[:1]}).Marshal()
	bodyEdited := *sd
	bodyEdited.Body = append([]byte(nil), sd.Body...)
	bodyEdited.Body[len(bodyEdited.Body)-1] ^= 1
	editedBody, _ := bodyEdited.Marshal()

	tests := []struct {
		name string
		b    []byte
		now  time.Time
		want error
	}{
		{"unknown root", sign(base, stranger), t0, ErrUnknownRoot},
		{"below threshold", sign(base, f.roots[1]), t0, ErrBelowThreshold},
		{"below threshold with stranger", sign(base, f.roots[1], stranger), t0, ErrBelowThreshold},
		{"bad signature", badSig, t0, ErrBadSignature},
		{"edited body", editedBody, t0, ErrBadSignature},
		{"expired", f.landlord.raw, base.NotAfter.Add(time.Second), ErrExpired},
		{"not yet valid", f.landlord.raw, base.NotBefore.Add(-time.Second), ErrNotYetValid},
		{"device cert type", f.p1.raw, t0, ErrMalformed},
		{"type relabelled", asDevice, t0, ErrMalformed},
		{"garbage", []byte{0xa0}, t0, ErrMalformed},
	}
	for _, tt := range tests {
		if _, err := f.scheme.VerifyOrgCert(tt.b, tt.now); !errors.Is(err, tt.want) {
			t.Errorf("%s: VerifyOrgCert = %v, want %v", tt.name, err, tt.want)
		}
	}
	// Exactly at the bounds the cert is valid.
	for _, at := range []time.Time{base.NotBefore, base.NotAfter} {
		if _, err := f.scheme.VerifyOrgCert(f.landlord.raw, at); err != nil {
			t.Errorf("at %s: %v", at, err)
		}
	}
	// Invalid certificates cannot be signed.
	for name, mod := range map[string]func(c *OrgCert){
		"kind":       func(c *OrgCert) { c.Kind = "council" },
		"no admin":   func(c *OrgCert) { c.AdminKeys = nil },
		"dup admin":  func(c *OrgCert) { c.AdminKeys = append(c.AdminKeys, c.AdminKeys[0]) },
		"short key":  func(c *OrgCert) { c.AdminKeys = []ed25519.PublicKey{{1, 2}} },
		"no name":    func(c *OrgCert) { c.Name = "" },
		"control":    func(c *OrgCert) { c.Name = "a\nb" },
		"zero org":   func(c *OrgCert) { c.Org = OrgID{} },
		"backwards":  func(c *OrgCert) { c.NotAfter = c.NotBefore },
		"district":   func(c *OrgCert) { c.Districts = []string{""} },
		"dup signer": nil,
	} {
		c := base
		c.AdminKeys = append([]ed25519.PublicKey(nil), base.AdminKeys...)
		keys := f.roots[:2]
		if mod == nil {
			keys = []ed25519.PrivateKey{f.roots[0], f.roots[0]}
		} else {
			mod(&c)
		}
		if _, err := SignOrgCert(&c, keys); err == nil {
			t.Errorf("%s: SignOrgCert accepted an invalid certificate", name)
		}
	}
}

func TestVerifyDeviceCert(t *testing.T) {
	f := newFixture(t)
	c, err := VerifyDeviceCert(f.l1.raw, f.landlord.cert, t0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Device != f.l1.keys.Device || c.Org != f.landlord.cert.Org || !c.SigningKey.Equal(publicOf(f.l1.keys.Signing)) ||
		c.Recipient != f.l1.recipient().Key || c.Name != "Liaison laptop A" {
		t.Fatalf("VerifyDeviceCert = %+v", c)
	}
	// Signed by the provider's admin for a landlord device.
	cross := *f.l1.cert
	crossRaw, err := SignDeviceCert(&cross, f.provider.admin)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		b    []byte
		org  *OrgCert
		now  time.Time
		want error
	}{
		{"wrong org", f.l1.raw, f.provider.cert, t0, ErrWrongOrg},
		{"other org's admin", crossRaw, f.landlord.cert, t0, ErrBadSignature},
		{"expired", f.l1.raw, f.landlord.cert, f.l1.cert.NotAfter.Add(time.Second), ErrExpired},
		{"not yet valid", f.l1.raw, f.landlord.cert, f.l1.cert.NotBefore.Add(-time.Second), ErrNotYetValid},
		{"org cert", f.landlord.raw, f.landlord.cert, t0, ErrMalformed},
	}
	for _, tt := range tests {
		if _, err := VerifyDeviceCert(tt.b, tt.org, tt.now); !errors.Is(err, tt.want) {
			t.Errorf("%s: VerifyDeviceCert = %v, want %v", tt.name, err, tt.want)
		}
	}
	bad := *f.l1.cert
	bad.Recipient = "age1xyz"
	if _, err := SignDeviceCert(&bad, f.landlord.admin); !errors.Is(err, ErrMalformed) {
		t.Errorf("non-hybrid recipient signed: %v", err)
	}
}

func TestRevocations(t *testing.T) {
	f := newFixture(t)
	orgRev := &Revocation{Org: f.landlord.cert.Org, RevokedAt: t0, Reason: "left the scheme"}
	b, err := SignOrgRevocation(orgRev, f.roots[1:])
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.scheme.VerifyOrgRevocation(b)
	if err != nil || r.Org != orgRev.Org || !r.IsOrg() || r.Reason != orgRev.Reason || !r.RevokedAt.Equal(t0) {
		t.Fatalf("VerifyOrgRevocation = %+v, %v", r, err)
	}
	one, err := SignOrgRevocation(orgRev, f.roots[:1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.scheme.VerifyOrgRevocation(one); !errors.Is(err, ErrBelowThreshold) {
		t.Errorf("one root: %v", err)
	}
	byAdmin, err := signRevocation(orgRev, []ed25519.PrivateKey{f.landlord.admin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.scheme.VerifyOrgRevocation(byAdmin); !errors.Is(err, ErrUnknownRoot) {
		t.Errorf("org revocation by admin: %v", err)
	}
	devRev := &Revocation{Org: f.landlord.cert.Org, Device: f.l1.keys.Device, RevokedAt: t0}
	db, err := SignDeviceRevocation(devRev, f.landlord.admin)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := VerifyDeviceRevocation(db, f.landlord.cert); err != nil || r.Device != f.l1.keys.Device {
		t.Fatalf("VerifyDeviceRevocation = %+v, %v", r, err)
	}
	if _, err := VerifyDeviceRevocation(db, f.provider.cert); !errors.Is(err, ErrWrongOrg) {
		t.Errorf("wrong org: %v", err)
	}
	forged, err := SignDeviceRevocation(devRev, f.provider.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyDeviceRevocation(forged, f.landlord.cert); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other admin: %v", err)
	}
	if _, err := VerifyDeviceRevocation(b, f.landlord.cert); !errors.Is(err, ErrMalformed) {
		t.Errorf("org revocation as device revocation: %v", err)
	}
	if _, err := f.scheme.VerifyOrgRevocation(db); !errors.Is(err, ErrMalformed) {
		t.Errorf("device revocation as org revocation: %v", err)
	}
	if _, err := SignOrgRevocation(devRev, f.roots); err == nil {
		t.Error("SignOrgRevocation with a device")
	}
	if _, err := SignDeviceRevocation(orgRev, f.landlord.admin); err == nil {
		t.Error("SignDeviceRevocation without a device")
	}
}

func TestKeyUpdate(t *testing.T) {
	f := newFixture(t)
	u := &KeyUpdate{Device: f.l1.keys.Device, Seq: 1, Recipient: f.l2.recipient().Key, Created: t0}
	b, err := SignKeyUpdate(u, f.l1.keys.Signing)
	if err != nil {
		t.Fatal(err)
	}
	got, err := VerifyKeyUpdate(b, f.l1.cert)
	if err != nil || got.Seq != 1 || got.Recipient != u.Recipient || got.Device != u.Device || !got.Created.Equal(t0) {
		t.Fatalf("VerifyKeyUpdate = %+v, %v", got, err)
	}
	if _, err := VerifyKeyUpdate(b, f.l2.cert); !errors.Is(err, ErrUnknownDevice) {
		t.Errorf("other device's cert: %v", err)
	}
	byOther, err := SignKeyUpdate(u, f.l2.keys.Signing)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyKeyUpdate(byOther, f.l1.cert); !errors.Is(err, ErrBadSignature) {
		t.Errorf("signed by another device: %v", err)
	}
	if _, err := SignKeyUpdate(&KeyUpdate{Device: u.Device, Seq: 0, Recipient: u.Recipient}, f.l1.keys.Signing); !errors.Is(err, ErrMalformed) {
		t.Errorf("seq 0: %v", err)
	}
	// A signature over a key update does not verify as another type.
	sd, err := ParseSigned(b, TypeKeyUpdate)
	if err != nil {
		t.Fatal(err)
	}
	sd.Type = TypeDeviceCert
	relabelled, _ := sd.Marshal()
	if _, err := VerifyDeviceCert(relabelled, f.landlord.cert, t0); err == nil {
		t.Error("key update accepted as device cert")
	}
}

func TestFingerprints(t *testing.T) {
	f := newFixture(t)
	fp := DeviceFingerprint(f.l1.cert.SigningKey)
	groups := strings.Split(fp, " ")
	if len(groups) != 6 {
		t.Fatalf("fingerprint %q", fp)
	}
	for _, g := range groups {
		if len(g) != 5 || strings.Trim(g, "0123456789") != "" {
			t.Fatalf("fingerprint %q", fp)
		}
	}
	if DeviceFingerprint(f.l2.cert.SigningKey) == fp {
		t.Fatal("two devices share a fingerprint")
	}
	c := *f.landlord.cert
	ofp := OrgFingerprint(&c)
	second := publicOf(mustSigningKey(t, detRand(8)))
	c.AdminKeys = []ed25519.PublicKey{c.AdminKeys[0], second}
	two := OrgFingerprint(&c)
	c.AdminKeys = []ed25519.PublicKey{second, c.AdminKeys[0]}
	if OrgFingerprint(&c) != two || two == ofp {
		t.Fatal("org fingerprint depends on admin key order or ignores keys")
	}
	c.Name = "renamed"
	if OrgFingerprint(&c) != two {
		t.Fatal("org fingerprint depends on the name")
	}
	// Domain separation: a device and an org over the same bytes differ.
	if safetyNumber(deviceFingerprintDomain, []byte("k")) == safetyNumber(orgFingerprintDomain, []byte("k")) {
		t.Fatal("fingerprint domains collide")
	}
}

func TestParseSignedRejects(t *testing.T) {
	f := newFixture(t)
	sd, err := ParseSigned(f.l1.raw, "")
	if err != nil || sd.Type != TypeDeviceCert {
		t.Fatalf("ParseSigned = %v, %v", sd, err)
	}
	mk := func(s Signed) []byte {
		b, err := marshal(&s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sig := Signature{KeyID: [8]byte{1}, Sig: make([]byte, 64)}
	for name, b := range map[string][]byte{
		"unknown type":  mk(Signed{Type: "cheque", Body: []byte{0xa0}, Sigs: []Signature{sig}}),
		"no sigs":       mk(Signed{Type: TypeOrgCert, Body: []byte{0xa0}}),
		"short sig":     mk(Signed{Type: TypeOrgCert, Body: []byte{0xa0}, Sigs: []Signature{{Sig: []byte{1}}}}),
		"duplicate key": mk(Signed{Type: TypeOrgCert, Body: []byte{0xa0}, Sigs: []Signature{sig, sig}}),
		"too many sigs": mk(Signed{Type: TypeOrgCert, Body: []byte{0xa0}, Sigs: make([]Signature, MaxSignatures+1)}),
		"trailing":      append(append([]byte(nil), f.l1.raw...), 0),
	} {
		if _, err := ParseSigned(b, ""); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
