package desktop

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/crypto"
)

func TestUnlockShowsCaseList(t *testing.T) {
	h := newHarness(t, true)
	assertMarkup(t, "unlock.xml", h.app.Window().Canvas())
	h.unlock()
	m := h.app.main
	if got := len(m.cases.shown); got != 3 {
		t.Fatalf("case list shows %d cases, want 3", got)
	}
	if m.cases.shown[0].Reference != "KMR-2026-0002" {
		t.Errorf("first case %s, want the one that needs action (KMR-2026-0002)", m.cases.shown[0].Reference)
	}
	if !strings.HasPrefix(m.conn.label.Text, "Online") {
		t.Errorf("connection bar %q, want online", m.conn.label.Text)
	}
	assertMarkup(t, "cases.xml", h.app.Window().Canvas())
}

func TestWrongPassphraseAndRetryDelay(t *testing.T) {
	h := newHarness(t, true)
	s := h.app.unlock
	for i := 1; i <= 3; i++ {
		test.Type(s.pass, "wrong guess")
		test.Tap(s.button)
		if h.app.main != nil {
			t.Fatal("a wrong passphrase unlocked the app")
		}
		if s.pass.Text != "" {
			t.Error("the wrong passphrase was left in the entry")
		}
	}
	if want := "Wrong passphrase. Try again in 2 s."; s.message.Text != want {
		t.Fatalf("after 3 failures message %q, want %q", s.message.Text, want)
	}
	if !s.button.Disabled() {
		t.Error("unlock button enabled during the retry delay")
	}
	assertMarkup(t, "unlock_wrong.xml", h.app.Window().Canvas())
	// A try during the delay does not reach the vault.
	opens := h.homes.opens
	test.Type(s.pass, h.homes.pass)
	s.submit()
	if h.homes.opens != opens || h.app.main != nil {
		t.Fatal("an attempt during the retry delay was let through")
	}
	h.now = h.now.Add(time.Second)
	h.app.tick(h.now)
	if want := "Wrong passphrase. Try again in 1 s."; s.message.Text != want {
		t.Errorf("countdown %q, want %q", s.message.Text, want)
	}
	h.now = h.now.Add(time.Second)
	h.app.tick(h.now)
	if s.button.Disabled() {
		t.Fatal("unlock button still disabled after the delay")
	}
	if !strings.Contains(s.message.Text, "did not unlock") {
		t.Errorf("after the delay message %q", s.message.Text)
	}
	test.Tap(s.button)
	if h.app.main == nil {
		t.Fatalf("right passphrase after the delay did not unlock: %q", s.message.Text)
	}
}

func TestRetryDelays(t *testing.T) {
	want := []time.Duration{0, 0, 0, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}
	for i, w := range want {
		if got := retryDelay(i); got != w {
			t.Errorf("delay after %d failures = %v, want %v", i, got, w)
		}
	}
	if got := retryDelay(60); got != maxRetryWait {
		t.Errorf("delay after 60 failures = %v, want the cap %v", got, maxRetryWait)
	}
}

func TestLockShortcut(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	// With the search entry focused (entries swallow unknown shortcuts).
	h.app.main.search.TypedShortcut(shortcut(keyLock))
	if h.app.main != nil || h.app.core != nil || !h.core.closed {
		t.Fatal("Ctrl+L in the search entry did not lock")
	}
	if h.app.unlock == nil {
		t.Fatal("no unlock screen after locking")
	}
	// With nothing focused, through the canvas.
	h.unlock()
	h.app.Window().Canvas().Unfocus()
	h.app.Window().Canvas().(fyne.Shortcutable).TypedShortcut(shortcut(keyLock))
	if h.app.main != nil || !h.core.closed {
		t.Fatal("Ctrl+L on the canvas did not lock")
	}
}

func TestIdleLock(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	h.now = h.now.Add(4 * time.Minute)
	h.app.tick(h.now)
	if h.app.main == nil {
		t.Fatal("locked before the idle timeout")
	}
	test.Type(h.app.main.search, "x") // activity resets the timer
	h.now = h.now.Add(4 * time.Minute)
	h.app.tick(h.now)
	if h.app.main == nil {
		t.Fatal("locked although the user typed within the timeout")
	}
	h.now = h.now.Add(5 * time.Minute)
	h.app.tick(h.now)
	if h.app.main != nil || !h.core.closed {
		t.Fatal("not locked after 5 idle minutes")
	}
	if !strings.Contains(h.app.unlock.message.Text, "inactivity") {
		t.Errorf("unlock message %q", h.app.unlock.message.Text)
	}
}

func TestFocusOrder(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	c := h.app.Window().Canvas()
	c.Unfocus()
	m := h.app.main
	m.toggleFilters()
	want := []fyne.Focusable{m.newRef, m.search, m.filterBtn, m.orgBtn, m.setBtn, m.syncBtn, m.lockBtn, m.filters.status, m.filters.org,
		m.filters.district, m.filters.from, m.filters.to, m.filters.clear, m.cases.table}
	for i, w := range want {
		c.FocusNext()
		if c.Focused() != w {
			t.Fatalf("tab %d focused %T, want %T", i+1, c.Focused(), w)
		}
	}
}

func TestCaseListFilterAndSearch(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	m := h.app.main
	refs := func() []string {
		var r []string
		for _, c := range m.cases.shown {
			r = append(r, c.Reference)
		}
		return r
	}
	test.Type(m.search, "north kent")
	if got := refs(); !slices.Equal(got, []string{"KMR-2026-0002"}) {
		t.Errorf("search 'north kent' shows %v", got)
	}
	m.search.SetText("")
	m.filters.status.SetSelected("Closed")
	if got := refs(); !slices.Equal(got, []string{"KMR-2025-0107"}) {
		t.Errorf("status Closed shows %v", got)
	}
	m.filters.status.ClearSelected()
	m.filters.district.SetSelected("Medway")
	if got := refs(); !slices.Equal(got, []string{"KMR-2026-0001"}) {
		t.Errorf("district Medway shows %v", got)
	}
	m.filters.district.ClearSelected()
	m.filters.org.SetSelected("Medway Homes")
	if got := refs(); !slices.Equal(got, []string{"KMR-2026-0001", "KMR-2025-0107"}) {
		t.Errorf("organisation Medway Homes shows %v", got)
	}
	test.Tap(m.filters.clear)
	test.Type(m.filters.from, "2026-03-01")
	if got := refs(); !slices.Equal(got, []string{"KMR-2026-0002", "KMR-2026-0001"}) {
		t.Errorf("from 2026-03-01 shows %v", got)
	}
	test.Type(m.filters.to, "2026-03-1")
	if m.filters.problem.Text == "" {
		t.Error("a bad date shows no problem")
	}
	test.Type(m.filters.to, "1")
	if got := refs(); !slices.Equal(got, []string{"KMR-2026-0002"}) {
		t.Errorf("2026-03-01..2026-03-11 shows %v", got)
	}
	if m.count.Text != "1 of 3 cases" {
		t.Errorf("count %q", m.count.Text)
	}
}

func TestCaseViewAndMessage(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	m := h.app.main
	m.cases.table.Select(widget.TableCellID{Row: 1, Col: 1}) // KMR-2026-0001, sorted second
	if m.open == nil || m.open.c.Reference != "KMR-2026-0001" {
		t.Fatal("selecting the row did not open the case")
	}
	assertMarkup(t, "caseview.xml", h.app.Window().Canvas())
	test.Tap(m.open.send)
	if m.open.feedback.Text == "" || len(h.core.messages) != 0 {
		t.Error("an empty message was sent or not refused")
	}
	test.Type(m.open.message, "Viewing on Tuesday suits")
	test.Tap(m.open.send)
	if !slices.Equal(h.core.messages, []string{"Viewing on Tuesday suits"}) {
		t.Errorf("messages sent %q", h.core.messages)
	}
}

func TestNewReferralForm(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	h.app.Window().Canvas().(fyne.Shortcutable).TypedShortcut(shortcut(keyNewReferral))
	f := h.app.main.form
	if f == nil {
		t.Fatal("Ctrl+N did not open the new referral form")
	}
	if h.app.Window().Canvas().Focused() != f.reference {
		t.Error("the form does not start on the reference")
	}
	// Sending an empty form shows every problem on its own field.
	test.Tap(f.send)
	for _, k := range []string{"reference", "districts_acceptable", "risk.dash_band", "urgency", "current_tenancy", "recipients"} {
		if l := f.errs.label(k); l.Hidden || l.Text == "" {
			t.Errorf("no inline error on %s", k)
		}
	}
	if len(h.core.referrals) != 0 {
		t.Fatal("an invalid referral was sent")
	}
	assertMarkup(t, "referral_errors.xml", h.app.Window().Canvas())

	test.Type(f.reference, "KMR-2026-0003")
	f.adults.SetText("")
	test.Type(f.adults, "1")
	f.children["5-11"].SetText("2")
	f.bedrooms.SetText("3")
	f.acceptable.SetSelected([]string{"Medway"})
	if !slices.Equal(f.recipients.Options, []string{"Medway Homes"}) {
		t.Errorf("recipients for Medway %v, want Medway Homes", f.recipients.Options)
	}
	f.avoid.SetSelected([]string{"Swale"})
	f.dash.SetSelected(choiceLabel("high"))
	f.marac.SetChecked(true)
	f.urgency.SetSelected(choiceLabel("urgent"))
	f.tenancy.SetSelected(choiceLabel("refuge"))
	test.Type(f.notes, "Needs a ground-floor home.")
	fillHousehold(f)
	test.Tap(f.send)
	if len(h.core.referrals) != 1 {
		var problems []string
		for k, l := range f.errs.labels {
			if l.Text != "" {
				problems = append(problems, k+": "+l.Text)
			}
		}
		t.Fatalf("referral not sent: %q %v", f.feedback.Text, problems)
	}
	r := h.core.referrals[0]
	if r.Reference != "KMR-2026-0003" || len(r.Children) != 2 || r.Bedrooms != 3 || r.Risk.DASHBand != "high" || !r.Risk.MARAC {
		t.Errorf("sent referral %+v", r)
	}
	if !slices.Equal(h.core.sentTo[0], []crypto.OrgID{orgID(2)}) {
		t.Errorf("sent to %v, want Medway Homes only", h.core.sentTo[0])
	}
}

func TestFieldKey(t *testing.T) {
	for in, want := range map[string]string{
		"referral.children[1].age_band": "children", "referral.risk.dash_band": "risk.dash_band",
		"referral.adaptations[3]": "adaptations", "referral.notes": "notes",
	} {
		if got := fieldKey(in); got != want {
			t.Errorf("fieldKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnrolment(t *testing.T) {
	h := newHarness(t, false)
	s := h.app.enrol
	if s == nil {
		t.Fatal("no enrolment screen for a home without a device")
	}
	assertMarkup(t, "enrol.xml", h.app.Window().Canvas())
	test.Type(s.scheme, "/home/priya/scheme.json")
	test.Type(s.relay, "wss://relay.kent.example")
	test.Type(s.org, "0123456789abcdef0123456789abcdef")
	test.Type(s.name, "Priya's laptop")
	test.Type(s.pass, "a long passphrase")
	test.Type(s.again, "a long passphrasf")
	test.Tap(s.button)
	if len(h.homes.enrols) != 0 || s.errs["again"].Text == "" {
		t.Fatal("different passphrases were accepted")
	}
	s.again.SetText("")
	test.Type(s.again, "a long passphrase")
	test.Tap(s.button)
	if len(h.homes.enrols) != 1 {
		t.Fatalf("enrol not called; errors %v", s.errs)
	}
	if o := h.homes.enrols[0]; o.Name != "Priya's laptop" || o.Relay != "wss://relay.kent.example" || o.Passphrase != "a long passphrase" {
		t.Errorf("enrol options %+v", o)
	}
	if s.fingerprint == "" {
		t.Fatal("fingerprint not shown")
	}
	assertMarkup(t, "fingerprint.xml", h.app.Window().Canvas())
}

func TestClipboardClearsAfter30s(t *testing.T) {
	h := newHarness(t, true)
	clip := h.fapp.Clipboard()
	h.app.clip.copy("/home/priya/.saferef/enrolment-request.json")
	if len(h.after) != 1 || h.after[0] != 30*time.Second {
		t.Fatalf("clipboard clear scheduled after %v, want 30s", h.after)
	}
	h.timer[0]()
	if clip.Content() != "" {
		t.Error("copied text still on the clipboard after 30 s")
	}
	h.app.clip.copy("ours")
	clip.SetContent("the user's own")
	h.timer[1]()
	if clip.Content() != "the user's own" {
		t.Error("the clipboard guard removed text it did not put there")
	}
}

func TestNotificationSaysNothingIdentifying(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	h.core.syncNew = 2
	test.AssertNotificationSent(t, fyne.NewNotification("Saferef", "New referral activity"), func() {
		h.app.SyncNow()
	})
}

func TestOfflineShowsInBar(t *testing.T) {
	h := newHarness(t, true)
	h.core.syncErr = errWrongPass
	h.unlock()
	if !strings.HasPrefix(h.app.main.conn.label.Text, "Offline") {
		t.Errorf("bar %q, want offline", h.app.main.conn.label.Text)
	}
}

// TestStaleViewWarningShowsInBar: a warning the device raised about its
// view of the keys (here: the witnesses have not confirmed it recently)
// shows in the connection bar in plain words, with a warning icon.
func TestStaleViewWarningShowsInBar(t *testing.T) {
	h := newHarness(t, true)
	h.core.syncWarning = "this device's list of keys was last confirmed by the scheme's witnesses too long ago"
	h.unlock()
	if txt := h.app.main.conn.label.Text; !strings.HasPrefix(txt, "Online") || !strings.Contains(txt, "Warning: this device's list of keys was last confirmed by the scheme's witnesses too long ago") {
		t.Errorf("bar %q, want the warning", txt)
	}
}

// recordingPrefs records every preference the app writes.
type recordingPrefs struct {
	fyne.Preferences
	set map[string]any
}

func (p *recordingPrefs) SetBool(k string, v bool)     { p.set[k] = v; p.Preferences.SetBool(k, v) }
func (p *recordingPrefs) SetFloat(k string, v float64) { p.set[k] = v; p.Preferences.SetFloat(k, v) }
func (p *recordingPrefs) SetInt(k string, v int)       { p.set[k] = v; p.Preferences.SetInt(k, v) }
func (p *recordingPrefs) SetString(k string, v string) { p.set[k] = v; p.Preferences.SetString(k, v) }
func (p *recordingPrefs) SetStringList(k string, v []string) {
	p.set[k] = v
	p.Preferences.SetStringList(k, v)
}
func (p *recordingPrefs) SetIntList(k string, v []int) { p.set[k] = v; p.Preferences.SetIntList(k, v) }
func (p *recordingPrefs) SetFloatList(k string, v []float64) {
	p.set[k] = v
	p.Preferences.SetFloatList(k, v)
}
func (p *recordingPrefs) SetBoolList(k string, v []bool) {
	p.set[k] = v
	p.Preferences.SetBoolList(k, v)
}
func (p *recordingPrefs) SetStringWithFallback(k, v string) error { p.set[k] = v; return nil }

type prefsApp struct {
	fyne.App
	prefs *recordingPrefs
}

func (a prefsApp) Preferences() fyne.Preferences { return a.prefs }

func TestPreferencesHoldNoCaseData(t *testing.T) {
	base := test.NewTempApp(t)
	rec := &recordingPrefs{Preferences: base.Preferences(), set: map[string]any{}}
	h := newHarnessOn(t, prefsApp{App: base, prefs: rec}, true)
	h.unlock()
	h.app.main.cases.table.Select(widget.TableCellID{Row: 1, Col: 1})
	test.Type(h.app.main.search, "KMR")
	h.app.prefs.setIdleTimeout(10 * time.Minute)
	h.app.prefs.saveWindowSize(fyne.NewSize(900, 700))
	h.app.Lock()
	b, err := json.Marshal(rec.set)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.set) == 0 {
		t.Fatal("no preferences recorded: the test would prove nothing")
	}
	for _, marker := range []string{h.homes.pass, "KMR-", "Medway", "Harbour", "Gillingham", "Priya", "refuge", "11111 22222"} {
		if strings.Contains(strings.ToLower(string(b)), strings.ToLower(marker)) {
			t.Errorf("preferences hold %q: %s", marker, b)
		}
	}
	for k := range rec.set {
		if k != prefIdleMinutes && k != prefWindowWidth && k != prefWindowHeight {
			t.Errorf("unexpected preference %q", k)
		}
	}
}
