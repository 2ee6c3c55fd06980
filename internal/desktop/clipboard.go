package desktop

import (
	"time"

	"fyne.io/fyne/v2"
)

// clipboardTTL is how long copied text may stay on the system clipboard.
const clipboardTTL = 30 * time.Second

// clipboardGuard copies text and takes it off the clipboard again after
// clipboardTTL, unless the user has copied something else meanwhile.
type clipboardGuard struct {
	clip  fyne.Clipboard
	after func(time.Duration, func())
}

// copy puts text on the clipboard and schedules its removal.
func (g clipboardGuard) copy(text string) {
	g.clip.SetContent(text)
	g.after(clipboardTTL, func() {
		fyne.Do(func() { g.clearIfStill(text) })
	})
}

// clearIfStill empties the clipboard if it still holds text.
func (g clipboardGuard) clearIfStill(text string) {
	if g.clip.Content() == text {
		g.clip.SetContent("")
	}
}
