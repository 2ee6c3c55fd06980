package client_test

import (
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/hometest"
)

// BenchmarkSealWithProofs and BenchmarkSealWithoutProofs measure the cost
// of the per-send transparency checks (an inclusion proof for each
// recipient's organisation certificate, device certificate and key update,
// against the signed checkpoint) on top of sealing a 4 KiB referral to a
// landlord with three devices. docs/PERFORMANCE.md records the ratio.
func BenchmarkSealWithProofs(b *testing.B)    { benchmarkSeal(b, true) }
func BenchmarkSealWithoutProofs(b *testing.B) { benchmarkSeal(b, false) }

func benchmarkSeal(b *testing.B, check bool) {
	w := hometest.New(b)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	for _, n := range []string{"Weald A", "Weald B", "Weald C"} {
		d, _ := enrol(w, weald, weald.Admin, n, newClock())
		if _, err := d.RotateKeys(b.Context()); err != nil { // so that key updates are proved too
			b.Fatal(err)
		}
	}
	caseworker, _ := enrol(w, refuge, refuge.Admin, "Refuge laptop", newClock())
	sender := refuge.AddDevice(b, "Refuge desk")
	if _, err := caseworker.Sync(b.Context()); err != nil {
		b.Fatal(err)
	}
	body := make([]byte, 4096)
	b.ResetTimer()
	for b.Loop() {
		var rs []crypto.Recipient
		if check {
			var err error
			if rs, err = caseworker.Recipients(weald.ID); err != nil {
				b.Fatal(err)
			}
		} else {
			rs = caseworker.Directory().Recipients(weald.ID, time.Now())
		}
		if len(rs) != 3 {
			b.Fatalf("%d recipients", len(rs))
		}
		if _, err := crypto.Seal(sender.Keys, weald.ID, rs, &crypto.Packet{PayloadType: "referral", Payload: body}, crypto.SealOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
