package desktop

import (
	"slices"
	"time"

	"fyne.io/fyne/v2"
)

// Preference keys. Fyne keeps preferences as plain JSON on disk, so they hold
// UI settings only: never a case, a name, a district or a passphrase.
const (
	prefIdleMinutes  = "idle_lock_minutes"
	prefWindowWidth  = "window_width"
	prefWindowHeight = "window_height"
	prefTheme        = "theme"      // "system", "light" or "dark"
	prefTextScale    = "text_scale" // percent: 100, 115, 130 or 150
	prefShowAdmin    = "show_admin" // show the admin actions without an admin key in the home
)

// Defaults for the UI settings. The first window fits a 1024×768 screen
// with a taskbar (and grows to the screen when Options.Screen is known);
// after that the size the user left it at is kept.
const (
	defaultIdleMinutes = 5
	defaultWidth       = 1024
	defaultHeight      = 700
)

// themeChoices and textScales are what the settings screen offers.
var (
	themeChoices = []string{"system", "light", "dark"}
	textScales   = []int{100, 115, 130, 150}
)

// settings reads and writes the app's few UI preferences.
type settings struct {
	p fyne.Preferences
}

// idleTimeout is how long the app may sit idle before it locks (1 to 60
// minutes).
func (s settings) idleTimeout() time.Duration {
	m := s.p.IntWithFallback(prefIdleMinutes, defaultIdleMinutes)
	m = min(max(m, 1), 60)
	return time.Duration(m) * time.Minute
}

// setIdleTimeout stores the idle timeout in whole minutes.
func (s settings) setIdleTimeout(d time.Duration) {
	s.p.SetInt(prefIdleMinutes, int(d/time.Minute))
}

// windowSize is the window size saved last, or on the first run one that
// fits the screen (90 % of it, at most 1440×900), or 1024×700 when the
// screen's size is not known.
func (s settings) windowSize(screen fyne.Size) fyne.Size {
	w, h := float64(defaultWidth), float64(defaultHeight)
	if screen.Width >= 800 && screen.Height >= 600 {
		w = min(float64(screen.Width)*0.9, 1440)
		h = min(float64(screen.Height)*0.9, 900)
	}
	w = s.p.FloatWithFallback(prefWindowWidth, w)
	h = s.p.FloatWithFallback(prefWindowHeight, h)
	return fyne.NewSize(float32(max(w, 800)), float32(max(h, 560)))
}

// theme is the theme chosen: "system", "light" or "dark".
func (s settings) theme() string {
	t := s.p.StringWithFallback(prefTheme, "system")
	if !slices.Contains(themeChoices, t) {
		return "system"
	}
	return t
}

// textScale is the text size chosen, in percent.
func (s settings) textScale() int {
	n := s.p.IntWithFallback(prefTextScale, 100)
	if !slices.Contains(textScales, n) {
		return 100
	}
	return n
}

// showAdmin reports whether the user asked to see admin actions.
func (s settings) showAdmin() bool { return s.p.BoolWithFallback(prefShowAdmin, false) }

// saveWindowSize stores the window size.
func (s settings) saveWindowSize(sz fyne.Size) {
	s.p.SetFloat(prefWindowWidth, float64(sz.Width))
	s.p.SetFloat(prefWindowHeight, float64(sz.Height))
}
