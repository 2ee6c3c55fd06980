package admin

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/saferef/saferef/crypto"
)

var update = flag.Bool("update", false, "rewrite the test vectors in testdata/")

// vectorSeed is the fixed Ed25519 seed of the key file vector.
var vectorSeed = bytes.Repeat([]byte{0x42}, ed25519.SeedSize)

// TestKeyFileVector pins the plaintext format inside an admin key vault:
// testdata/admin-key.json must decode to the key with vectorSeed, and the
// writer must produce exactly it.
func TestKeyFileVector(t *testing.T) {
	key := ed25519.NewKeyFromSeed(vectorSeed)
	org := crypto.OrgID{0x0a, 0x0b}
	path := filepath.Join("testdata", "admin-key.json")
	// WriteKey encrypts exactly this marshalling.
	b, err := json.Marshal(keyFile{Type: AdminKeyType, Org: org.String(), Seed: "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="})
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Fatalf("key file is\n%s\nwant\n%s", b, want)
	}
	got, gotOrg, err := parseKeyFile(want, AdminKeyType)
	if err != nil || !got.Equal(key) || gotOrg != org.String() {
		t.Fatalf("parse vector: %v", err)
	}
	if _, _, err := parseKeyFile(want, RootKeyType); err == nil {
		t.Fatal("admin key file parsed as a root key")
	}
	// And through a real vault.
	vpath := filepath.Join(t.TempDir(), "admin.key")
	if err := WriteKey(vpath, AdminKeyType, org.String(), key, "vector pass", testWF); err != nil {
		t.Fatal(err)
	}
	if k, o, err := ReadKey(vpath, AdminKeyType, "vector pass"); err != nil || !k.Equal(key) || o != org.String() {
		t.Fatalf("vault round trip: %v", err)
	}
}

// FuzzParseKeyFile: the decoder of a key vault's plaintext never panics,
// and whatever it accepts re-encodes to a key of the right size.
func FuzzParseKeyFile(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "admin-key.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"type":"saferef-org-admin-key/v1","seed":""}`))
	f.Add([]byte(`{"type":"saferef-org-admin-key/v1","seed":"QUJD"}`))
	f.Add([]byte(`{"type":"saferef-root-key/v1","seed":"QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		key, _, err := parseKeyFile(b, AdminKeyType)
		if err != nil {
			return
		}
		if len(key) != ed25519.PrivateKeySize {
			t.Fatalf("key of %d bytes", len(key))
		}
	})
}
