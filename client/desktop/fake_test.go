package desktop

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// testNow is the fixed clock of the UI tests.
var testNow = time.Date(2026, 3, 14, 10, 30, 0, 0, time.UTC)

var errWrongPass = errors.New("wrong passphrase")

// fakeHomes is an in-memory Homes with one device home.
type fakeHomes struct {
	enrolled bool
	pass     string
	core     *fakeCore
	opens    int
	enrols   []*client.EnrolOptions
}

func (h *fakeHomes) Enrolled(string) (bool, error) { return h.enrolled, nil }
func (h *fakeHomes) Open(_ context.Context, _ string, pass string) (Core, error) {
	h.opens++
	if pass != h.pass {
		return nil, fmt.Errorf("open: %w", errWrongPass)
	}
	h.core.closed = false
	return h.core, nil
}
func (h *fakeHomes) Enrol(_ context.Context, o *client.EnrolOptions) (*client.Enrolment, error) {
	h.enrols = append(h.enrols, o)
	return &client.Enrolment{Fingerprint: "12345 67890 13579 24680 11223 34455", RequestPath: "/home/priya/.saferef/enrolment-request.json"}, nil
}
func (h *fakeHomes) IsWrongPassphrase(err error) bool { return errors.Is(err, errWrongPass) }

// fakeCore is an in-memory Core that records what was sent.
type fakeCore struct {
	mu        sync.Mutex
	rows      []CaseRow
	cases     map[crypto.CaseID]*client.Case
	orgs      []Organisation
	syncErr   error
	syncNew   int
	referrals []*payload.Referral
	sentTo    [][]crypto.OrgID
	messages  []string
	closed    bool
}

func (c *fakeCore) Identity() Identity {
	return Identity{DeviceName: "Priya's laptop", OrgName: "Harbour Refuge", Org: orgID(1), Fingerprint: "11111 22222 33333 44444 55555 66666"}
}
func (c *fakeCore) Sync(context.Context) (SyncReport, error) {
	if c.syncErr != nil {
		return SyncReport{}, c.syncErr
	}
	return SyncReport{New: c.syncNew, At: testNow}, nil
}
func (c *fakeCore) CaseRows(context.Context) ([]CaseRow, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.rows), nil
}
func (c *fakeCore) Case(_ context.Context, id crypto.CaseID) (*client.Case, error) {
	if k, ok := c.cases[id]; ok {
		return k, nil
	}
	return nil, client.ErrNotInCase
}
func (c *fakeCore) SendMessage(_ context.Context, _ crypto.CaseID, text string) error {
	c.messages = append(c.messages, text)
	return nil
}
func (c *fakeCore) SendReferral(_ context.Context, to []crypto.OrgID, r *payload.Referral) (crypto.CaseID, error) {
	c.referrals = append(c.referrals, r)
	c.sentTo = append(c.sentTo, to)
	return crypto.CaseID{9}, nil
}
func (c *fakeCore) Organisations() []Organisation { return c.orgs }
func (c *fakeCore) Queued() int                   { return 0 }
func (c *fakeCore) Close() error                  { c.closed = true; return nil }

func orgID(n byte) crypto.OrgID { return crypto.OrgID{n} }

// demoOrgs are the demo scheme's organisations.
func demoOrgs() []Organisation {
	return []Organisation{
		{ID: orgID(1), Name: "Harbour Refuge", Kind: crypto.KindProvider},
		{ID: orgID(2), Name: "Medway Homes", Kind: crypto.KindLandlord, Districts: []string{"Medway", "Gravesham"}},
		{ID: orgID(3), Name: "North Kent Housing", Kind: crypto.KindLandlord, Districts: []string{"Dartford", "Swale"}},
	}
}

// demoRows are three cases in different states.
func demoRows() []CaseRow {
	ref := func(n byte) client.OrgRef {
		o := demoOrgs()[n-1]
		return client.OrgRef{ID: o.ID, Name: o.Name, Kind: o.Kind}
	}
	return []CaseRow{
		{CaseSummary: client.CaseSummary{ID: crypto.CaseID{1}, Reference: "KMR-2026-0001", Status: "circulated",
			Organisations: []client.OrgRef{ref(1), ref(2)}, LastActivity: testNow.Add(-48 * time.Hour)},
			Districts: []string{"Medway"}, Waiting: Waiting{Kind: WaitingOnOrg, Org: "Medway Homes"}},
		{CaseSummary: client.CaseSummary{ID: crypto.CaseID{2}, Reference: "KMR-2026-0002", Status: "circulated",
			Organisations: []client.OrgRef{ref(1), ref(3)}, LastActivity: testNow.Add(-72 * time.Hour)},
			Districts: []string{"Swale", "Dartford"}, Waiting: Waiting{Kind: WaitingOnYou, Org: "North Kent Housing"}, NeedsAction: true},
		{CaseSummary: client.CaseSummary{ID: crypto.CaseID{3}, Reference: "KMR-2025-0107", Status: "closed",
			Organisations: []client.OrgRef{ref(1), ref(2)}, LastActivity: testNow.Add(-40 * 24 * time.Hour)},
			Districts: []string{"Gravesham"}},
	}
}

// demoCase is case 1 in full.
func demoCase() *client.Case {
	r := payload.ExampleReferral()
	r.Case = payload.ID{1}
	me := client.Party{Org: orgID(1), OrgName: "Harbour Refuge", DeviceName: "Priya's laptop"}
	them := client.Party{Org: orgID(2), OrgName: "Medway Homes", DeviceName: "Liaison desk"}
	return &client.Case{CaseSummary: demoRows()[0].CaseSummary, Referral: r,
		Entries: []client.CaseEntry{
			{Kind: "referral", Direction: "sent", At: testNow.Add(-72 * time.Hour), From: me, Referral: r},
			{Kind: "message", Direction: "received", At: testNow.Add(-50 * time.Hour), From: them, Text: "We may have a two-bedroom home in Gillingham next month."},
			{Kind: "message", Direction: "sent", At: testNow.Add(-48 * time.Hour), From: me, Text: "Thank you, the household would consider it."},
		},
		Receipts: []client.CaseReceipt{{Reader: them, ReadAt: testNow.Add(-71 * time.Hour)}},
	}
}

// harness is an app on a test window with fake homes.
type harness struct {
	t     *testing.T
	fapp  fyne.App
	homes *fakeHomes
	core  *fakeCore
	app   *App
	now   time.Time
	after []time.Duration
	timer []func()
}

func newHarness(t *testing.T, enrolled bool) *harness {
	t.Helper()
	return newHarnessOn(t, test.NewTempApp(t), enrolled)
}

func newHarnessOn(t *testing.T, fapp fyne.App, enrolled bool) *harness {
	t.Helper()
	h := &harness{t: t, fapp: fapp, now: testNow}
	h.core = &fakeCore{rows: demoRows(), cases: map[crypto.CaseID]*client.Case{{1}: demoCase()}, orgs: demoOrgs()}
	h.homes = &fakeHomes{enrolled: enrolled, pass: "correct horse battery", core: h.core}
	a, err := New(h.fapp, Options{Home: "/home/priya/.saferef", Homes: h.homes, Now: func() time.Time { return h.now },
		Location: time.UTC, Background: func(f func()) { f() },
		AfterFunc: func(d time.Duration, f func()) { h.after = append(h.after, d); h.timer = append(h.timer, f) }})
	if err != nil {
		t.Fatal(err)
	}
	h.app = a
	a.Window().Resize(fyne.NewSize(1180, 760))
	a.Start()
	t.Cleanup(func() { a.Window().Close() })
	return h
}

// unlock types the right passphrase and submits.
func (h *harness) unlock() {
	h.t.Helper()
	test.Type(h.app.unlock.pass, h.homes.pass)
	test.Tap(h.app.unlock.button)
	if h.app.main == nil {
		h.t.Fatalf("not unlocked: %q", h.app.unlock.message.Text)
	}
}
