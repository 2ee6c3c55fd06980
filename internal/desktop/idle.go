package desktop

import "time"

// idleTimer decides when an unlocked session has been idle long enough to
// lock. Activity is recorded by the app's own handlers (typing, taps,
// selections, shortcuts, pointer movement over the window).
type idleTimer struct {
	timeout time.Duration
	last    time.Time
}

// touch records activity at now.
func (t *idleTimer) touch(now time.Time) {
	if now.After(t.last) {
		t.last = now
	}
}

// expired reports whether the session has been idle for the timeout.
func (t *idleTimer) expired(now time.Time) bool {
	return t.timeout > 0 && now.Sub(t.last) >= t.timeout
}
