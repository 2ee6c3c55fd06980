package client_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/desktop"
	"github.com/saferef/saferef/internal/desktop/devicecore"
)

// TestRecalledMessageShowsNoOtherText (issue 16): the refuge sends two case
// messages and recalls the first; the landlord's desktop timeline shows the
// recalled message's event without the second message's text (it used to
// join events to messages "of the same device, in order", so the second
// text moved up onto the recalled event), and the second event with its
// own text. Every event came from a device the directory vouches for, so
// each shows as verified.
func TestRecalledMessageShowsNoOtherText(t *testing.T) {
	ctx := t.Context()
	rc := newReferredCase(t)
	sync(t, rc.officer)
	const inError, second = "Sent to the wrong case, please ignore.", "The household can move at short notice."
	first, err := rc.caseworker.SendMessage(ctx, rc.caseID, inError)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.caseworker.SendMessage(ctx, rc.caseID, second); err != nil {
		t.Fatal(err)
	}
	sync(t, rc.officer)
	if err := rc.caseworker.Recall(ctx, rc.caseID, []crypto.EnvelopeID{first}, "sent in error"); err != nil {
		t.Fatal(err)
	}
	sync(t, rc.officer)

	v, err := devicecore.New(rc.officer).Case(ctx, rc.caseID)
	if err != nil {
		t.Fatal(err)
	}
	var messages []desktop.TimelineEvent
	for _, e := range v.Timeline {
		if e.Kind == workflow.EventMessage {
			messages = append(messages, e)
		}
		if !e.Verified {
			t.Errorf("event %s by %s shown as not verified", e.Kind, e.By.DeviceName)
		}
	}
	if len(messages) != 2 {
		t.Fatalf("%d message events, want 2: %+v", len(messages), v.Timeline)
	}
	if messages[0].Text != devicecore.RecalledText {
		t.Errorf("the recalled message's event shows %q, want %q", messages[0].Text, devicecore.RecalledText)
	}
	if messages[1].Text != second {
		t.Errorf("the second message's event shows %q, want %q", messages[1].Text, second)
	}
	// The case list's search text, kept in the store's summary, lost the
	// recalled message with the message.
	rows, err := devicecore.New(rc.officer).CaseRows(ctx)
	if err != nil || len(rows) != 1 {
		t.Fatalf("case rows %v, %v", rows, err)
	}
	if text := rows[0].SearchText; strings.Contains(text, strings.ToLower(inError)) || !strings.Contains(text, strings.ToLower(second)) {
		t.Errorf("search text after the recall: %q", text)
	}
}

// TestCaseRowsFromStoredSummaries (issue 16): the case list's rows come
// from the summaries the store keeps; a store whose summaries are missing
// or of an older version (one written before they were kept) lists the
// same rows, computed from the cases, and stores current summaries for
// the next refresh.
func TestCaseRowsFromStoredSummaries(t *testing.T) {
	ctx := t.Context()
	rc := newReferredCase(t)
	sync(t, rc.officer)
	if _, err := rc.officer.SendMessage(ctx, rc.caseID, "We may have a two-bedroom home in Maidstone next month."); err != nil {
		t.Fatal(err)
	}
	sync(t, rc.caseworker)
	for _, d := range []*client.Device{rc.caseworker, rc.officer} {
		core := devicecore.New(d)
		want, err := core.CaseRows(ctx)
		if err != nil || len(want) != 1 {
			t.Fatalf("%s: rows %v, %v", d.Name(), want, err)
		}
		if !strings.Contains(want[0].SearchText, "two-bedroom") || len(want[0].Districts) == 0 || want[0].Urgency == "" {
			t.Errorf("%s: row %+v lacks the referral or the message", d.Name(), want[0])
		}
		if n, err := d.StaleSummariesForTest(ctx, false); err != nil || n != 0 {
			t.Fatalf("%s: %d stale summaries, %v", d.Name(), n, err)
		}
		if n, err := d.StaleSummariesForTest(ctx, true); err != nil || n != 1 {
			t.Fatalf("%s: %d stale summaries after making them old, %v", d.Name(), n, err)
		}
		got, err := core.CaseRows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: rows from old summaries\n%+v\nwant\n%+v", d.Name(), got, want)
		}
		if n, err := d.StaleSummariesForTest(ctx, false); err != nil || n != 0 {
			t.Errorf("%s: %d stale summaries after listing, %v", d.Name(), n, err)
		}
	}
}

// TestActorVerified: an event's actor is verified only as a device the
// directory holds, under the organisation the event names.
func TestActorVerified(t *testing.T) {
	rc := newReferredCase(t)
	sync(t, rc.officer)
	me := workflow.Party{Org: rc.refuge.ID, Device: rc.caseworker.ID()}
	if !rc.officer.ActorVerified(me) {
		t.Error("the refuge's caseworker is not verified")
	}
	if rc.officer.ActorVerified(workflow.Party{Org: rc.weald.ID, Device: rc.caseworker.ID()}) {
		t.Error("the refuge's device verified as Weald Homes'")
	}
	if rc.officer.ActorVerified(workflow.Party{Org: rc.refuge.ID, Device: crypto.DeviceID{0x42}}) {
		t.Error("a device the directory does not hold verified")
	}
	k, err := rc.officer.Case(t.Context(), rc.caseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Verified) != len(k.Events) || len(k.Events) == 0 {
		t.Fatalf("%d events, %d verified marks", len(k.Events), len(k.Verified))
	}
	for i := range k.Events {
		if !k.EventVerified(i) {
			t.Errorf("event %d (%s) not verified", i, k.Events[i].Kind)
		}
	}
}
