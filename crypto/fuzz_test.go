package crypto

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// seedFiles adds the checked-in vectors as fuzz seeds.
func seedFiles(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{0xa0})
}

// reencodes checks that whatever a decoder accepts has one byte form.
func reencodes(t *testing.T, in []byte, marshal func() ([]byte, error)) {
	t.Helper()
	out, err := marshal()
	if err != nil {
		t.Fatalf("accepted input does not re-encode: %v", err)
	}
	if !bytes.Equal(in, out) {
		t.Fatalf("accepted input re-encodes differently")
	}
}

func FuzzParseSigned(f *testing.F) {
	seedFiles(f, "org-cert.cbor", "device-cert.cbor", "key-update.cbor", "device-revocation.cbor", "envelope-inner.cbor")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSigned(b, "")
		if err != nil {
			return
		}
		reencodes(t, b, s.Marshal)
	})
}

func FuzzVerifyOrgCert(f *testing.F) {
	seedFiles(f, "org-cert.cbor", "provider-org-cert.cbor")
	scheme, err := ParseScheme(mustRead(f, "scheme.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := scheme.VerifyOrgCert(b, vectorTime)
		if err != nil {
			return
		}
		// Accepted certificates re-sign to the same body.
		body, err := c.body()
		if err != nil {
			t.Fatalf("accepted cert fails validation: %v", err)
		}
		sd, _ := ParseSigned(b, TypeOrgCert)
		reencodes(t, sd.Body, func() ([]byte, error) { return marshal(body) })
	})
}

func FuzzVerifyDeviceCert(f *testing.F) {
	seedFiles(f, "device-cert.cbor", "provider-device-cert.cbor")
	_, org := vectorOrg(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := VerifyDeviceCert(b, org, vectorTime)
		if err != nil {
			return
		}
		if c.Org != org.Org {
			t.Fatal("accepted a device of another organisation")
		}
	})
}

func FuzzKeyUpdate(f *testing.F) {
	seedFiles(f, "key-update.cbor")
	_, org := vectorOrg(f)
	dev, err := VerifyDeviceCert(mustRead(f, "device-cert.cbor"), org, vectorTime)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if sd, err := ParseSigned(b, TypeKeyUpdate); err == nil {
			decodeKeyUpdate(sd.Body) // must not panic
		}
		u, err := VerifyKeyUpdate(b, dev)
		if err != nil {
			return
		}
		if u.Device != dev.Device || u.Seq == 0 {
			t.Fatalf("accepted %+v", u)
		}
	})
}

func FuzzRevocation(f *testing.F) {
	seedFiles(f, "device-revocation.cbor", "org-revocation.cbor")
	scheme, org := vectorOrg(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, _, err := ParseRevocation(b); err == nil {
			rb, err := r.body()
			if err != nil {
				t.Fatalf("accepted revocation fails validation: %v", err)
			}
			sd, _ := ParseSigned(b, TypeRevocation)
			reencodes(t, sd.Body, func() ([]byte, error) { return marshal(rb) })
		}
		if r, err := VerifyDeviceRevocation(b, org); err == nil && (r.IsOrg() || r.Org != org.Org) {
			t.Fatalf("accepted %+v", r)
		}
		if r, err := scheme.VerifyOrgRevocation(b); err == nil && !r.IsOrg() {
			t.Fatalf("accepted %+v", r)
		}
	})
}

func FuzzParseEnvelope(f *testing.F) {
	seedFiles(f, "envelope.cbor")
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEnvelope(b)
		if err != nil {
			return
		}
		reencodes(t, b, e.Marshal)
		countStanzas(e.Ciphertext, MaxRecipients) // must not panic
	})
}

// FuzzEnvelopeInner fuzzes everything Open does after decryption: unpad,
// parse the signed inner envelope, check it and verify the signature.
func FuzzEnvelopeInner(f *testing.F) {
	inner := mustRead(f, "envelope-inner.cbor")
	f.Add(pad(inner))
	f.Add(inner)
	f.Add([]byte{0, 0, 0, 0})
	scheme, err := ParseScheme(mustRead(f, "scheme.json"))
	if err != nil {
		f.Fatal(err)
	}
	dir := NewDirectory(scheme)
	for _, n := range []string{"org-cert.cbor", "provider-org-cert.cbor", "device-cert.cbor", "provider-device-cert.cbor"} {
		if _, err := dir.Add(mustRead(f, n), vectorTime); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, err := unpad(b)
		if err != nil {
			msg = b
		}
		sd, body, err := parseInner(msg)
		if err != nil {
			return
		}
		reencodes(t, msg, sd.Marshal)
		dev, _, err := dir.SenderAt(body.From, unix(body.At))
		if err != nil {
			return
		}
		if _, err := sd.verifyBy([]ed25519.PublicKey{dev.SigningKey}); err == nil && !bytes.Equal(msg, inner) {
			t.Fatal("a changed inner envelope verified")
		}
	})
}

func FuzzParseDeviceSecrets(f *testing.F) {
	seedFiles(f, "device-secrets.cbor")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseDeviceSecrets(b)
		if err != nil {
			return
		}
		reencodes(t, b, s.Marshal)
	})
}

func FuzzParseScheme(f *testing.F) {
	f.Add(mustRead(f, "scheme.json"))
	f.Add(mustRead(f, "scheme-rotated.json"))
	f.Add([]byte(`{"name":"x","roots":[],"threshold":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseScheme(b)
		if err != nil {
			return
		}
		if s.Threshold < 1 || s.Threshold > len(s.Roots) || s.GraceDays < s.MailboxTTLDays || s.Fingerprint() == "" {
			t.Fatalf("accepted invalid scheme %+v", s)
		}
	})
}

func FuzzDirectoryAdd(f *testing.F) {
	seedFiles(f, "org-cert.cbor", "device-cert.cbor", "key-update.cbor", "device-revocation.cbor", "org-revocation.cbor",
		"scheme-update.cbor", "org-policy.cbor", "admin-org-cert.cbor")
	scheme, err := ParseScheme(mustRead(f, "scheme.json"))
	if err != nil {
		f.Fatal(err)
	}
	base := [][]byte{mustRead(f, "org-cert.cbor"), mustRead(f, "provider-org-cert.cbor"), mustRead(f, "device-cert.cbor")}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDirectory(scheme)
		for _, o := range base {
			if _, err := d.Add(o, vectorTime); err != nil {
				t.Fatal(err)
			}
		}
		d.Add(b, vectorTime.Add(time.Hour))
		if len(d.Orgs()) != 2 {
			t.Fatal("fuzzed object changed the set of organisations")
		}
	})
}

func mustRead(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func FuzzSchemeUpdate(f *testing.F) {
	seedFiles(f, "scheme-update.cbor", "org-cert.cbor")
	scheme, err := ParseScheme(mustRead(f, "scheme.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		u, sd, err := ParseSchemeUpdate(b)
		if err != nil {
			return
		}
		reencodes(t, b, sd.Marshal)
		body, err := u.body()
		if err != nil {
			t.Fatalf("accepted update fails validation: %v", err)
		}
		again, err := marshal(body)
		if err != nil || !bytes.Equal(again, sd.Body) {
			t.Fatalf("accepted update body re-encodes differently: %v", err)
		}
		if _, next, err := scheme.VerifyUpdate(b); err == nil {
			if _, err := next.Origin(); err != nil {
				t.Fatalf("verified update gives a scheme whose history does not verify: %v", err)
			}
		}
	})
}

func FuzzOrgPolicy(f *testing.F) {
	seedFiles(f, "org-policy.cbor", "key-update.cbor")
	_, org := vectorOrg(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := VerifyOrgPolicy(b, org)
		if err != nil {
			return
		}
		if p.Org != org.Org || p.Retention < MinPolicyRetention || p.Retention > MaxPolicyRetention {
			t.Fatalf("accepted policy %+v", p)
		}
	})
}

func FuzzOrgCertByAdmin(f *testing.F) {
	seedFiles(f, "admin-org-cert.cbor", "org-cert.cbor")
	_, org := vectorOrg(f)
	at := vectorTime.AddDate(0, 4, 0)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := VerifyOrgCertByAdmin(b, org, at)
		if err != nil {
			return
		}
		if c.Org != org.Org || c.Name != org.Name || !c.NotAfter.Equal(org.NotAfter) || !c.Issued.After(org.Issued) {
			t.Fatalf("accepted admin re-issue changes more than the keys: %+v", c)
		}
	})
}

// vectorOrg returns the test-vector scheme and its verified organisation
// certificate, the fixture most fuzz targets verify against.
func vectorOrg(f *testing.F) (*Scheme, *OrgCert) {
	f.Helper()
	scheme, err := ParseScheme(mustRead(f, "scheme.json"))
	if err != nil {
		f.Fatal(err)
	}
	org, err := scheme.VerifyOrgCert(mustRead(f, "org-cert.cbor"), vectorTime)
	if err != nil {
		f.Fatal(err)
	}
	return scheme, org
}
