package crypto_test

import (
	"crypto/ed25519"
	"fmt"
	"log"
	"time"

	"github.com/saferef/saferef/crypto"
)

// enrol creates a device of org, signs its certificate with the org's admin
// key and adds it to dir.
func enrol(dir *crypto.Directory, org *crypto.OrgCert, admin ed25519.PrivateKey, name string, now time.Time) *crypto.DeviceKeys {
	s, err := crypto.GenerateDeviceSecrets(nil, org.Org, name, now)
	if err != nil {
		log.Fatal(err)
	}
	rcpt, err := s.Recipient()
	if err != nil {
		log.Fatal(err)
	}
	cert, err := crypto.SignDeviceCert(&crypto.DeviceCert{
		Device: s.Device, Org: org.Org, Name: name, SigningKey: s.SigningKey(), Recipient: rcpt,
		NotBefore: now, NotAfter: now.AddDate(1, 0, 0), Issued: now,
	}, admin)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := dir.Add(cert, now); err != nil {
		log.Fatal(err)
	}
	keys, err := s.Keys()
	if err != nil {
		log.Fatal(err)
	}
	return keys
}

// admit creates an organisation signed by the scheme root and adds it to dir.
func admit(dir *crypto.Directory, root ed25519.PrivateKey, name string, kind crypto.OrgKind, now time.Time) (*crypto.OrgCert, ed25519.PrivateKey) {
	id, err := crypto.NewOrgID(nil)
	if err != nil {
		log.Fatal(err)
	}
	admin, err := crypto.GenerateSigningKey(nil)
	if err != nil {
		log.Fatal(err)
	}
	c := &crypto.OrgCert{
		Org: id, Name: name, Kind: kind, Districts: []string{"Medway"},
		AdminKeys: []ed25519.PublicKey{admin.Public().(ed25519.PublicKey)},
		NotBefore: now, NotAfter: now.AddDate(1, 0, 0), Issued: now,
	}
	b, err := crypto.SignOrgCert(c, []ed25519.PrivateKey{root})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := dir.Add(b, now); err != nil {
		log.Fatal(err)
	}
	return c, admin
}

func newScheme() (*crypto.Scheme, ed25519.PrivateKey) {
	root, err := crypto.GenerateSigningKey(nil)
	if err != nil {
		log.Fatal(err)
	}
	b := []byte(`{"name": "Example scheme", "roots": ["` +
		crypto.EncodePublicKey(root.Public().(ed25519.PublicKey)) + `"], "threshold": 1}`)
	s, err := crypto.ParseScheme(b)
	if err != nil {
		log.Fatal(err)
	}
	return s, root
}

// ExampleDirectory builds a directory from signed objects: an organisation
// certificate signed by the scheme root, then device certificates signed by
// the organisation's admin key, then a revocation.
func ExampleDirectory() {
	now := time.Now()
	scheme, root := newScheme()
	dir := crypto.NewDirectory(scheme)
	landlord, admin := admit(dir, root, "Medway Homes", crypto.KindLandlord, now)
	enrol(dir, landlord, admin, "Liaison laptop A", now)
	lost := enrol(dir, landlord, admin, "Liaison laptop B", now)

	rev, err := crypto.SignDeviceRevocation(&crypto.Revocation{
		Org: landlord.Org, Device: lost.Device, RevokedAt: now, Reason: "laptop lost",
	}, admin)
	if err != nil {
		log.Fatal(err)
	}
	kind, err := dir.Add(rev, now)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("added", kind)
	for _, d := range dir.Devices(landlord.Org) {
		fmt.Println(d.Cert.Name, "revoked:", d.Revoked != nil)
	}
	fmt.Println("current devices:", len(dir.CurrentDevices(landlord.Org, now)))
	// Output:
	// added revocation
	// Liaison laptop A revoked: false
	// Liaison laptop B revoked: true
	// current devices: 1
}

// ExampleSeal seals a referral from a provider's device to every current
// device of a landlord, and opens it on one of them.
func ExampleSeal() {
	now := time.Now()
	scheme, root := newScheme()
	dir := crypto.NewDirectory(scheme)
	provider, padmin := admit(dir, root, "Safe Haven Refuge", crypto.KindProvider, now)
	landlord, ladmin := admit(dir, root, "Medway Homes", crypto.KindLandlord, now)
	caseworker := enrol(dir, provider, padmin, "Refuge laptop", now)
	liaison := enrol(dir, landlord, ladmin, "Liaison laptop", now)

	e, err := crypto.Seal(caseworker, landlord.Org, dir.Recipients(landlord.Org, now),
		&crypto.Packet{PayloadType: "referral", Payload: []byte(`{"bedrooms":3}`)},
		crypto.SealOptions{Now: now})
	if err != nil {
		log.Fatal(err)
	}
	wire, err := e.Marshal() // what the relay stores
	if err != nil {
		log.Fatal(err)
	}

	received, err := crypto.ParseEnvelope(wire)
	if err != nil {
		log.Fatal(err)
	}
	o, err := crypto.Open(received, liaison.Device, liaison.Identities(), dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(o.PayloadType, "from", o.Sender.Name, "at", o.SenderOrg.Name, "-", len(o.Payload), "bytes")
	// Output: referral from Refuge laptop at Safe Haven Refuge - 14 bytes
}
