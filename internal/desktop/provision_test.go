package desktop

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestEnrolFormStartsWithProvisionedScheme checks that a scheme file placed
// by IT (Options.SchemeFile, from client.ProvisionedSchemeFile) fills the
// enrolment form's first field, and that without one the field is empty.
func TestEnrolFormStartsWithProvisionedScheme(t *testing.T) {
	for _, want := range []string{`C:\ProgramData\Saferef\scheme.json`, ""} {
		core := &fakeCore{}
		a, err := New(test.NewTempApp(t), Options{Home: "/home/priya/.local/share/saferef",
			Homes: &fakeHomes{enrolled: false, core: core}, Now: func() time.Time { return testNow },
			Location: time.UTC, Background: func(f func()) { f() }, SchemeFile: want})
		if err != nil {
			t.Fatal(err)
		}
		a.Start()
		if a.enrol == nil {
			t.Fatal("no enrolment form")
		}
		if got := a.enrol.scheme.Text; got != want {
			t.Errorf("scheme field %q, want %q", got, want)
		}
		a.Window().Close()
	}
}
