package crypto

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// rotationVectors builds the vectors of the objects that change the scheme
// or an organisation after admission: a root rotation of the vector scheme
// (scheme-update.cbor), a landlord admin key rotation signed by its admin
// (admin-org-cert.cbor) and a retention policy (org-policy.cbor). The vector
// scheme's roots and the landlord's admin key come from the same seeded
// stream as in buildVectors, so these chain to testdata/scheme.json and
// testdata/org-cert.cbor.
func rotationVectors(t *testing.T) (scheme *Scheme, landlord *OrgCert, files map[string][]byte) {
	t.Helper()
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	r := detRand(42)
	var roots []ed25519.PrivateKey
	for range 3 {
		roots = append(roots, mustSigningKey(t, r))
	}
	s, err := ParseScheme(mustReadT(t, "scheme.json"))
	if err != nil {
		t.Fatal(err)
	}
	landlord, err = s.VerifyOrgCert(mustReadT(t, "org-cert.cbor"), vectorTime)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewOrgID(r); err != nil {
		t.Fatal(err)
	}
	admin := mustSigningKey(t, r)
	if !publicOf(admin).Equal(landlord.AdminKeys[0]) {
		t.Fatal("the seeded stream no longer gives the landlord's admin key")
	}

	nr := detRand(43)
	newRoots := []ed25519.PrivateKey{mustSigningKey(t, nr), mustSigningKey(t, nr)}
	newAdmin := mustSigningKey(t, nr)
	prev, err := s.rootKeys()
	if err != nil {
		t.Fatal(err)
	}
	u := &SchemeUpdate{Seq: 1, PrevRoots: prev, PrevThreshold: s.Threshold,
		Roots: []ed25519.PublicKey{publicOf(newRoots[0]), publicOf(newRoots[1])}, Threshold: 2, Issued: vectorTime.AddDate(1, 0, 0)}
	files = map[string][]byte{}
	files["scheme-update.cbor"] = must(SignSchemeUpdate(u, roots[:2], newRoots))
	c := *landlord
	c.AdminKeys = []ed25519.PublicKey{publicOf(newAdmin)}
	c.Issued = vectorTime.AddDate(0, 3, 0)
	files["admin-org-cert.cbor"] = must(SignOrgCertByAdmin(&c, admin, []ed25519.PrivateKey{newAdmin}))
	files["org-policy.cbor"] = must(SignOrgPolicy(&OrgPolicy{Org: landlord.Org, Seq: 1, Retention: 180 * 24 * time.Hour, Issued: vectorTime.AddDate(0, 1, 0)}, admin))
	_, next, err := s.VerifyUpdate(files["scheme-update.cbor"])
	if err != nil {
		t.Fatal(err)
	}
	files["scheme-rotated.json"] = must(next.Marshal())
	return s, landlord, files
}

func mustReadT(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRotationVectors(t *testing.T) {
	s, landlord, files := rotationVectors(t)
	if *update {
		for name, b := range files {
			if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			if filepath.Ext(name) == ".cbor" {
				diag := filepath.Join("testdata", name[:len(name)-len(".cbor")]+".diag")
				if err := os.WriteFile(diag, []byte(diagnose(b)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatalf("%v (run go test -run TestRotationVectors -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/%s differs from what the code now produces: the byte format changed", name)
		}
	}
	// The checked-in objects verify and chain.
	if _, _, err := s.VerifyUpdate(mustReadT(t, "scheme-update.cbor")); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyOrgCertByAdmin(mustReadT(t, "admin-org-cert.cbor"), landlord, vectorTime.AddDate(0, 4, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyOrgPolicy(mustReadT(t, "org-policy.cbor"), landlord); err != nil {
		t.Fatal(err)
	}
	rotated, err := ParseScheme(mustReadT(t, "scheme-rotated.json"))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDirectory(rotated)
	for _, n := range []string{"org-cert.cbor", "org-policy.cbor", "scheme-update.cbor", "admin-org-cert.cbor"} {
		if _, err := d.Add(mustReadT(t, n), vectorTime.AddDate(1, 1, 0)); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	if p := d.Policy(landlord.Org); p == nil || p.Retention != 180*24*time.Hour {
		t.Fatalf("policy = %+v", p)
	}
}
