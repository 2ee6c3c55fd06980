package desktop_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/internal/desktop"
	"github.com/saferef/saferef/internal/desktop/devicecore"
	"github.com/saferef/saferef/internal/schemetest"
)

// TestUnlockRealHome enrols a real device home with the client core and
// unlocks it through the UI: a wrong passphrase first, then the right one.
// No relay runs, so the app must come up offline.
func TestUnlockRealHome(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := schemetest.New(t, 1, 1)
	org := s.AddOrg(t, "Harbour Refuge", "provider")
	b, err := s.Scheme.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	schemeFile := filepath.Join(dir, "scheme.json")
	if err := os.WriteFile(schemeFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	const pass = "a real passphrase for the test"
	if _, err := client.Enrol(ctx, &client.EnrolOptions{Home: home, SchemeFile: schemeFile, Relay: "ws://127.0.0.1:1",
		Org: org.ID, Name: "Test laptop", Passphrase: pass, WorkFactor: 10}); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	a, err := desktop.New(fyne.CurrentApp(), desktop.Options{Home: home, Homes: devicecore.Homes{},
		Background: func(f func()) { f() }, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Lock(); a.Window().Close() })
	a.Start()
	c := a.Window().Canvas()
	submit := func(p string) {
		test.Type(c.Focused(), p)
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	submit("not the passphrase")
	if m := test.RenderToMarkup(c); !strings.Contains(m, "That passphrase did not unlock this device") {
		t.Fatalf("no wrong-passphrase message:\n%s", m)
	}
	submit(pass)
	m := test.RenderToMarkup(c)
	if !strings.Contains(m, "Test laptop") || !strings.Contains(m, "Offline") {
		t.Fatalf("not unlocked and offline:\n%s", m)
	}
}
