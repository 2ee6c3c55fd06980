package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/protocol/payload"
)

// TestListJSONKeepsStatus: 'cases list --json' still prints the "status"
// key after client.CaseSummary.Status went (issue 16), with the value the
// store's status column always held, the stage.
func TestListJSONKeepsStatus(t *testing.T) {
	s := client.CaseSummary{ID: payload.ID{9}, Reference: "KMR-2026-0042", Stage: workflow.StageOffersReceived,
		MyRole: workflow.RoleNominator, WaitingOn: workflow.ActionReviewOffers}
	b, err := json.Marshal(summaryJSON(s))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"status":"offers-received"`, `"stage":"offers-received"`, `"my_role":"nominator"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	for _, never := range []string{"districts", "text", "next"} {
		if strings.Contains(strings.ToLower(string(b)), `"`+never) {
			t.Errorf("%s shows %q, which the list never printed", b, never)
		}
	}
}
