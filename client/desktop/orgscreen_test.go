package desktop

import (
	"strings"
	"testing"

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
	assertTabOrder(t, c, s.rotate, s.revokes[crypto.DeviceID{0xd3}], s.request, s.browse, s.adminDir, s.spoken, s.check)
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

	test.Tap(s.revokes[crypto.DeviceID{0xd3}])
	if !strings.HasPrefix(s.command.Text, "saferef-admin device revoke --dir '/srv/saferef admin' --relay wss://relay.kent.example ") ||
		!strings.HasSuffix(s.command.Text, (crypto.DeviceID{0xd3}).String()) {
		t.Errorf("revoke command %q", s.command.Text)
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
