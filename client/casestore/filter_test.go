package casestore

import (
	"bytes"
	"context"
	"os"
	"slices"
	"testing"
	"time"
)

func putCase(t testing.TB, s *Store, c *Case) {
	t.Helper()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx *Tx) error { return tx.PutCase(ctx, c) }); err != nil {
		t.Fatal(err)
	}
}

func ids(sms []Summary) [][16]byte {
	var out [][16]byte
	for _, s := range sms {
		out = append(out, s.ID)
	}
	return out
}

func TestFind(t *testing.T) {
	ctx := context.Background()
	s, path, _ := openTemp(t)
	refuge, swale, dover := newID(t), newID(t), newID(t)
	day := func(d int) time.Time { return time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC) }
	a := &Case{ID: [16]byte{1}, Status: "circulated", Reference: "KMR-2026-0001", Organisations: [][16]byte{refuge, swale},
		Districts: []string{"Swale", "Medway"}, Created: day(1), Updated: day(3)}
	b := &Case{ID: [16]byte{2}, Status: "offers-received", Reference: "KMR-2026-0002", Organisations: [][16]byte{refuge, dover},
		Districts: []string{"Dover"}, Created: day(2), Updated: day(5)}
	c := &Case{ID: [16]byte{3}, Status: "closed", Reference: "KMR-2026-0003", Organisations: [][16]byte{refuge},
		Created: day(4), Updated: day(6)}
	for _, x := range []*Case{a, b, c} {
		putCase(t, s, x)
	}
	// An update adds an organisation and replaces the districts.
	putCase(t, s, &Case{ID: a.ID, Organisations: [][16]byte{dover}, Districts: []string{"Swale", "Canterbury"}, Updated: day(4)})

	cases := []struct {
		name string
		f    Filter
		want [][16]byte
	}{
		{"all", Filter{}, [][16]byte{c.ID, b.ID, a.ID}},
		{"stage", Filter{Stages: []string{"circulated", "closed"}}, [][16]byte{c.ID, a.ID}},
		{"org", Filter{Org: dover}, [][16]byte{b.ID, a.ID}},
		{"org swale", Filter{Org: swale}, [][16]byte{a.ID}},
		{"district", Filter{District: "swale"}, [][16]byte{a.ID}},
		{"district spaced", Filter{District: "  Canterbury "}, [][16]byte{a.ID}},
		{"district replaced", Filter{District: "Medway"}, nil},
		{"district unknown", Filter{District: "Thanet"}, nil},
		{"activity from", Filter{From: day(5)}, [][16]byte{c.ID, b.ID}},
		{"activity to", Filter{To: day(5)}, [][16]byte{a.ID}},
		{"created", Filter{CreatedFrom: day(2), CreatedTo: day(4)}, [][16]byte{b.ID}},
		{"reference", Filter{Reference: "kmr-2026-0002"}, [][16]byte{b.ID}},
		{"combined", Filter{Org: refuge, Stages: []string{"offers-received", "circulated"}, District: "Dover"}, [][16]byte{b.ID}},
		{"page", Filter{Limit: 1, Offset: 1}, [][16]byte{b.ID}},
	}
	for _, tc := range cases {
		got, err := s.Find(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("%s: got %x, want %x", tc.name, ids(got), tc.want)
		}
		n, err := s.Count(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if tc.f.Limit == 0 && n != len(tc.want) {
			t.Errorf("%s: count %d, want %d", tc.name, n, len(tc.want))
		}
	}
	got, _ := s.Find(ctx, Filter{Reference: "KMR-2026-0003"})
	if len(got) != 1 || got[0].Reference != "KMR-2026-0003" || got[0].Status != "closed" || !got[0].Closed.Equal(day(6)) {
		t.Errorf("summary = %+v", got)
	}
	full, err := s.Case(ctx, a.ID)
	if err != nil || !slices.Equal(full.Districts, []string{"Swale", "Canterbury"}) || len(full.Organisations) != 3 {
		t.Errorf("case a = %+v, %v", full, err)
	}
	if _, err := s.Find(ctx, Filter{Limit: -1}); err == nil {
		t.Error("negative limit accepted")
	}
	// Districts never reach the disk in clear.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"Swale", "swale", "Canterbury", "canterbury", "Dover", "KMR-2026"} {
		if bytes.Contains(raw, []byte(d)) {
			t.Errorf("database holds %q in clear", d)
		}
	}
}

// TestMigrateFromEarlierSchema opens a store written by the previous
// schema (no closed, districts or ref_key columns, no case_orgs) and
// checks the organisation index is filled.
func TestMigrateFromEarlierSchema(t *testing.T) {
	ctx := context.Background()
	s, path, key := openTemp(t)
	org := newID(t)
	putCase(t, s, &Case{ID: [16]byte{7}, Status: StatusOpen, Organisations: [][16]byte{org}, Updated: time.Unix(100, 0)})
	for _, q := range []string{
		`DROP INDEX cases_closed`, `DROP INDEX cases_ref_key`, `DROP INDEX outbox_case`,
		`ALTER TABLE cases DROP COLUMN closed`, `ALTER TABLE cases DROP COLUMN districts`,
		`ALTER TABLE cases DROP COLUMN ref_key`, `ALTER TABLE outbox DROP COLUMN case_id`, `DELETE FROM case_orgs`,
		`PRAGMA user_version = 0`, // earlier versions did not record one
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()
	s2, err := Open(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Find(ctx, Filter{Org: org})
	if err != nil || len(got) != 1 {
		t.Fatalf("after migration: %v, %v", got, err)
	}
}
