package workflow

import (
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
)

// party returns a party whose org and device ids start with b.
func party(b byte, name string) Party {
	return Party{Org: [16]byte{b}, Device: [16]byte{b, 1}, OrgName: name, DeviceName: name + " laptop"}
}

// The organisations of the fixture scheme: a refuge nominating, the
// household's current landlord, two candidate landlords, an outsider.
var (
	refuge    = party(1, "Harbour Refuge")
	current   = party(2, "Medway Homes")
	winner    = party(3, "Swale Housing")
	loser     = party(4, "Dover District Council")
	outsider  = party(5, "Thanet Lettings")
	offerWin  = [16]byte{0xa1}
	offerLose = [16]byte{0xb1}
	caseID    = [16]byte{0xc0}
	t0        = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
)

func orgs() []Party { return []Party{refuge, current, winner, loser, outsider} }

// consent is a complete consent record for releasing details to winner.
func consent() *Consent {
	return &Consent{Given: true, Readers: []Party{winner, refuge}}
}

// step is one event of the happy path and the organisations whose case it
// reaches (each applies it to its own view).
type step struct {
	label string
	ev    Event
	to    []Party
}

// happyPath is the whole life of a case: approval, circulation to two
// landlords, two offers, one accepted, details released, moved, closed.
func happyPath() []step {
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	return []step{
		{"drafted", Event{Kind: EventReferralDrafted, Actor: refuge, At: at(0), Landlord: current.Org}, []Party{refuge}},
		{"approval-requested", Event{Kind: EventApprovalRequested, Actor: refuge, At: at(1), Landlord: current.Org}, []Party{refuge, current}},
		{"approved", Event{Kind: EventApproved, Actor: current, At: at(2), NoSuitableHome: true, WillGiveHomeBack: true}, []Party{refuge, current}},
		{"circulated", Event{Kind: EventCirculated, Actor: refuge, At: at(3), Landlord: current.Org, Orgs: []crypto.OrgID{winner.Org, loser.Org}}, []Party{refuge}},
		{"circulated-winner", Event{Kind: EventCirculated, Actor: refuge, At: at(3), Landlord: current.Org, Orgs: []crypto.OrgID{winner.Org}}, []Party{winner}},
		{"circulated-loser", Event{Kind: EventCirculated, Actor: refuge, At: at(3), Landlord: current.Org, Orgs: []crypto.OrgID{loser.Org}}, []Party{loser}},
		{"offer-winner", Event{Kind: EventOfferMade, Actor: winner, At: at(4), Offer: offerWin}, []Party{winner, refuge}},
		{"offer-loser", Event{Kind: EventOfferMade, Actor: loser, At: at(5), Offer: offerLose}, []Party{loser, refuge}},
		{"accepted", Event{Kind: EventOfferAccepted, Actor: refuge, At: at(6), Offer: offerWin}, []Party{refuge, winner}},
		{"filled", Event{Kind: EventFilled, Actor: refuge, At: at(7), Landlord: loser.Org, Status: StatusFilled}, []Party{refuge, loser}},
		{"details", Event{Kind: EventDetailsReleased, Actor: refuge, At: at(8), Landlord: winner.Org, Consent: consent()}, []Party{refuge, winner}},
		{"signed-up", Event{Kind: EventSignedUp, Actor: winner, At: at(9), Status: StatusSignedUp}, []Party{winner, refuge}},
		{"moved-in", Event{Kind: EventMovedIn, Actor: winner, At: at(10), Status: StatusMovedIn}, []Party{winner, refuge}},
		{"closed", Event{Kind: EventClosed, Actor: refuge, At: at(11), Status: StatusClosed}, []Party{refuge, winner, current}},
	}
}

// views runs the happy path up to and including step `until` (all of it
// when empty) and returns each organisation's case, by org name.
func views(t *testing.T, until string) map[string]*Case {
	t.Helper()
	cs := map[string]*Case{}
	for _, p := range orgs() {
		cs[p.OrgName] = New(caseID, p.Org, p.Device)
	}
	for _, s := range happyPath() {
		for _, p := range s.to {
			if err := cs[p.OrgName].Apply(s.ev); err != nil {
				t.Fatalf("step %s at %s: %v", s.label, p.OrgName, err)
			}
		}
		if s.label == until {
			break
		}
	}
	return cs
}
