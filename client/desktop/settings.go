package desktop

import (
	"time"

	"fyne.io/fyne/v2"
)

// Preference keys. Fyne keeps preferences as plain JSON on disk, so they hold
// UI settings only: never a case, a name, a district or a passphrase.
const (
	prefIdleMinutes  = "idle_lock_minutes"
	prefWindowWidth  = "window_width"
	prefWindowHeight = "window_height"
)

// Defaults for the UI settings.
const (
	defaultIdleMinutes = 5
	defaultWidth       = 1280
	defaultHeight      = 800
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

// windowSize is the window size saved at the last exit.
func (s settings) windowSize() fyne.Size {
	w := s.p.FloatWithFallback(prefWindowWidth, defaultWidth)
	h := s.p.FloatWithFallback(prefWindowHeight, defaultHeight)
	return fyne.NewSize(float32(max(w, 640)), float32(max(h, 480)))
}

// saveWindowSize stores the window size.
func (s settings) saveWindowSize(sz fyne.Size) {
	s.p.SetFloat(prefWindowWidth, float64(sz.Width))
	s.p.SetFloat(prefWindowHeight, float64(sz.Height))
}
