package crypto

import (
	"crypto/ed25519"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"filippo.io/age"
)

// t0 is the fixed "now" of the tests.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// detRand returns a deterministic byte stream for reproducible keys and ids.
func detRand(seed byte) io.Reader {
	var s [32]byte
	for i := range s {
		s[i] = seed
	}
	return rand.NewChaCha8(s)
}

// testDevice is one enrolled device with its private keys.
type testDevice struct {
	secrets *DeviceSecrets
	keys    *DeviceKeys
	cert    *DeviceCert
	raw     []byte // signed device cert
}

func (d *testDevice) recipient() Recipient {
	return Recipient{Device: d.keys.Device, Key: d.keys.Encryption[0].Recipient().String()}
}

// testOrg is one admitted organisation with its admin key.
type testOrg struct {
	admin ed25519.PrivateKey
	cert  *OrgCert
	raw   []byte
}

// fixture is a small scheme: three roots with threshold two, a provider
// with one device and a landlord with two.
type fixture struct {
	scheme   *Scheme
	roots    []ed25519.PrivateKey
	provider *testOrg
	landlord *testOrg
	p1       *testDevice
	l1, l2   *testDevice
	dir      *Directory
}

func mustSigningKey(t testing.TB, r io.Reader) ed25519.PrivateKey {
	t.Helper()
	k, err := GenerateSigningKey(r)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	r := detRand(1)
	f := &fixture{}
	for range 3 {
		f.roots = append(f.roots, mustSigningKey(t, r))
	}
	f.scheme = &Scheme{Name: "Kent and Medway reciprocal", Threshold: 2}
	for _, k := range f.roots {
		f.scheme.Roots = append(f.scheme.Roots, EncodePublicKey(publicOf(k)))
	}
	if err := f.scheme.validate(); err != nil {
		t.Fatal(err)
	}
	f.dir = NewDirectory(f.scheme)
	f.provider = f.newOrg(t, r, "Safe Haven Refuge", KindProvider, []string{"Maidstone"})
	f.landlord = f.newOrg(t, r, "Medway Homes", KindLandlord, []string{"Medway", "Swale"})
	f.p1 = f.newDevice(t, r, f.provider, "Refuge laptop 1")
	f.l1 = f.newDevice(t, r, f.landlord, "Liaison laptop A")
	f.l2 = f.newDevice(t, r, f.landlord, "Liaison laptop B")
	return f
}

func (f *fixture) newOrg(t testing.TB, r io.Reader, name string, kind OrgKind, districts []string) *testOrg {
	t.Helper()
	id, err := NewOrgID(r)
	if err != nil {
		t.Fatal(err)
	}
	o := &testOrg{admin: mustSigningKey(t, r)}
	o.cert = &OrgCert{
		Org: id, Name: name, Kind: kind, Districts: districts,
		AdminKeys: []ed25519.PublicKey{publicOf(o.admin)},
		NotBefore: t0.AddDate(0, -1, 0), NotAfter: t0.AddDate(1, 0, 0), Issued: t0.AddDate(0, -1, 0),
	}
	if o.raw, err = SignOrgCert(o.cert, f.roots[:2]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(o.raw, t0); err != nil {
		t.Fatal(err)
	}
	return o
}

func (f *fixture) newDevice(t testing.TB, r io.Reader, org *testOrg, name string) *testDevice {
	t.Helper()
	s, err := GenerateDeviceSecrets(r, org.cert.Org, name, t0)
	if err != nil {
		t.Fatal(err)
	}
	return f.enrol(t, org, s)
}

func (f *fixture) enrol(t testing.TB, org *testOrg, s *DeviceSecrets) *testDevice {
	t.Helper()
	d := &testDevice{secrets: s}
	var err error
	if d.keys, err = s.Keys(); err != nil {
		t.Fatal(err)
	}
	d.cert = &DeviceCert{
		Device: s.Device, Org: org.cert.Org, Name: s.Name, SigningKey: s.SigningKey(),
		Recipient: d.keys.Encryption[0].Recipient().String(),
		NotBefore: t0.AddDate(0, 0, -7), NotAfter: t0.AddDate(0, 6, 0), Issued: t0.AddDate(0, 0, -7),
	}
	if d.raw, err = SignDeviceCert(d.cert, org.admin); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(d.raw, t0); err != nil {
		t.Fatal(err)
	}
	return d
}

// landlordRecipients is the recipient list of the landlord's mailbox.
func (f *fixture) landlordRecipients() []Recipient {
	return []Recipient{f.l1.recipient(), f.l2.recipient()}
}

// seal seals a small referral from p1 to the landlord's devices.
func (f *fixture) seal(t testing.TB, payload string) *Envelope {
	t.Helper()
	e, err := Seal(f.p1.keys, f.landlord.cert.Org, f.landlordRecipients(),
		&Packet{PayloadType: "referral", Payload: []byte(payload), Checkpoint: []byte("cp"), CertIndex: 7},
		SealOptions{Now: t0, TTL: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func ids(d *testDevice) []age.Identity { return d.keys.Identities() }
