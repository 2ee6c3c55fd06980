package desktop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
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
	mu         sync.Mutex
	rows       []CaseRow
	cases      map[payload.ID]*CaseView
	orgs       []Organisation
	devices    []DeviceInfo
	syncErr    error
	syncNew    int
	sendErr    error // returned by every send while set
	queued     int
	relays     []string // SetRelay calls
	referrals  []*payload.Referral
	households []*payload.HouseholdDetails // the details each referral was opened with
	duplicates bool                        // SendReferral refuses a repeated reference unless confirmed
	sentTo     [][]crypto.OrgID
	messages   []string
	approvals  []*payload.Approval
	circulate  [][]crypto.OrgID
	offers     []*payload.Offer
	decisions  []string
	released   []*payload.HouseholdDetails
	digests    []string
	statuses   []string
	attached   []string
	recalls    [][]crypto.EnvelopeID
	reads      []payload.ID
	rotations  int
	backups    int
	verified   map[crypto.OrgID]bool
	readers    []Reader
	closed     bool
	declined   []payload.ID // "no suitable home" answers
	drafts     map[string][]byte
	// caseworker makes the identity a caseworker's (no admin key in the
	// home); unknownOrg leaves the organisation's name out until the
	// first sync.
	caseworker bool
	unknownOrg bool
	// The admin key: its passphrase, the folder it is in, what was
	// approved and revoked with it, and an error every admin action
	// returns while set (after the passphrase check).
	adminPass   string
	adminDir    string
	adminErr    error
	approved    []string // fingerprints read out, of approved requests
	revoked     []crypto.DeviceID
	revokeWhy   []string
	adminPasses []string // every passphrase an admin action got
	syncWarning string   // the warning Sync reports
}

func (c *fakeCore) Identity() Identity {
	c.mu.Lock()
	defer c.mu.Unlock()
	name := "Harbour Refuge"
	if c.unknownOrg {
		name = ""
	}
	return Identity{DeviceName: "Priya's laptop", OrgName: name, Org: orgID(1), Fingerprint: "11111 22222 33333 44444 55555 66666", Admin: !c.caseworker}
}
func (c *fakeCore) NoSuitableHome(_ context.Context, id payload.ID) error {
	c.declined = append(c.declined, id)
	return c.sent()
}
func draftKey(id payload.ID, form string) string { return fmt.Sprintf("%x/%s", id, form) }
func (c *fakeCore) SaveDraft(_ context.Context, id payload.ID, form string, b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.drafts == nil {
		c.drafts = map[string][]byte{}
	}
	c.drafts[draftKey(id, form)] = slices.Clone(b)
	return nil
}
func (c *fakeCore) Draft(_ context.Context, id payload.ID, form string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.drafts[draftKey(id, form)]), nil
}
func (c *fakeCore) DeleteDraft(_ context.Context, id payload.ID, form string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.drafts, draftKey(id, form))
	return nil
}
func (c *fakeCore) Sync(context.Context) (SyncReport, error) {
	if c.syncErr != nil {
		return SyncReport{}, c.syncErr
	}
	c.mu.Lock()
	c.queued = 0
	c.unknownOrg = false // the directory arrives with the first sync
	c.mu.Unlock()
	return SyncReport{New: c.syncNew, At: testNow, Warning: c.syncWarning}, nil
}
func (c *fakeCore) SetRelay(_ context.Context, url string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.relays = append(c.relays, url)
	return nil
}
func (c *fakeCore) Queued(context.Context) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queued, nil
}
func (c *fakeCore) CaseRows(context.Context) ([]CaseRow, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.rows), nil
}
func (c *fakeCore) Case(_ context.Context, id payload.ID) (*CaseView, error) {
	if k, ok := c.cases[id]; ok {
		return k, nil
	}
	return nil, client.ErrNotInCase
}

// sent records a send and returns sendErr (counting queued sends).
func (c *fakeCore) sent() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if errors.Is(c.sendErr, client.ErrNotSent) {
		c.queued++
	}
	return c.sendErr
}
func (c *fakeCore) SendMessage(_ context.Context, _ payload.ID, text string) error {
	if err := c.sent(); err != nil && !errors.Is(err, client.ErrNotSent) {
		return err
	}
	c.messages = append(c.messages, text)
	return c.sendErr
}
func (c *fakeCore) SendReferral(_ context.Context, to []crypto.OrgID, r *payload.Referral, opt client.ReferralOptions) (payload.ID, error) {
	if opt.Household == nil {
		return payload.ID{}, client.ErrNoHousehold
	}
	if c.duplicates && !opt.Again {
		return payload.ID{}, client.ErrDuplicateReference
	}
	if err := c.sent(); err != nil && !errors.Is(err, client.ErrNotSent) {
		return payload.ID{}, err
	}
	c.households = append(c.households, opt.Household)
	c.referrals = append(c.referrals, r)
	c.sentTo = append(c.sentTo, to)
	return payload.ID{9}, c.sendErr
}
func (c *fakeCore) CirculationCandidates(context.Context, payload.ID) ([]client.OrgRef, error) {
	var out []client.OrgRef
	for _, o := range c.orgs {
		if o.Kind == crypto.KindLandlord {
			out = append(out, client.OrgRef{ID: o.ID, Name: o.Name, Kind: o.Kind})
		}
	}
	return out, nil
}
func (c *fakeCore) Approve(_ context.Context, _ payload.ID, a *payload.Approval) error {
	c.approvals = append(c.approvals, a)
	return c.sent()
}
func (c *fakeCore) Circulate(_ context.Context, _ payload.ID, to []crypto.OrgID) error {
	c.circulate = append(c.circulate, to)
	return c.sent()
}
func (c *fakeCore) SendOffer(_ context.Context, _ payload.ID, o *payload.Offer) (payload.ID, error) {
	if err := c.sent(); err != nil && !errors.Is(err, client.ErrNotSent) {
		return payload.ID{}, err
	}
	c.offers = append(c.offers, o)
	return payload.ID{7}, c.sendErr
}
func (c *fakeCore) DecideOffer(_ context.Context, _ payload.ID, offer payload.ID, accept bool, reason string) error {
	c.decisions = append(c.decisions, fmt.Sprintf("%s %v %s", offer, accept, reason))
	return c.sent()
}
func (c *fakeCore) DetailsReaders(context.Context, payload.ID) ([]Reader, string, error) {
	return c.readers, "digest-of-readers", nil
}
func (c *fakeCore) ReleaseDetails(_ context.Context, _ payload.ID, h *payload.HouseholdDetails, digest string) error {
	c.released = append(c.released, h)
	c.digests = append(c.digests, digest)
	return c.sent()
}
func (c *fakeCore) SetStatus(_ context.Context, _ payload.ID, status, effective, note string) error {
	c.statuses = append(c.statuses, status+" "+effective+" "+note)
	return c.sent()
}
func (c *fakeCore) Attach(_ context.Context, _ payload.ID, name string, r io.Reader, size int64, progress func(sent, total int64)) (payload.ID, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return payload.ID{}, err
	}
	progress(size/2, size)
	progress(size, size)
	c.attached = append(c.attached, name+":"+string(b))
	return payload.ID{5}, c.sent()
}
func (c *fakeCore) Attachment(_ context.Context, _ payload.ID, att payload.ID) (string, []byte, error) {
	return "tenancy-agreement.pdf", []byte("%PDF-1.7 test"), nil
}
func (c *fakeCore) MarkRead(_ context.Context, id payload.ID) error {
	c.reads = append(c.reads, id)
	return nil
}
func (c *fakeCore) Recall(_ context.Context, _ payload.ID, envs []crypto.EnvelopeID, _ string) error {
	c.recalls = append(c.recalls, envs)
	return c.sent()
}
func (c *fakeCore) Devices() []DeviceInfo { return c.devices }
func (c *fakeCore) RotateKeys(context.Context) error {
	c.rotations++
	return nil
}
func (c *fakeCore) BackUp(_ context.Context, w io.Writer) (string, error) {
	c.backups++
	_, err := w.Write([]byte("age-encryption.org/v1\n"))
	return "abandon ability able about above absent absorb abstract absurd abuse access accident", err
}
func (c *fakeCore) Verified(context.Context) (map[crypto.OrgID]bool, error) {
	return maps.Clone(c.verified), nil
}
func (c *fakeCore) SetVerified(_ context.Context, org crypto.OrgID, on bool) error {
	if c.verified == nil {
		c.verified = map[crypto.OrgID]bool{}
	}
	c.verified[org] = on
	return nil
}
func (c *fakeCore) EnrolmentRequest(path string) (*EnrolmentRequestInfo, error) {
	if path != "/home/sam/enrolment-request.json" {
		return nil, errors.New("no such file")
	}
	return &EnrolmentRequestInfo{Path: path, Device: crypto.DeviceID{0xd2}, Org: orgID(1), Name: "Sam's laptop",
		Fingerprint: "98765 43210 12345 67890 24680 13579"}, nil
}
func (c *fakeCore) ApproveRequest(_ context.Context, dir, path, fingerprint, pass string) (*EnrolmentRequestInfo, error) {
	c.adminPasses = append(c.adminPasses, pass)
	req, err := c.EnrolmentRequest(path)
	if err != nil {
		return nil, err
	}
	if err := c.adminCheck(dir, pass); err != nil {
		return nil, fmt.Errorf("approve device: %w", err)
	}
	if digits(fingerprint) != digits(req.Fingerprint) {
		return nil, fmt.Errorf("approve device: %w", ErrFingerprintMismatch)
	}
	c.approved = append(c.approved, fingerprint)
	c.devices = append(c.devices, DeviceInfo{ID: req.Device, Name: req.Name, Fingerprint: req.Fingerprint, NotAfter: testNow.AddDate(2, 0, 0)})
	return req, nil
}
func (c *fakeCore) RevokeDevice(_ context.Context, dir string, id crypto.DeviceID, reason, pass string) error {
	c.adminPasses = append(c.adminPasses, pass)
	if err := c.adminCheck(dir, pass); err != nil {
		return fmt.Errorf("revoke device: %w", err)
	}
	c.revoked = append(c.revoked, id)
	c.revokeWhy = append(c.revokeWhy, reason)
	for i := range c.devices {
		if c.devices[i].ID == id {
			c.devices[i].Status = DeviceRevoked
		}
	}
	return nil
}

// adminCheck is the fake admin key: the folder, the passphrase, then adminErr.
func (c *fakeCore) adminCheck(dir, pass string) error {
	switch {
	case dir != c.adminDir:
		return ErrAdminKeyMissing
	case pass != c.adminPass:
		return ErrAdminWrongPassphrase
	}
	return c.adminErr
}
func (c *fakeCore) Relay() string                 { return "wss://relay.kent.example" }
func (c *fakeCore) Organisations() []Organisation { return c.orgs }
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
		{CaseSummary: client.CaseSummary{ID: payload.ID{1}, Reference: "KMR-2026-0001", Stage: workflow.StageCirculated,
			Organisations: []client.OrgRef{ref(1), ref(2)}, LastActivity: testNow.Add(-48 * time.Hour),
			Districts: []string{"Medway"}}, Waiting: Waiting{Kind: WaitingOnOrg, Org: "Medway Homes"}},
		{CaseSummary: client.CaseSummary{ID: payload.ID{2}, Reference: "KMR-2026-0002", Stage: workflow.StageCirculated,
			Organisations: []client.OrgRef{ref(1), ref(3)}, LastActivity: testNow.Add(-72 * time.Hour),
			Districts: []string{"Swale", "Dartford"}}, Waiting: Waiting{Kind: WaitingOnYou, Org: "North Kent Housing"}, NeedsAction: true},
		{CaseSummary: client.CaseSummary{ID: payload.ID{3}, Reference: "KMR-2025-0107", Stage: workflow.StageClosed,
			Organisations: []client.OrgRef{ref(1), ref(2)}, LastActivity: testNow.Add(-40 * 24 * time.Hour),
			Districts: []string{"Gravesham"}}},
	}
}

// demoCase is case 1 in full: circulated by Harbour Refuge (this
// organisation, the nominator), with two offers waiting for a decision.
func demoCase() *CaseView {
	r := payload.ExampleReferral()
	r.Case = payload.ID{1}
	me := client.Party{Org: orgID(1), OrgName: "Harbour Refuge", DeviceName: "Priya's laptop"}
	them := client.Party{Org: orgID(2), OrgName: "Medway Homes", DeviceName: "Liaison desk"}
	north := client.Party{Org: orgID(3), OrgName: "North Kent Housing", DeviceName: "Lettings team"}
	k := &client.Case{CaseSummary: demoRows()[0].CaseSummary, Referral: r,
		Entries: []client.CaseEntry{
			{Kind: "referral", Direction: "sent", At: testNow.Add(-72 * time.Hour), From: me, Referral: r},
		},
		Receipts: []client.CaseReceipt{{Reader: them, ReadAt: testNow.Add(-71 * time.Hour)}},
	}
	o1 := payload.ExampleOffer()
	o1.Offer = payload.ID{0xa1}
	o2 := &payload.Offer{Schema: payload.SchemaVersion, Case: r.Case, Offer: payload.ID{0xa2}, PropertyType: "house", Bedrooms: 3,
		Floor: 0, Adaptations: []string{}, WeeklyRentPence: 14250, AvailableFrom: "2026-04-20", District: "Dartford",
		Viewing: "Accompanied viewing, weekday afternoons", Address: "12 Example Close, Dartford DA1 1AA"}
	return &CaseView{Case: k, Stage: workflow.StageOffersReceived, Role: workflow.RoleNominator, WaitingOn: workflow.ActionReviewOffers,
		Allowed: []workflow.EventKind{workflow.EventCirculated, workflow.EventOfferAccepted, workflow.EventOfferDeclined,
			workflow.EventWithdrawn, workflow.EventMessage, workflow.EventRead, workflow.EventRecalled, workflow.EventAttachment},
		Timeline: []TimelineEvent{
			{Kind: workflow.EventReferralDrafted, By: me, At: testNow.Add(-73 * time.Hour), Sent: true, Verified: true},
			{Kind: workflow.EventCirculated, By: me, At: testNow.Add(-72 * time.Hour), Sent: true, Verified: true},
			{Kind: workflow.EventMessage, By: them, At: testNow.Add(-50 * time.Hour), Verified: true, Text: "We may have a two-bedroom home in Gillingham next month."},
			{Kind: workflow.EventOfferMade, By: them, At: testNow.Add(-26 * time.Hour), Verified: true},
			{Kind: workflow.EventOfferMade, By: north, At: testNow.Add(-20 * time.Hour), Verified: true},
		},
		Offers: []OfferView{
			{Offer: o1, Landlord: client.OrgRef{ID: them.Org, Name: them.OrgName}, State: workflow.OfferPending, Made: testNow.Add(-26 * time.Hour)},
			{Offer: o2, Landlord: client.OrgRef{ID: north.Org, Name: north.OrgName}, State: workflow.OfferPending, Made: testNow.Add(-20 * time.Hour)},
		},
		Reads: []ReadReceipt{{Reader: them, Kind: "referral", ReadAt: testNow.Add(-70 * time.Hour)}},
		Attachments: []AttachmentInfo{{ID: payload.ID{0xf1}, Name: "floor-plan.pdf", Size: 184320, From: them,
			At: testNow.Add(-25 * time.Hour), Complete: true}},
		Sent: []SentPacket{{Envelope: crypto.EnvelopeID{0xe1}, Kind: "referral", At: testNow.Add(-72 * time.Hour)},
			{Envelope: crypto.EnvelopeID{0xe2}, Kind: "message", At: testNow.Add(-48 * time.Hour)}},
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
	h.core = &fakeCore{rows: demoRows(), cases: map[payload.ID]*CaseView{{1}: demoCase()}, orgs: demoOrgs(),
		devices: demoDevices(), readers: demoReaders(), adminPass: "admin key passphrase", adminDir: "/srv/saferef admin"}
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

// demoDevices are Harbour Refuge's devices.
func demoDevices() []DeviceInfo {
	until := testNow.Add(600 * 24 * time.Hour)
	return []DeviceInfo{
		{ID: crypto.DeviceID{0xd1}, Name: "Priya's laptop", Fingerprint: "11111 22222 33333 44444 55555 66666", NotAfter: until, This: true, KeySeq: 2},
		{ID: crypto.DeviceID{0xd3}, Name: "Office desktop", Fingerprint: "24680 13579 11223 34455 66778 89900", NotAfter: until},
		{ID: crypto.DeviceID{0xd4}, Name: "Old tablet", Fingerprint: "55555 44444 33333 22222 11111 00000", Status: DeviceRevoked, NotAfter: until},
	}
}

// demoReaders are the devices that could read released details.
func demoReaders() []Reader {
	return []Reader{
		{Org: orgID(2), OrgName: "Medway Homes", DeviceName: "Liaison desk", Fingerprint: "31415 92653 58979 32384 62643 38327"},
		{Org: orgID(2), OrgName: "Medway Homes", DeviceName: "Lettings manager", Fingerprint: "27182 81828 45904 52353 60287 47135"},
		{Org: orgID(1), OrgName: "Harbour Refuge", DeviceName: "Office desktop", Fingerprint: "24680 13579 11223 34455 66778 89900"},
	}
}
