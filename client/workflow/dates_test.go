package workflow

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestStatusDatesInOrder: signed-up <= moved-in <= closed, none more than
// a day in the future, none before the case began. The example —
// signed-up effective 2099-01-01 then moved-in effective 2020-01-01 — is
// refused at both steps, at the sender and at the receiver alike.
func TestStatusDatesInOrder(t *testing.T) {
	at := t0.Add(9 * time.Hour)
	day := func(d time.Duration) string { return at.Add(d).Format(time.DateOnly) }
	for _, who := range []string{"Swale Housing", "Harbour Refuge"} {
		c := views(t, "details")[who]
		try := func(k EventKind, eff string, actor Party) error {
			return c.Apply(Event{Kind: k, Actor: actor, At: at, Effective: eff})
		}
		for _, bad := range []struct{ eff, why string }{
			{"2099-01-01", "in the future"},
			{day(48 * time.Hour), "in the future"},
			{"2020-01-01", "before the case began"},
			{"22/06/2026", "not a date"},
		} {
			err := try(EventSignedUp, bad.eff, winner)
			if !errors.Is(err, ErrInvalidEvent) || !strings.Contains(err.Error(), bad.why) {
				t.Errorf("%s: signed-up effective %s: %v", who, bad.eff, err)
			}
		}
		if err := try(EventSignedUp, day(24*time.Hour), winner); err != nil {
			t.Fatalf("%s: signed-up tomorrow: %v", who, err)
		}
		if err := try(EventMovedIn, day(0), winner); err == nil || !strings.Contains(err.Error(), "before the sign-up date") {
			t.Fatalf("%s: moved-in before the sign-up: %v", who, err)
		}
		if err := try(EventMovedIn, day(24*time.Hour), winner); err != nil {
			t.Fatalf("%s: moved-in: %v", who, err)
		}
		if c.SignedUpOn != day(24*time.Hour) || c.MovedInOn != day(24*time.Hour) {
			t.Errorf("%s: dates recorded %q, %q", who, c.SignedUpOn, c.MovedInOn)
		}
		if who == "Harbour Refuge" {
			if err := try(EventClosed, day(0), refuge); err == nil || !strings.Contains(err.Error(), "before the moved-in date") {
				t.Fatalf("closed before the move: %v", err)
			}
			if err := try(EventClosed, day(24*time.Hour), refuge); err != nil {
				t.Fatalf("closed: %v", err)
			}
		}
	}
}

// TestOfferExpiryAndRecall: an offer made after its expiry is refused, one
// that expired before the decision cannot be accepted, and a recall of
// the referral closes a candidate's case for offers, saying why.
func TestOfferExpiryAndRecall(t *testing.T) {
	cs := views(t, "circulated-loser")
	at := t0.Add(4 * time.Hour)
	w := cs["Swale Housing"]
	if err := w.Apply(Event{Kind: EventOfferMade, Actor: winner, At: at, Offer: offerWin, Expires: "2026-03-01"}); !errors.Is(err, ErrOfferExpired) {
		t.Fatalf("offer made after its expiry: %v", err)
	}
	n := cs["Harbour Refuge"]
	if err := n.Apply(Event{Kind: EventOfferMade, Actor: winner, At: at, Offer: offerWin, Expires: "2026-03-03"}); err != nil {
		t.Fatal(err)
	}
	if n.Offers[0].ExpiredAt(t0.Add(30*time.Hour)) || !n.Offers[0].ExpiredAt(t0.Add(40*time.Hour)) {
		t.Error("the offer does not stand to the end of its last day")
	}
	if err := n.Apply(Event{Kind: EventOfferAccepted, Actor: refuge, At: t0.Add(48 * time.Hour), Offer: offerWin}); !errors.Is(err, ErrOfferExpired) {
		t.Fatalf("accepting an expired offer: %v", err)
	}
	l := cs["Dover District Council"]
	if err := l.Apply(Event{Kind: EventRecalled, Actor: refuge, At: at, Packet: [16]byte{9}, RecalledReferral: true}); err != nil {
		t.Fatal(err)
	}
	if l.Stage != StageWithdrawn || l.WaitingOn() != ActionNone {
		t.Fatalf("after the recall: stage %s, waiting on %q", l.Stage, l.WaitingOn())
	}
	err := l.Apply(Event{Kind: EventOfferMade, Actor: loser, At: at, Offer: offerLose, Expires: "2026-04-01"})
	if !errors.Is(err, ErrWrongStage) || !strings.Contains(err.Error(), "recalled the referral") {
		t.Fatalf("offer after the recall: %v", err)
	}
}
