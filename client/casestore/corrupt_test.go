package casestore

import (
	"context"
	"testing"
	"time"
)

// TestCorruptedEntryLeavesCaseReadable (issue 12, item 4): one damaged
// sealed entry is returned marked Unreadable, and every other entry of the
// case still opens.
func TestCorruptedEntryLeavesCaseReadable(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openTemp(t)
	caseID, org := newID(t), newID(t)
	now := time.Unix(1767225600, 0).UTC()
	putCase(t, s, &Case{ID: caseID, Status: StatusCirculated, Organisations: [][16]byte{org}, Created: now, Updated: now})
	var envs [][16]byte
	for i, body := range []string{"first", "second", "third"} {
		env := newID(t)
		envs = append(envs, env)
		if err := s.Update(ctx, func(tx *Tx) error {
			return tx.AddEntry(ctx, &Entry{Envelope: env, Case: caseID, Kind: KindMessage, Direction: DirectionReceived,
				At: now.Add(time.Duration(i) * time.Minute), SenderOrg: org, SenderOrgName: "Harbour Refuge", Body: []byte(body)})
		}); err != nil {
			t.Fatal(err)
		}
	}
	// One bad byte in the second entry's sealed body.
	if _, err := s.db.ExecContext(ctx, `UPDATE entries SET body = CAST(substr(body, 1, length(body) - 1) ||
		CASE WHEN substr(body, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB) WHERE envelope = ?`, envs[1][:]); err != nil {
		t.Fatal(err)
	}
	es, err := s.Entries(ctx, caseID)
	if err != nil {
		t.Fatalf("one corrupted entry hid the case: %v", err)
	}
	if len(es) != 3 || string(es[0].Body) != "first" || string(es[2].Body) != "third" {
		t.Fatalf("entries = %+v", es)
	}
	if !es[1].Unreadable || es[1].Body != nil || es[0].Unreadable || es[2].Unreadable {
		t.Fatalf("unreadable flags: %v %v %v", es[0].Unreadable, es[1].Unreadable, es[2].Unreadable)
	}
}
