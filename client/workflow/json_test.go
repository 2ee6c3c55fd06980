package workflow

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/saferef/saferef/crypto"
)

// TestStateJSONKeepsIDArrays pins how organisation and device ids are
// stored in a case's JSON state: as arrays of 16 numbers, as when they
// were plain [16]byte. Giving crypto.OrgID or DeviceID a text form would
// make every stored case unreadable, and fail here first.
func TestStateJSONKeepsIDArrays(t *testing.T) {
	c := New([16]byte{0xc0}, crypto.OrgID{1}, crypto.DeviceID{2})
	c.Candidates = []crypto.OrgID{{3}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Org":[1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]`, `"Device":[2,0,`, `"Candidates":[[3,0,`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("state JSON %s lacks %s", b, want)
		}
	}
	var back Case
	if err := json.Unmarshal(b, &back); err != nil || back.Org != c.Org || back.Candidates[0] != c.Candidates[0] {
		t.Fatalf("round trip: %v, %+v", err, back)
	}
}
