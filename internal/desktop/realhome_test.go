package desktop_test

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/saferef/saferef/internal/desktop"
	"github.com/saferef/saferef/internal/desktop/devicecore"
	"github.com/saferef/saferef/internal/hometest"
)

// TestUnlockRealHome enrols a real device home with the client core and
// unlocks it through the UI: a wrong passphrase first, then the right one.
// No relay runs, so the app must come up offline.
func TestUnlockRealHome(t *testing.T) {
	w := hometest.Offline(t)
	e := w.Enrol(w.Org("Harbour Refuge", "provider"), "Test laptop", hometest.DeviceOptions{})
	test.NewTempApp(t)
	a, err := desktop.New(fyne.CurrentApp(), desktop.Options{Home: e.Path, Homes: devicecore.Homes{},
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
	submit(e.Passphrase)
	m := test.RenderToMarkup(c)
	if !strings.Contains(m, "Test laptop") || !strings.Contains(m, "Offline") {
		t.Fatalf("not unlocked and offline:\n%s", m)
	}
}
