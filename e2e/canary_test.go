package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlaintextCanary puts a unique marker string in every free-text and
// identifying field of every payload type that crosses the relay (referral,
// case message, delivery receipt), runs a whole exchange, and then searches
// the relay's whole data directory, its logs and its metrics for every
// marker, raw, hex and base64 (standard and URL alphabets, at every byte
// alignment). None may appear: the relay holds only ciphertext.
//
// Keep this test forever; every new payload type joins it.
func TestPlaintextCanary(t *testing.T) {
	s := newScheme(t)
	markers := map[string]string{
		"referral.reference":        "KMR-2026-913579",
		"referral.accessibility":    "CANARY-accessibility-7f3a9c",
		"referral.pets":             "CANARY-pets-2b81d4",
		"referral.support_in_place": "CANARY-support-c05e61",
		"referral.notes":            "CANARY-notes-9d2e7a Amira Haddad 14 Orchard Row ME4 6ZZ 07700 900412",
		"referral.adaptations":      "CANARY-adaptations-41f0b3",
		"message.landlord":          "CANARY-landlord-message-e8c215",
		"message.refuge":            "CANARY-refuge-message-5a77d0",
	}
	referral := s.referralFile(s.refugeHome, func(r map[string]any) {
		r["reference"] = markers["referral.reference"]
		r["accessibility"] = markers["referral.accessibility"]
		r["pets"] = markers["referral.pets"]
		r["support_in_place"] = markers["referral.support_in_place"]
		r["notes"] = markers["referral.notes"]
		r["adaptations"] = []string{markers["referral.adaptations"]}
	})
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync")
	caseID := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald+","+s.medway, "--file", referral))
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "message", "send", "--case", caseID, "--text", markers["message.refuge"])

	// The landlord syncs (sending delivery receipts) and answers; the
	// medway landlord has not synced yet, so its copies are still held.
	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync")
	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "message", "send", "--case", caseID, "--text", markers["message.landlord"])

	// The exchange worked: the markers did arrive where they should.
	got := showCase(t, wealdPass, s.wealdHome, caseID)
	if ref, _ := got["referral"].(map[string]any); ref["notes"] != markers["referral.notes"] {
		t.Fatalf("landlord did not decrypt the referral: %v", got["referral"])
	}
	cli(t, refugePass, "saferef", "--home", s.refugeHome, "sync")
	if mine := showCase(t, refugePass, s.refugeHome, caseID); !hasMessage(mine, markers["message.landlord"], "Weald Homes") {
		t.Fatal("refuge did not receive the landlord's message")
	}

	caseBytes, err := hex.DecodeString(caseID)
	if err != nil {
		t.Fatalf("case id %q: %v", caseID, err)
	}
	needles := map[string][]byte{"case id (raw bytes)": caseBytes, "case id (hex)": []byte(caseID)}
	for field, m := range markers {
		for enc, b := range encodings([]byte(m)) {
			needles[field+" "+enc] = b
		}
	}

	search := func(where string, haystack []byte) {
		t.Helper()
		for what, needle := range needles {
			if bytes.Contains(haystack, needle) {
				t.Errorf("%s contains %s", where, what)
			}
		}
	}
	// While running: the database, its WAL and shared memory.
	searchDir(t, s.relayData, search)
	search("relay metrics", []byte(s.relay.get(t, "/metrics")))
	search("relay healthz", []byte(s.relay.get(t, "/healthz")))

	// After a clean stop (which checkpoints the WAL into the database).
	s.relay.stop(sigterm)
	searchDir(t, s.relayData, search)
	search("relay logs", []byte(s.relay.logs.String()))
	if !strings.Contains(s.relay.logs.String(), "relay listening") {
		t.Fatal("relay logs were not captured")
	}
}

func searchDir(t *testing.T, dir string, search func(string, []byte)) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		search(path, b)
		return nil
	})
	if err != nil {
		t.Fatalf("search %s: %v", dir, err)
	}
	if n == 0 {
		t.Fatalf("no files in the relay's data directory %s", dir)
	}
}

// encodings returns m as it would appear raw, in hex, and in base64 at each
// of the three byte alignments it could have inside a larger encoded value.
func encodings(m []byte) map[string][]byte {
	out := map[string][]byte{"raw": m, "hex": []byte(hex.EncodeToString(m))}
	for name, enc := range map[string]*base64.Encoding{"base64": base64.StdEncoding, "base64url": base64.URLEncoding} {
		for offset := range 3 {
			s := enc.EncodeToString(append(make([]byte, offset), m...))
			// Drop the quantum holding the prefix and the padded tail:
			// what is left encodes only marker bytes, whatever surrounds it.
			s = s[4 : len(s)-4]
			out[name+"@"+string(rune('0'+offset))] = []byte(s)
		}
	}
	return out
}

// TestCanaryDetectorFindsEncodedMarkers proves the canary search can fail:
// a marker embedded at any position inside base64, hex or raw data is found.
func TestCanaryDetectorFindsEncodedMarkers(t *testing.T) {
	m := []byte("CANARY-detector-0c1d2e")
	for prefix := range 5 {
		value := append(append(bytes.Repeat([]byte{0xA5}, prefix), m...), 0x5A, 0x01)
		for _, hay := range [][]byte{
			value,
			[]byte(hex.EncodeToString(value)),
			[]byte(base64.StdEncoding.EncodeToString(value)),
			[]byte(base64.RawURLEncoding.EncodeToString(value)),
		} {
			found := false
			for _, needle := range encodings(m) {
				if bytes.Contains(hay, needle) {
					found = true
				}
			}
			if !found {
				t.Errorf("marker at offset %d not found in %q", prefix, hay)
			}
		}
	}
}
