package desktop

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// entry is a widget.Entry that keeps the app's shortcuts working while it
// has focus (Fyne hands every shortcut to the focused entry, which drops the
// ones it does not know) and counts typing as activity for the idle lock.
type entry struct {
	widget.Entry
	app *App
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
}

// TypedKey records activity, runs F5 (sync) and handles the key.
func (e *entry) TypedKey(k *fyne.KeyEvent) {
	e.app.touch()
	if k.Name == fyne.KeyF5 && e.app.runSyncKey() {
		return
	}
	e.Entry.TypedKey(k)
}

// AcceptsTab is false even for multi-line entries: Tab moves to the next
// field, so every form can be worked through with the keyboard alone.
func (e *entry) AcceptsTab() bool { return false }

// newChoice is a radio group whose changes count as activity for the idle
// lock; when there is only one option it is chosen already, so the user is
// not asked to pick the only answer.
func newChoice(a *App, options []string) *widget.RadioGroup {
	g := widget.NewRadioGroup(options, func(string) { a.touch() })
	if len(options) == 1 {
		g.SetSelected(options[0])
	}
	return g
}
