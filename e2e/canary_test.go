package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/protocol/payload"
)

// TestPlaintextCanary puts a unique marker string in every free-text and
// identifying field of every payload type that crosses the relay —
// referral, approval, offer, offer decision, household details, case
// message, status update, attachment chunk, read receipt, recall, recall
// receipt, outcome and delivery receipt — runs a whole case through the
// workflow, and then searches the relay's whole data directory, its logs and
// its metrics for every marker, raw, hex and base64 (standard and URL
// alphabets, at every byte alignment). None may appear: the relay holds
// only ciphertext. Markers in anonymous fields are shaped to pass the
// disclosure guard; the identifying ones sit in the household details, the
// offer's address and the attachment's content, where they belong.
//
// Keep this test forever; every new payload type joins it.
func TestPlaintextCanary(t *testing.T) {
	w := newWorkflowScheme(t)
	markers := map[string]string{
		"referral.reference":          "KMR-2026-913579",
		"referral.accessibility":      "CANARY-accessibility-7f3a9c",
		"referral.pets":               "CANARY-pets-2b81d4",
		"referral.support_in_place":   "CANARY-support-c05e61",
		"referral.notes":              "CANARY-notes-9d2e7a",
		"referral.adaptations":        "CANARY-adaptations-41f0b3",
		"approval.lead_name":          "CANARY-lead-0b6e2f",
		"approval.reason":             "CANARY-approval-reason-d41c08",
		"offer.viewing":               "CANARY-viewing-5c2a9e",
		"offer.adaptations":           "CANARY-offer-adaptation-8e17b4",
		"offer.address":               "Flat 9, 413 Canaryquill Terrace, Aylesford, ME20 7QX",
		"offer.declined.address":      "22 Larkspurtwig Mews, Rochester, ME1 3QX",
		"decision.decline.reason":     "CANARY-decline-reason-a90f3d",
		"decision.accept.reason":      "CANARY-accept-reason-6b1e7c",
		"details.name.0":              "Zenobia Quarrendale",
		"details.name.1":              "Oriel Quarrendale",
		"details.date_of_birth":       "1987-11-23",
		"details.address":             "58 Wrenfeather Crescent, Chatham, ME5 8QY",
		"details.phone":               "07700 900857",
		"details.email":               "canary.f00d1e@example.org",
		"details.safe_to_call":        "CANARY-safe-to-call-3d5f9b",
		"details.risk_notes":          "CANARY-risk-notes-71c2ae",
		"details.support_worker":      "CANARY-support-worker-e04b57",
		"details.sharing.recorded_by": "CANARY-recorded-by-29d8f1",
		"message.landlord":            "CANARY-landlord-message-e8c215",
		"message.refuge":              "CANARY-refuge-message-5a77d0",
		"status.signed_up.note":       "CANARY-signed-up-note-4f6a0c",
		"status.moved_in.note":        "CANARY-moved-in-note-b38e21",
		"status.closed.note":          "CANARY-closed-note-0ad9c4",
		"attachment.name":             "canary-attachment-c71d4e.txt",
		"attachment.content":          "CANARY-attachment-content-93b0fa",
		"recall.reason":               "CANARY-recall-reason-f2e856",
	}
	refuge := func(args ...string) string {
		return cli(t, refugePass, "saferef", append([]string{"--home", w.refugeHome}, args...)...)
	}
	weald := func(args ...string) string {
		return cli(t, wealdPass, "saferef", append([]string{"--home", w.wealdHome}, args...)...)
	}
	medway := func(args ...string) string {
		return cli(t, medwayPass, "saferef", append([]string{"--home", w.medwayHome}, args...)...)
	}
	w.syncAll()

	// Referral, to the current landlord for approval; approval with a reason.
	referral := w.referralFile(w.refugeHome, func(r map[string]any) {
		r["reference"] = markers["referral.reference"]
		r["accessibility"] = markers["referral.accessibility"]
		r["pets"] = markers["referral.pets"]
		r["support_in_place"] = markers["referral.support_in_place"]
		r["notes"] = markers["referral.notes"]
		r["adaptations"] = []string{markers["referral.adaptations"]}
		r["current_landlord_org"] = w.coast
		r["districts_acceptable"] = []string{"Maidstone", "Medway"}
		r["districts_to_avoid"] = []string{"Thanet"}
	})
	caseID := lastLine(refuge("referral", "send", "--file", referral, "--household", w.householdFile(w.refugeHome)))
	cli(t, coastPass, "saferef", "--home", w.coastHome, "sync")
	cli(t, coastPass, "saferef", "--home", w.coastHome, "referral", "approve", "--case", caseID, "--approve",
		"--lead", markers["approval.lead_name"], "--reason", markers["approval.reason"], "--no-suitable-home", "--will-give-home-back")
	refuge("sync")
	refuge("referral", "circulate", "--case", caseID)

	// Two offers; one declined, one accepted, each with a reason.
	weald("sync")
	medway("sync")
	offer := func(pass, home, district, address string) string {
		return payloadFile(t, pass, home, []string{"offer", "template"}, func(o map[string]any) {
			o["district"] = district
			o["address"] = address
			o["viewing"] = markers["offer.viewing"]
			o["adaptations"] = []string{markers["offer.adaptations"]}
		})
	}
	wealdOffer := lastLine(weald("offer", "send", "--case", caseID, "--file", offer(wealdPass, w.wealdHome, "Maidstone", markers["offer.address"])))
	medwayOffer := lastLine(medway("offer", "send", "--case", caseID, "--file", offer(medwayPass, w.medwayHome, "Medway", markers["offer.declined.address"])))
	refuge("sync")
	refuge("offer", "decide", "--case", caseID, "--offer", medwayOffer, "--decline", "--reason", markers["decision.decline.reason"])
	refuge("offer", "decide", "--case", caseID, "--offer", wealdOffer, "--accept", "--reason", markers["decision.accept.reason"])

	// Household details, after confirming the readers.
	details := payloadFile(t, refugePass, w.refugeHome, []string{"details", "template"}, func(h map[string]any) {
		h["names"] = []string{markers["details.name.0"], markers["details.name.1"]}
		h["dates_of_birth"] = []string{markers["details.date_of_birth"]}
		h["current_address"] = markers["details.address"]
		h["safe_contact"] = map[string]any{"phone": markers["details.phone"], "email": markers["details.email"],
			"safe_to_call": markers["details.safe_to_call"], "safe_to_leave_message": false}
		h["risk_notes"] = markers["details.risk_notes"]
		h["support_worker"] = markers["details.support_worker"]
		h["sharing_basis"] = map[string]any{"basis": "consent", "recorded_by": markers["details.sharing.recorded_by"], "recorded_at": time.Now().Unix()}
	})
	out, _, _ := tryCLIEnv(nil, refugePass, "saferef", "--home", w.refugeHome, "details", "release", "--case", caseID, "--file", details)
	digest := regexp.MustCompile(`readers digest: ([0-9a-f]{64})`).FindStringSubmatch(out)
	if digest == nil {
		t.Fatalf("details release showed no readers digest:\n%s", out)
	}
	refuge("details", "release", "--case", caseID, "--file", details, "--confirm-readers", digest[1])

	// Messages both ways, an attachment, read receipts, status notes.
	refugeMsg := regexp.MustCompile(`sent message ([0-9a-f]{32})`).FindStringSubmatch(
		refuge("message", "send", "--case", caseID, "--text", markers["message.refuge"]))
	if refugeMsg == nil {
		t.Fatal("message send printed no envelope id")
	}
	attachment := filepath.Join(t.TempDir(), markers["attachment.name"])
	if err := os.WriteFile(attachment, []byte(strings.Repeat(markers["attachment.content"]+"\n", 64)), 0o600); err != nil {
		t.Fatal(err)
	}
	attID := lastLine(refuge("attach", "--case", caseID, "--file", attachment))
	weald("sync")
	weald("cases", "read", caseID)
	weald("message", "send", "--case", caseID, "--text", markers["message.landlord"])
	weald("status", "set", "--case", caseID, "--status", "signed-up", "--note", markers["status.signed_up.note"])
	weald("status", "set", "--case", caseID, "--status", "moved-in", "--note", markers["status.moved_in.note"])

	// The exchange worked: the markers arrived where they should.
	saved := filepath.Join(t.TempDir(), "saved.txt")
	weald("attachment", "save", "--case", caseID, "--attachment", attID, "--out", saved)
	if b, err := os.ReadFile(saved); err != nil || !strings.Contains(string(b), markers["attachment.content"]) {
		t.Fatalf("attachment did not arrive: %v", err)
	}
	got := showCase(t, wealdPass, w.wealdHome, caseID)
	if ref, _ := got["referral"].(map[string]any); ref["notes"] != markers["referral.notes"] {
		t.Fatalf("landlord did not decrypt the referral: %v", got["referral"])
	}
	if b, _ := json.Marshal(got["household_details"]); !strings.Contains(string(b), markers["details.name.0"]) {
		t.Fatalf("landlord did not receive the household details: %s", b)
	}

	// Recall of the refuge's message; the closing status and the outcome.
	refuge("sync")
	if mine := showCase(t, refugePass, w.refugeHome, caseID); !hasMessage(mine, markers["message.landlord"], "Weald Homes") {
		t.Fatal("refuge did not receive the landlord's message")
	}
	refuge("recall", "--case", caseID, "--envelope", refugeMsg[1], "--reason", markers["recall.reason"])
	weald("sync") // shreds the message and sends the recall receipt
	if hasMessage(showCase(t, wealdPass, w.wealdHome, caseID), markers["message.refuge"], "Harbour Refuge") {
		t.Fatal("the landlord kept a recalled message")
	}
	refuge("sync")
	kinds := map[string]bool{}
	receipts, _ := showCase(t, refugePass, w.refugeHome, caseID)["receipts"].([]any)
	for _, r := range receipts {
		r, _ := r.(map[string]any)
		if reader, _ := r["reader"].(map[string]any); reader["org"] == w.weald {
			kinds[r["kind"].(string)] = true
		}
	}
	if !kinds["delivery"] || !kinds["read"] || !kinds["recall"] {
		t.Fatalf("refuge lacks the landlord's delivery, read or recall receipts: %v", kinds)
	}
	refuge("status", "set", "--case", caseID, "--status", "closed", "--note", markers["status.closed.note"])
	cli(t, coordPass, "saferef", "--home", w.coordHome, "sync")
	if out := cli(t, coordPass, "saferef", "--home", w.coordHome, "scheme", "balance", "--json"); !strings.Contains(out, w.weald) {
		t.Fatalf("the coordinator received no outcome:\n%s", out)
	}
	// Everyone collects what is left (receipts) so the relay has seen it all.
	w.syncAll()

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
	searchDir(t, w.relayData, search)
	search("relay metrics", []byte(w.relay.getAdmin(t, "/metrics")))
	search("relay healthz", []byte(w.relay.get(t, "/healthz")))

	// After a clean stop (which checkpoints the WAL into the database).
	w.relay.stop(sigterm)
	searchDir(t, w.relayData, search)
	search("relay logs", []byte(w.relay.logs.String()))
	if !strings.Contains(w.relay.logs.String(), "relay listening") {
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

// canaryPayloadTypes are the payload types TestPlaintextCanary sends across
// the relay with markers in them.
var canaryPayloadTypes = []string{
	payload.TypeReferral, payload.TypeApproval, payload.TypeOffer, payload.TypeOfferDecision,
	payload.TypeHouseholdDetails, payload.TypeCaseMessage, payload.TypeStatusUpdate,
	payload.TypeAttachmentChunk, payload.TypeReadReceipt, payload.TypeRecall,
	payload.TypeRecallReceipt, payload.TypeOutcome, payload.TypeDeliveryReceipt,
}

// TestCanaryCoversEveryPayloadType fails when a payload type is added to
// protocol/payload without joining TestPlaintextCanary.
func TestCanaryCoversEveryPayloadType(t *testing.T) {
	covered := make(map[string]bool)
	for _, pt := range canaryPayloadTypes {
		covered[pt] = true
	}
	for _, pt := range payload.Types() {
		if !covered[pt] {
			t.Errorf("payload type %q is not in the plaintext canary test: add markers for its fields to TestPlaintextCanary and list it in canaryPayloadTypes", pt)
		}
	}
	if len(covered) != len(payload.Types()) {
		t.Errorf("canary lists %d types, protocol/payload has %d", len(covered), len(payload.Types()))
	}
}
