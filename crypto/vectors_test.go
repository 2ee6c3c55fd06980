package crypto

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/fxamacker/cbor/v2"
)

var update = flag.Bool("update", false, "rewrite the test vectors in testdata/")

const identitiesFile = "testdata/identities.txt"

// vectorIdentities returns the pinned age hybrid identities of the vector
// devices. age draws them from crypto/rand, so they are generated once
// (with -update, when the file is missing) and checked in.
func vectorIdentities(t *testing.T) map[string]*age.HybridIdentity {
	t.Helper()
	names := []string{"provider-device", "landlord-device", "landlord-device-next"}
	if _, err := os.Stat(identitiesFile); os.IsNotExist(err) && *update {
		var b strings.Builder
		b.WriteString("# Test-only age hybrid identities for the vectors. Never use them for anything else.\n")
		for _, n := range names {
			id, err := age.GenerateHybridIdentity()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %s\n", n, id)
		}
		if err := os.WriteFile(identitiesFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(identitiesFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := make(map[string]*age.HybridIdentity)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<16)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		name, s, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("bad line in %s", identitiesFile)
		}
		id, err := age.ParseHybridIdentity(s)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = id
	}
	for _, n := range names {
		if out[n] == nil {
			t.Fatalf("%s lacks %s", identitiesFile, n)
		}
	}
	return out
}

// vectorSet builds every deterministic vector from fixed seeds and the
// pinned identities.
type vectorSet struct {
	scheme       *Scheme
	files        map[string][]byte // name in testdata -> bytes
	dir          *Directory
	landlordKeys *DeviceKeys
	providerKeys *DeviceKeys
	innerOuter   Envelope
	packet       *Packet
	recipients   []Recipient
}

var vectorTime = time.Date(2025, 1, 6, 9, 30, 0, 0, time.UTC)

func buildVectors(t *testing.T) *vectorSet {
	t.Helper()
	idents := vectorIdentities(t)
	r := detRand(42)
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var roots []ed25519.PrivateKey
	for range 3 {
		roots = append(roots, mustSigningKey(t, r))
	}
	v := &vectorSet{files: make(map[string][]byte)}
	v.scheme = &Scheme{Name: "Example reciprocal scheme", Threshold: 2}
	for _, k := range roots {
		v.scheme.Roots = append(v.scheme.Roots, EncodePublicKey(publicOf(k)))
	}
	v.files["scheme.json"] = must(v.scheme.Marshal())
	v.scheme, _ = ParseScheme(v.files["scheme.json"])

	newOrg := func(name string, kind OrgKind, districts []string) (*OrgCert, ed25519.PrivateKey) {
		id, err := NewOrgID(r)
		if err != nil {
			t.Fatal(err)
		}
		admin := mustSigningKey(t, r)
		return &OrgCert{
			Org: id, Name: name, Kind: kind, Districts: districts, AdminKeys: []ed25519.PublicKey{publicOf(admin)},
			NotBefore: vectorTime, NotAfter: vectorTime.AddDate(2, 0, 0), Issued: vectorTime,
		}, admin
	}
	landlord, landlordAdmin := newOrg("Example Homes", KindLandlord, []string{"Canterbury", "Dover"})
	provider, providerAdmin := newOrg("Example Refuge", KindProvider, []string{"Thanet"})
	v.files["org-cert.cbor"] = must(SignOrgCert(landlord, roots[:2]))
	v.files["provider-org-cert.cbor"] = must(SignOrgCert(provider, roots[1:]))

	newDevice := func(org *OrgCert, admin ed25519.PrivateKey, name string, id *age.HybridIdentity) (*DeviceSecrets, []byte) {
		s, err := GenerateDeviceSecrets(r, org.Org, name, vectorTime)
		if err != nil {
			t.Fatal(err)
		}
		s.Encryption = []EncryptionKey{{Identity: id.String(), Created: vectorTime}}
		c := &DeviceCert{
			Device: s.Device, Org: org.Org, Name: name, SigningKey: s.SigningKey(), Recipient: id.Recipient().String(),
			NotBefore: vectorTime, NotAfter: vectorTime.AddDate(1, 0, 0), Issued: vectorTime,
		}
		return s, must(SignDeviceCert(c, admin))
	}
	ls, lraw := newDevice(landlord, landlordAdmin, "Housing office PC 3", idents["landlord-device"])
	ps, praw := newDevice(provider, providerAdmin, "IDVA laptop", idents["provider-device"])
	v.files["device-cert.cbor"] = lraw
	v.files["provider-device-cert.cbor"] = praw
	v.files["device-secrets.cbor"] = must(ls.Marshal())
	v.files["key-update.cbor"] = must(SignKeyUpdate(&KeyUpdate{
		Device: ls.Device, Seq: 1, Recipient: idents["landlord-device-next"].Recipient().String(), Created: vectorTime.AddDate(0, 0, 7),
	}, ed25519.NewKeyFromSeed(ls.SigningSeed)))
	v.files["device-revocation.cbor"] = must(SignDeviceRevocation(&Revocation{
		Org: landlord.Org, Device: ls.Device, RevokedAt: vectorTime.AddDate(0, 1, 0), Reason: "laptop stolen",
	}, landlordAdmin))
	v.files["org-revocation.cbor"] = must(SignOrgRevocation(&Revocation{
		Org: provider.Org, RevokedAt: vectorTime.AddDate(0, 2, 0), Reason: "left the scheme",
	}, roots[:2]))

	var err error
	if v.landlordKeys, err = ls.Keys(); err != nil {
		t.Fatal(err)
	}
	if v.providerKeys, err = ps.Keys(); err != nil {
		t.Fatal(err)
	}
	eid, err := NewEnvelopeID(r)
	if err != nil {
		t.Fatal(err)
	}
	v.innerOuter = Envelope{ID: eid, Mailbox: landlord.Org, Expiry: expiryFor(vectorTime, DefaultEnvelopeTTL)}
	v.packet = &Packet{PayloadType: "referral", Payload: []byte(`{"bedrooms":3,"districts":["Canterbury"]}`), Checkpoint: []byte("example checkpoint\n"), CertIndex: 4}
	v.recipients = []Recipient{{Device: ls.Device, Key: idents["landlord-device"].Recipient().String()}}
	v.files["envelope-inner.cbor"] = must(signInner(v.providerKeys, &v.innerOuter, v.recipients, v.packet, vectorTime))
	v.files["fingerprints.txt"] = []byte(fmt.Sprintf("scheme %s\norg %s\ndevice %s\n",
		v.scheme.Fingerprint(), OrgFingerprint(landlord), DeviceFingerprint(ls.SigningKey())))

	v.dir = NewDirectory(v.scheme)
	for _, n := range []string{"org-cert.cbor", "provider-org-cert.cbor", "device-cert.cbor", "provider-device-cert.cbor"} {
		if _, err := v.dir.Add(v.files[n], vectorTime); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	return v
}

// diagnose renders a signed object or envelope in CBOR diagnostic notation,
// with a signed object's body expanded, for humans reading testdata.
func diagnose(b []byte) string {
	var sb strings.Builder
	d, _ := cbor.Diagnose(b)
	sb.WriteString(d + "\n")
	var s Signed
	if wire.Unmarshal(b, &s) == nil && len(s.Body) > 0 {
		bd, _ := cbor.Diagnose(s.Body)
		sb.WriteString("body: " + bd + "\n")
	}
	return sb.String()
}

func TestVectors(t *testing.T) {
	v := buildVectors(t)
	// The randomized envelope is written only on -update; it is sealed to the
	// pinned identity so the checked-in one must keep opening.
	if *update {
		e, err := Seal(v.providerKeys, v.innerOuter.Mailbox, v.recipients, v.packet,
			SealOptions{Rand: bytes.NewReader(v.innerOuter.ID[:]), Now: vectorTime})
		if err != nil {
			t.Fatal(err)
		}
		if v.files["envelope.cbor"], err = e.Marshal(); err != nil {
			t.Fatal(err)
		}
		for name, b := range v.files {
			if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(name, ".cbor") {
				diag := filepath.Join("testdata", strings.TrimSuffix(name, ".cbor")+".diag")
				if err := os.WriteFile(diag, []byte(diagnose(b)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for name, want := range v.files {
		got, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatalf("%v (run go test -run TestVectors -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/%s differs from what the code now produces: the byte format changed", name)
		}
	}

	// The checked-in objects verify.
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	org, err := v.scheme.VerifyOrgCert(read("org-cert.cbor"), vectorTime)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := VerifyDeviceCert(read("device-cert.cbor"), org, vectorTime)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyKeyUpdate(read("key-update.cbor"), dev); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyDeviceRevocation(read("device-revocation.cbor"), org); err != nil {
		t.Fatal(err)
	}
	if _, err := v.scheme.VerifyOrgRevocation(read("org-revocation.cbor")); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseDeviceSecrets(read("device-secrets.cbor")); err != nil {
		t.Fatal(err)
	}

	// The checked-in envelope parses, re-encodes identically, opens with the
	// pinned identity and carries exactly the pinned inner encoding.
	eb := read("envelope.cbor")
	e, err := ParseEnvelope(eb)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := e.Marshal(); err != nil || !bytes.Equal(again, eb) {
		t.Fatalf("envelope does not re-encode identically: %v", err)
	}
	if e.ID != v.innerOuter.ID || e.Mailbox != v.innerOuter.Mailbox || !e.Expiry.Equal(v.innerOuter.Expiry) {
		t.Fatalf("outer envelope fields changed: %+v", e)
	}
	o, err := Open(e, v.landlordKeys.Device, v.landlordKeys.Identities(), v.dir)
	if err != nil {
		t.Fatal(err)
	}
	if string(o.Payload) != string(v.packet.Payload) || o.Sender.Device != v.providerKeys.Device || !o.Created.Equal(vectorTime) {
		t.Fatalf("opened %+v", o)
	}
	r, err := age.Decrypt(bytes.NewReader(e.Ciphertext), v.landlordKeys.Identities()...)
	if err != nil {
		t.Fatal(err)
	}
	padded, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	inner, err := unpad(padded)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(inner, read("envelope-inner.cbor")) {
		t.Fatal("checked-in envelope does not carry the checked-in inner encoding")
	}
}
