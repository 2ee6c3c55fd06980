package desktop

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// entry is a widget.Entry that keeps the app's shortcuts working while it
// has focus (Fyne hands every shortcut to the focused entry, which drops the
// ones it does not know) and counts typing as activity for the idle lock.
type entry struct {
	widget.Entry
	app     *App
	minRows int    // a multi-line entry's rows when empty
	onLeave func() // runs when the entry loses the focus (checks the field)
}

func newEntry(a *App) *entry {
	e := &entry{app: a}
	e.ExtendBaseWidget(e)
	return e
}

func newPasswordEntry(a *App) *entry {
	e := newEntry(a)
	e.Password = true
	return e
}

func newMultiLineEntry(a *App) *entry {
	e := newEntry(a)
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

// TypedShortcut runs the app's shortcuts, and the entry's own otherwise.
func (e *entry) TypedShortcut(s fyne.Shortcut) {
	e.app.touch()
	if e.app.runShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// TypedRune records activity and types the rune.
func (e *entry) TypedRune(r rune) {
	e.app.touch()
	e.Entry.TypedRune(r)
	e.grow()
}

// TypedKey records activity, runs F5 (sync), cancels on Escape and
// handles the key.
func (e *entry) TypedKey(k *fyne.KeyEvent) {
	e.app.touch()
	switch {
	case k.Name == fyne.KeyF5 && e.app.runSyncKey():
		return
	case k.Name == fyne.KeyEscape:
		e.app.escape()
		return
	}
	e.Entry.TypedKey(k)
	e.grow()
}

// FocusGained scrolls the entry into view.
func (e *entry) FocusGained() {
	e.Entry.FocusGained()
	e.app.reveal(e)
}

// FocusLost checks the field the user leaves.
func (e *entry) FocusLost() {
	e.Entry.FocusLost()
	if e.onLeave != nil {
		e.onLeave()
	}
}

// SetMinRowsVisible sets the rows a multi-line entry shows when empty; it
// grows with its text (so that it never scrolls inside, and the mouse
// wheel always scrolls the form).
func (e *entry) SetMinRowsVisible(n int) {
	e.minRows = n
	e.Entry.SetMinRowsVisible(n)
}

// setText replaces the text and fits the entry to it.
func (e *entry) setText(s string) {
	e.SetText(s)
	e.grow()
}

// grow fits a multi-line entry's height to its text (about 70 characters a
// wrapped line), up to 30 rows.
func (e *entry) grow() {
	if !e.MultiLine || e.minRows == 0 {
		return
	}
	rows := 1
	for _, l := range strings.Split(e.Text, "\n") {
		rows += len([]rune(l))/70 + 1
	}
	rows = min(max(rows, e.minRows), 30)
	e.Entry.SetMinRowsVisible(rows)
}

// AcceptsTab is false even for multi-line entries: Tab moves to the next
// field, so every form can be worked through with the keyboard alone.
func (e *entry) AcceptsTab() bool { return false }

// newChoice is a radio group whose changes count as activity for the idle
// lock. Nothing is chosen in advance, even when there is one option: an
// outcome is always the user's own choice.
func newChoice(a *App, options []string) *choice {
	return newChoiceGroup(a, options)
}
