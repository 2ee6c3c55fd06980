package client_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/desktop/devicecore"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/protocol/payload"
)

// BenchmarkCaseRowsRealStore builds the desktop case list's rows from a
// real case store (SQLite, sealed columns, per-case keys) holding 1,000
// referrals sent through the real workflow to a landlord: what the app does
// at unlock and after every sync that brought something new. Each row
// comes from the summary the store keeps beside its case (stage, waiting
// on, referral fields, search text); no case is opened.
// docs/PERFORMANCE.md records the figures.
func BenchmarkCaseRowsRealStore(b *testing.B) {
	const n = 1000
	w := hometest.New(b)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	enrol(w, weald, weald.Admin, "Weald desk", newClock())
	caseworker, _ := enrol(w, refuge, refuge.Admin, "Refuge laptop", newClock())
	ctx := b.Context()
	if _, err := caseworker.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		r := payload.ExampleReferral()
		r.Case, r.CaseNonce = payload.ID{}, payload.ID{}
		r.Reference = fmt.Sprintf("KMR-2026-%04d", i)
		r.DistrictsAcceptable, r.DistrictsToAvoid = []string{"Maidstone"}, []string{}
		r.CurrentLandlordOrg = payload.ID{}
		// The relay rate-limits this burst: a send it did not take stays
		// queued, and the case is on the device all the same.
		opt := client.ReferralOptions{Household: payload.ExampleHouseholdDetails(), Again: true}
		if _, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, r, opt); err != nil && !errors.Is(err, client.ErrNotSent) {
			b.Fatalf("referral %d: %v", i, err)
		}
	}
	core := devicecore.New(caseworker)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rows, err := core.CaseRows(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(rows) != n {
			b.Fatalf("%d rows", len(rows))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/n, "µs/case")
}
