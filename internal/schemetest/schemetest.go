// Package schemetest builds real, fully signed schemes in memory for tests:
// scheme roots, organisations with admin keys, and enrolled devices, using
// the same crypto package as production. Nothing here is a stand-in: every
// certificate verifies up to the scheme's roots.
package schemetest

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
)

// Scheme is a test scheme with its root private keys and every signed
// directory object created so far, in the order a relay should publish them.
type Scheme struct {
	Scheme  *crypto.Scheme
	Roots   []ed25519.PrivateKey
	Objects [][]byte
	// Now is the time certificates are issued at.
	Now time.Time
}

// Org is an organisation in a test scheme.
type Org struct {
	s     *Scheme
	ID    crypto.OrgID
	Cert  *crypto.OrgCert
	Admin ed25519.PrivateKey
	Raw   []byte
}

// Device is an enrolled device in a test scheme.
type Device struct {
	Org     *Org
	Secrets *crypto.DeviceSecrets
	Keys    *crypto.DeviceKeys
	Cert    *crypto.DeviceCert
	Raw     []byte
}

// New returns a scheme with n root keys of which k must sign an
// organisation certificate.
func New(t testing.TB, n, k int) *Scheme {
	t.Helper()
	s := &Scheme{Now: time.Now().Truncate(time.Second)}
	var roots []string
	for range n {
		key, err := crypto.GenerateSigningKey(rand.Reader)
		if err != nil {
			t.Fatalf("generate root key: %v", err)
		}
		s.Roots = append(s.Roots, key)
		roots = append(roots, crypto.EncodePublicKey(key.Public().(ed25519.PublicKey)))
	}
	raw := &crypto.Scheme{Name: "Kent and Medway Domestic Abuse Reciprocal (test)", Roots: roots, Threshold: k}
	b, err := raw.Marshal()
	if err != nil {
		t.Fatalf("marshal scheme: %v", err)
	}
	if s.Scheme, err = crypto.ParseScheme(b); err != nil {
		t.Fatalf("parse scheme: %v", err)
	}
	return s
}

// File writes a fresh one-root scheme to scheme.json in a new temporary
// directory and returns its path, for tests of commands that only need a
// scheme file.
func File(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scheme.json")
	New(t, 1, 1).WriteFile(t, path)
	return path
}

// WriteFile writes the scheme, as the coordinator hands it out
// (scheme.json), to path.
func (s *Scheme) WriteFile(t testing.TB, path string) {
	t.Helper()
	b, err := s.Scheme.Marshal()
	if err != nil {
		t.Fatalf("marshal scheme: %v", err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatalf("write scheme file: %v", err)
	}
}

// AddOrg admits an organisation, signed by the scheme's first Threshold
// roots.
func (s *Scheme) AddOrg(t testing.TB, name string, kind crypto.OrgKind, districts ...string) *Org {
	t.Helper()
	id, err := crypto.NewOrgID(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := crypto.GenerateSigningKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := &crypto.OrgCert{
		Org: id, Name: name, Kind: kind, Districts: districts,
		AdminKeys: []ed25519.PublicKey{admin.Public().(ed25519.PublicKey)},
		NotBefore: s.Now.Add(-time.Hour), NotAfter: s.Now.Add(365 * 24 * time.Hour), Issued: s.Now,
	}
	raw, err := crypto.SignOrgCert(c, s.Roots[:s.Scheme.Threshold])
	if err != nil {
		t.Fatalf("sign org cert: %v", err)
	}
	s.Objects = append(s.Objects, raw)
	return &Org{s: s, ID: id, Cert: c, Admin: admin, Raw: raw}
}

// AddDevice enrols a device in the organisation, signed by its admin key.
func (o *Org) AddDevice(t testing.TB, name string) *Device {
	t.Helper()
	sec, err := crypto.GenerateDeviceSecrets(rand.Reader, o.ID, name, o.s.Now)
	if err != nil {
		t.Fatalf("generate device secrets: %v", err)
	}
	keys, err := sec.Keys()
	if err != nil {
		t.Fatal(err)
	}
	rcpt, err := sec.Recipient()
	if err != nil {
		t.Fatal(err)
	}
	c := &crypto.DeviceCert{
		Device: sec.Device, Org: o.ID, Name: name, SigningKey: sec.SigningKey(), Recipient: rcpt,
		NotBefore: o.s.Now.Add(-time.Hour), NotAfter: o.s.Now.Add(365 * 24 * time.Hour), Issued: o.s.Now,
	}
	raw, err := crypto.SignDeviceCert(c, o.Admin)
	if err != nil {
		t.Fatalf("sign device cert: %v", err)
	}
	o.s.Objects = append(o.s.Objects, raw)
	return &Device{Org: o, Secrets: sec, Keys: keys, Cert: c, Raw: raw}
}

// Revoke returns a signed revocation of d, dated at, and records it.
func (d *Device) Revoke(t testing.TB, at time.Time, reason string) []byte {
	t.Helper()
	raw, err := crypto.SignDeviceRevocation(&crypto.Revocation{
		Org: d.Org.ID, Device: d.Secrets.Device, RevokedAt: at, Reason: reason,
	}, d.Org.Admin)
	if err != nil {
		t.Fatalf("sign revocation: %v", err)
	}
	d.Org.s.Objects = append(d.Org.s.Objects, raw)
	return raw
}

// Directory returns a client-side directory holding every object so far.
func (s *Scheme) Directory(t testing.TB) *crypto.Directory {
	t.Helper()
	dir := crypto.NewDirectory(s.Scheme)
	for i, b := range s.Objects {
		if _, err := dir.Add(b, s.Now); err != nil {
			t.Fatalf("add object %d: %v", i, err)
		}
	}
	return dir
}

// Seal seals payload from d to every current device of mailbox in dir.
func (d *Device) Seal(t testing.TB, dir *crypto.Directory, mailbox crypto.OrgID, payloadType string, payload []byte) *crypto.Envelope {
	t.Helper()
	var to []crypto.Recipient
	for _, r := range dir.Recipients(mailbox, time.Now()) {
		if r.Device != d.Secrets.Device {
			to = append(to, r)
		}
	}
	env, err := crypto.Seal(d.Keys, mailbox, to, &crypto.Packet{PayloadType: payloadType, Payload: payload}, crypto.SealOptions{})
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return env
}

// ForgeDeviceCert returns a copy of cert whose signing key is a fresh
// attacker key, signed by that key instead of the organisation's admin:
// what a relay operator rewriting its log would swap in. It does not
// verify.
func ForgeDeviceCert(t testing.TB, cert *crypto.DeviceCert) []byte {
	t.Helper()
	attacker, err := crypto.GenerateSigningKey(rand.Reader)
	if err != nil {
		t.Fatalf("generate attacker key: %v", err)
	}
	c := *cert
	c.SigningKey = attacker.Public().(ed25519.PublicKey)
	forged, err := crypto.SignDeviceCert(&c, attacker)
	if err != nil {
		t.Fatalf("sign forged device cert: %v", err)
	}
	return forged
}
