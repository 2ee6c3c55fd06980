package crypto

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// TestVaultPlaintextMatchesSpec (issue 12, item 14): the keys of the vault
// plaintext, and of each encryption key in it, are exactly those
// protocol/SPEC.md section 12 lists.
func TestVaultPlaintextMatchesSpec(t *testing.T) {
	s, err := GenerateDeviceSecrets(nil, OrgID{1}, "Priya's laptop", time.Unix(1767225600, 0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]cbor.RawMessage
	if err := cbor.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	var enc []map[string]any
	if err := cbor.Unmarshal(top["enc"], &enc); err != nil || len(enc) != 1 {
		t.Fatalf("enc: %v", err)
	}
	spec, err := os.ReadFile("../protocol/SPEC.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(spec), "## 12. The device vault")
	if !ok {
		t.Fatal("SPEC.md has no vault section")
	}
	check := func(what string, keys []string) {
		for _, k := range keys {
			if !strings.Contains(section, "| `\""+k+"\"` |") {
				t.Errorf("SPEC.md's vault section does not list %s key %q", what, k)
			}
		}
	}
	var topKeys, encKeys []string
	for k := range top {
		topKeys = append(topKeys, k)
	}
	for k := range enc[0] {
		encKeys = append(encKeys, k)
	}
	slices.Sort(topKeys)
	slices.Sort(encKeys)
	if want := []string{"dev", "dk", "enc", "name", "org", "seed", "v"}; !slices.Equal(topKeys, want) {
		t.Errorf("vault keys %v, want %v", topKeys, want)
	}
	if want := []string{"at", "id", "ret", "seq"}; !slices.Equal(encKeys, want) {
		t.Errorf("encryption key keys %v, want %v", encKeys, want)
	}
	check("vault", topKeys)
	check("encryption key", encKeys)
}
