package casestore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// benchStore fills a store with n cases spread over 9 stages, 20
// organisations (each case has the nominator and 3 others), 13 districts
// (2 per case) and a year of activity, and returns its path and key.
func benchStore(b *testing.B, n int) (string, []byte) {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "cases.db")
	key := newKey(b)
	s, err := Open(ctx, path, key)
	if err != nil {
		b.Fatal(err)
	}
	stages := []string{"draft", "awaiting-approval", "circulated", "offers-received", "offer-accepted", "details-released", "moved", "closed", "withdrawn"}
	districts := []string{"Ashford", "Canterbury", "Dartford", "Dover", "Folkestone and Hythe", "Gravesham", "Maidstone",
		"Medway", "Sevenoaks", "Swale", "Thanet", "Tonbridge and Malling", "Tunbridge Wells"}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	err = s.Update(ctx, func(tx *Tx) error {
		for i := range n {
			c := &Case{ID: [16]byte{byte(i >> 8), byte(i), 0xbe}, Status: stages[i%len(stages)],
				Reference: fmt.Sprintf("KMR-2026-%04d", i), Created: start.Add(time.Duration(i) * 50 * time.Minute),
				Updated:   start.Add(time.Duration(i)*50*time.Minute + time.Duration(i%97)*time.Hour),
				Districts: []string{districts[i%13], districts[(i+5)%13]}}
			for j := range 4 {
				c.Organisations = append(c.Organisations, [16]byte{0x0a, byte((i + 7*j) % 20)})
			}
			if err := tx.PutCase(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return path, key
}

// BenchmarkCaseStore10k: open a store of 10,000 cases, list them all
// (decrypting every reference), and filter by stage, organisation,
// district and date with and without a page limit; Count with no filter is
// the raw SELECT count(*) baseline.
func BenchmarkCaseStore10k(b *testing.B) {
	const n = 10000
	ctx := context.Background()
	path, key := benchStore(b, n)
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			s, err := Open(ctx, path, key)
			if err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
	})
	s, err := Open(ctx, path, key)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	org := [16]byte{0x0a, 3}
	from := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	filters := []struct {
		name string
		f    Filter
	}{
		{"find-all", Filter{}},
		{"find-all-page50", Filter{Limit: 50}},
		{"stage", Filter{Stages: []string{"offers-received"}}},
		{"stage-page50", Filter{Stages: []string{"offers-received"}, Limit: 50}},
		{"org", Filter{Org: org}},
		{"org-page50", Filter{Org: org, Limit: 50}},
		{"district", Filter{District: "Swale"}},
		{"district-page50", Filter{District: "Swale", Limit: 50}},
		{"date-month", Filter{From: from, To: from.AddDate(0, 1, 0)}},
		{"combined", Filter{Stages: []string{"circulated", "offers-received"}, Org: org, District: "Dover", From: from}},
	}
	b.Run("list-Cases", func(b *testing.B) {
		for b.Loop() {
			cs, err := s.Cases(ctx)
			if err != nil || len(cs) != n {
				b.Fatalf("%d cases, %v", len(cs), err)
			}
		}
	})
	b.Run("count-baseline", func(b *testing.B) {
		for b.Loop() {
			if c, err := s.Count(ctx, Filter{}); err != nil || c != n {
				b.Fatalf("%d, %v", c, err)
			}
		}
	})
	for _, tc := range filters {
		b.Run(tc.name, func(b *testing.B) {
			var got int
			for b.Loop() {
				sm, err := s.Find(ctx, tc.f)
				if err != nil {
					b.Fatal(err)
				}
				got = len(sm)
			}
			b.ReportMetric(float64(got), "cases")
		})
	}
}
