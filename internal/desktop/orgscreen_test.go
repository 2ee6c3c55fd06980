package desktop

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/saferef/saferef/crypto"
)

func TestOrganisationScreen(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	m := h.app.main
	h.core.verified = map[crypto.OrgID]bool{orgID(2): true}
	test.Tap(m.orgBtn)
	s := m.org
	if s == nil {
		t.Fatal("no organisation screen")
	}
	c := h.app.Window().Canvas()
	if c.Focused() != s.rotate {
		t.Errorf("focus on %T, want the rotate button", c.Focused())
	}
	assertTabOrder(t, c, s.rotate, s.revokes[crypto.DeviceID{0xd3}], s.request, s.browse, s.adminDir, s.adminBrowse, s.spoken, s.check)
	if _, ok := s.revokes[crypto.DeviceID{0xd1}]; ok {
		t.Error("this device can be revoked from itself")
	}
	if _, ok := s.revokes[crypto.DeviceID{0xd4}]; ok {
		t.Error("a revoked device offers Revoke")
	}
	if !s.verified[orgID(2)].Checked || s.verified[orgID(3)].Checked {
		t.Error("verified marks not loaded from the core")
	}
	if _, ok := s.verified[orgID(1)]; ok {
		t.Error("my own organisation is listed as a contact")
	}
	assertMarkup(t, "organisation.xml", c)

	test.Tap(s.verified[orgID(3)])
	if !h.core.verified[orgID(3)] {
		t.Error("the verified mark was not stored through the core")
	}
	test.Tap(s.rotate)
	if h.core.rotations != 1 || !strings.Contains(s.rotated.Text, "New key") {
		t.Errorf("rotations %d, message %q", h.core.rotations, s.rotated.Text)
	}

	// An enrolment request: the fingerprint read out must match.
	test.Type(s.request, "/home/sam/enrolment-request.json")
	test.Type(s.adminDir, "/srv/saferef admin")
	test.Type(s.spoken, "98765 43210 12345 67890 24680 00000")
	test.Tap(s.check)
	if !strings.Contains(s.result.Text, "does NOT match") || !s.command.Hidden {
		t.Fatalf("mismatch not refused: %q", s.result.Text)
	}
	s.spoken.SetText("98765 43210 12345 67890 24680 13579")
	test.Tap(s.check)
	want := "saferef-admin device approve --dir '/srv/saferef admin' --relay wss://relay.kent.example --fingerprint '98765 43210 12345 67890 24680 13579' /home/sam/enrolment-request.json"
	if s.command.Hidden || s.command.Text != want {
		t.Fatalf("command %q, want %q (result %q)", s.command.Text, want, s.result.Text)
	}
	test.Tap(s.copyCmd)
	if h.fapp.Clipboard().Content() != want {
		t.Error("the command was not copied")
	}

	if s.approve.Hidden {
		t.Error("a matching request offers no Approve")
	}

	test.Tap(s.revokes[crypto.DeviceID{0xd3}])
	if !strings.HasPrefix(s.command.Text, "saferef-admin device revoke --dir '/srv/saferef admin' --relay wss://relay.kent.example ") ||
		!strings.HasSuffix(s.command.Text, (crypto.DeviceID{0xd3}).String()) {
		t.Errorf("revoke command %q", s.command.Text)
	}
	if s.prompt == nil {
		t.Fatal("Revoke… asked nothing")
	}
	test.Tap(s.prompt.cancel)
	if s.prompt != nil || len(h.core.revoked) != 0 {
		t.Fatal("cancel did not close the prompt, or revoked")
	}

	// Back to the cases with the same button, and there again with Ctrl+O.
	test.Tap(m.orgBtn)
	if m.org != nil {
		t.Error("the organisation button did not go back to the cases")
	}
	m.search.TypedShortcut(shortcut(keyOrg))
	if m.org == nil {
		t.Error("Ctrl+O did not open the organisation screen")
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/home/sam/req.json": "/home/sam/req.json", "a b": "'a b'", "it's": `'it'\''s'`, "": "''", "$(rm)": "'$(rm)'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

// orgHarness opens the organisation screen.
func orgHarness(t *testing.T) (*harness, *orgScreen) {
	t.Helper()
	h := newHarness(t, true)
	h.unlock()
	test.Tap(h.app.main.orgBtn)
	if h.app.main.org == nil {
		t.Fatal("no organisation screen")
	}
	return h, h.app.main.org
}

// TestApproveFlow: check the request, approve with a wrong passphrase (a
// clear error, nothing approved), then with the right one; the passphrase
// never stays in the entry and the admin folder is remembered.
func TestApproveFlow(t *testing.T) {
	h, s := orgHarness(t)
	c := h.app.Window().Canvas()
	test.Type(s.request, "/home/sam/enrolment-request.json")
	test.Type(s.spoken, "98765 43210 12345 67890 24680 13579")
	test.Tap(s.check)
	if s.approve.Hidden {
		t.Fatalf("no Approve after a matching check: %q", s.result.Text)
	}
	// No folder yet: nothing is asked.
	test.Tap(s.approve)
	if s.prompt != nil || !strings.Contains(s.result.Text, "admin key folder") {
		t.Fatalf("approve without a folder: %q", s.result.Text)
	}
	test.Type(s.adminDir, "/srv/saferef admin")

	test.Tap(s.approve)
	p := s.prompt
	if p == nil || p.reason != nil || c.Focused() != p.pass || !p.pass.Password {
		t.Fatal("approve did not ask for the passphrase in a password entry")
	}
	test.Type(p.pass, "wrong passphrase")
	test.Tap(p.ok)
	if s.prompt != nil || p.pass.Text != "" {
		t.Fatal("the prompt stayed open, or kept the passphrase")
	}
	if len(h.core.approved) != 0 || !strings.Contains(s.result.Text, "did not unlock the admin key") {
		t.Fatalf("wrong passphrase: approved %v, %q", h.core.approved, s.result.Text)
	}
	if got := h.fapp.Preferences().String(adminDirPref); got != "" {
		t.Errorf("folder remembered after a failure: %q", got)
	}

	test.Tap(s.approve)
	p = s.prompt
	test.Type(p.pass, "admin key passphrase")
	p.pass.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if s.prompt != nil || p.pass.Text != "" {
		t.Fatal("Enter did not submit and clear the prompt")
	}
	if len(h.core.approved) != 1 || !strings.Contains(s.result.Text, "Approved Sam's laptop") || !s.approve.Hidden {
		t.Fatalf("approved %v, %q", h.core.approved, s.result.Text)
	}
	if want := []string{"wrong passphrase", "admin key passphrase"}; strings.Join(h.core.adminPasses, "|") != strings.Join(want, "|") {
		t.Errorf("passphrases given %q", h.core.adminPasses)
	}
	if got := h.fapp.Preferences().String(adminDirPref); got != "/srv/saferef admin" {
		t.Errorf("admin folder remembered as %q", got)
	}
	if _, ok := s.revokes[crypto.DeviceID{0xd2}]; !ok {
		t.Error("the approved device is not listed")
	}
	// A new screen starts with the remembered folder.
	test.Tap(h.app.main.orgBtn)
	test.Tap(h.app.main.orgBtn)
	if h.app.main.org.adminDir.Text != "/srv/saferef admin" {
		t.Errorf("folder not restored: %q", h.app.main.org.adminDir.Text)
	}
}

// TestApproveRelayError: a relay refusal is explained.
func TestApproveRelayError(t *testing.T) {
	h, s := orgHarness(t)
	h.core.adminErr = fmt.Errorf("publish device certificate: %w: relay said no", ErrAdminRelay)
	test.Type(s.request, "/home/sam/enrolment-request.json")
	test.Type(s.adminDir, "/srv/saferef admin")
	test.Type(s.spoken, "98765 43210 12345 67890 24680 13579")
	test.Tap(s.check)
	test.Tap(s.approve)
	test.Type(s.prompt.pass, "admin key passphrase")
	test.Tap(s.prompt.ok)
	if !strings.Contains(s.result.Text, "relay could not be reached, or refused it") || !strings.Contains(s.result.Text, "relay said no") {
		t.Fatalf("relay refusal: %q", s.result.Text)
	}
	// A mismatching fingerprint never offers Approve.
	s.spoken.SetText("00000")
	test.Tap(s.check)
	if !s.approve.Hidden {
		t.Error("Approve offered for a mismatching fingerprint")
	}
}

// TestRevokeFlow: Revoke… warns, asks a reason and the passphrase; a wrong
// passphrase revokes nothing; the right one revokes with the reason.
func TestRevokeFlow(t *testing.T) {
	h, s := orgHarness(t)
	c := h.app.Window().Canvas()
	dev := crypto.DeviceID{0xd3}
	test.Tap(s.revokes[dev])
	if s.prompt != nil || !strings.Contains(s.result.Text, "admin key folder first") || s.command.Hidden {
		t.Fatalf("revoke without a folder: %q", s.result.Text)
	}
	test.Type(s.adminDir, "/srv/saferef admin")
	test.Tap(s.revokes[dev])
	p := s.prompt
	if p == nil || p.reason == nil || c.Focused() != p.reason {
		t.Fatal("revoke did not ask for a reason first")
	}
	assertMarkup(t, "organisation_revoke.xml", c)
	if !strings.HasSuffix(p.message.Text, "This device will be shut out at once. Continue?") || !p.popup.Visible() {
		t.Error("no warning in the revoke prompt")
	}
	test.Tap(p.ok) // no passphrase: nothing happens
	if s.prompt == nil || len(h.core.adminPasses) != 0 {
		t.Fatal("revoke went ahead without a passphrase")
	}
	test.Type(p.reason, "laptop lost on the train")
	test.Type(p.pass, "nope")
	test.Tap(p.ok)
	if len(h.core.revoked) != 0 || !strings.Contains(s.result.Text, "did not unlock") || p.pass.Text != "" {
		t.Fatalf("wrong passphrase: %v %q", h.core.revoked, s.result.Text)
	}

	test.Tap(s.revokes[dev])
	p = s.prompt
	test.Type(p.reason, "laptop lost on the train")
	test.Type(p.pass, "admin key passphrase")
	test.Tap(p.ok)
	if len(h.core.revoked) != 1 || h.core.revoked[0] != dev || h.core.revokeWhy[0] != "laptop lost on the train" {
		t.Fatalf("revoked %v %q", h.core.revoked, h.core.revokeWhy)
	}
	if !strings.Contains(s.result.Text, "Revoked") || p.pass.Text != "" {
		t.Fatalf("after revoking: %q", s.result.Text)
	}
	if _, ok := s.revokes[dev]; ok {
		t.Error("the revoked device still offers Revoke")
	}
}

// TestRevokeDefaultReason: no reason given records saferef-admin's default.
func TestRevokeDefaultReason(t *testing.T) {
	h, s := orgHarness(t)
	test.Type(s.adminDir, "/srv/saferef admin")
	test.Tap(s.revokes[crypto.DeviceID{0xd3}])
	test.Type(s.prompt.pass, "admin key passphrase")
	test.Tap(s.prompt.ok)
	if len(h.core.revokeWhy) != 1 || h.core.revokeWhy[0] != defaultRevokeReason {
		t.Fatalf("reasons %q", h.core.revokeWhy)
	}
}

func TestAdminProblem(t *testing.T) {
	for err, want := range map[error]string{
		fmt.Errorf("x: %w", ErrAdminWrongPassphrase): "did not unlock",
		fmt.Errorf("x: %w", ErrFingerprintMismatch):  "does NOT match",
		fmt.Errorf("x: %w", ErrAdminKeyMissing):      "does not hold",
		fmt.Errorf("x: %w", ErrAdminRelay):           "relay could not be reached",
		errors.New("disk on fire"):                   "It did not work: disk on fire",
	} {
		if got := adminProblem(err); !strings.Contains(got, want) {
			t.Errorf("adminProblem(%v) = %q, want %q", err, got, want)
		}
	}
}

// TestMoveRelayFromOrganisationScreen (issue 12, item 10): the desktop's
// way to move the device to another relay node goes through the core's
// SetRelay (which checks the new relay's log) and says what happened.
func TestMoveRelayFromOrganisationScreen(t *testing.T) {
	h := newHarness(t, true)
	h.unlock()
	m := h.app.main
	test.Tap(m.orgBtn)
	s := m.org
	if s.relayURL.Text != "wss://relay.kent.example" {
		t.Fatalf("relay shown %q", s.relayURL.Text)
	}
	s.relayURL.SetText("")
	test.Type(s.relayURL, "wss://relay2.kent.example")
	test.Tap(s.moveRelay)
	h.core.mu.Lock()
	relays := h.core.relays
	h.core.mu.Unlock()
	if len(relays) != 1 || relays[0] != "wss://relay2.kent.example" || !strings.Contains(s.relayResult.Text, "now uses wss://relay2.kent.example") {
		t.Fatalf("SetRelay calls %v, message %q", relays, s.relayResult.Text)
	}
}
