package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// TestPrintCaseMarks: 'cases show' marks a send still in the outbox as
// queued and a recalled one as recalled, says what each receipt was for,
// lists the commands allowed now, and shows "approved" to the nominator
// once the current landlord approved.
func TestPrintCaseMarks(t *testing.T) {
	me := client.Party{Org: crypto.OrgID{1}, OrgName: "Harbour Refuge", DeviceName: "Refuge laptop"}
	them := client.Party{Org: crypto.OrgID{2}, OrgName: "Weald Homes", DeviceName: "Weald desk"}
	at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	ref, msg, queuedMsg := crypto.EnvelopeID{0xa1}, crypto.EnvelopeID{0xa2}, crypto.EnvelopeID{0xa3}
	c := &client.Case{
		CaseSummary: client.CaseSummary{ID: payload.ID{9}, Reference: "KMR-2026-0042", Stage: workflow.StageAwaitingApproval,
			MyRole: workflow.RoleNominator, WaitingOn: workflow.ActionCirculate, LastActivity: at},
		Allowed: []workflow.EventKind{workflow.EventCirculated, workflow.EventWithdrawn, workflow.EventMessage},
		Entries: []client.CaseEntry{
			{Envelope: ref, Kind: "referral", Direction: "sent", At: at, From: me},
			{Envelope: msg, Kind: "message", Direction: "sent", At: at, From: me, Text: "sent in error"},
			{Envelope: queuedMsg, Kind: "message", Direction: "sent", At: at, From: me, Text: "not yet at the relay"},
		},
		Events:   []workflow.Event{{Kind: workflow.EventRecalled, At: at, Packet: [16]byte(msg)}},
		Verified: []bool{true},
		Receipts: []client.CaseReceipt{{Kind: client.ReceiptRead, Packet: ref, Reader: them, ReadAt: at}},
	}
	var out bytes.Buffer
	j := caseToJSON(c)
	if err := printCase(&out, c, j, map[crypto.EnvelopeID]bool{queuedMsg: true}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"stage:          approved",
		"  saferef referral circulate --case KMR-2026-0042",
		"  saferef status set --case KMR-2026-0042 --status withdrawn",
		"  saferef message send --case KMR-2026-0042 --text ...",
		"Weald desk (Weald Homes) opened the referral",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("cases show lacks %q:\n%s", want, s)
		}
	}
	for _, l := range strings.Split(s, "\n") {
		switch {
		case strings.Contains(l, msg.String()) && !strings.Contains(l, "[recalled]"):
			t.Errorf("recalled message not marked: %q", l)
		case strings.Contains(l, queuedMsg.String()) && !strings.Contains(l, "[queued"):
			t.Errorf("queued message not marked: %q", l)
		}
	}
	if strings.Contains(s, "awaiting-approval") || strings.Contains(s, "circulated,") {
		t.Errorf("event names or the raw stage shown:\n%s", s)
	}
}
