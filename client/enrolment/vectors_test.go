package enrolment

import (
	"crypto/ed25519"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
)

var update = flag.Bool("update", false, "rewrite the test vectors in testdata/")

// TestRequestVector pins the bytes a device signs in its
// enrolment request, so that the admin CLI of any version verifies them.
func TestRequestVector(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	r := &Request{
		Device: crypto.DeviceID{0: 0xd1, 15: 0x01}, Org: crypto.OrgID{0: 0x0a, 15: 0x02}, Name: "Refuge caseworker laptop",
		SigningKey: key.Public().(ed25519.PublicKey), Recipient: "age1pq1example", Created: time.Unix(1767225600, 0).UTC(),
	}
	msg, err := r.signedBytes()
	if err != nil {
		t.Fatal(err)
	}
	got := hex.EncodeToString(msg) + "\n" + hex.EncodeToString(ed25519.Sign(key, msg)) + "\n"
	path := filepath.Join("testdata", "enrolment-request-signed.hex")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("signed bytes changed:\ngot  %s\nwant %s", got, want)
	}
	if !strings.HasPrefix(string(msg), enrolmentContext) {
		t.Fatal("no domain separation prefix")
	}
}
