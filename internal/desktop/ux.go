package desktop

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// keyButton is a button that hands Escape to the app (cancel the dialog or
// form shown), so that Escape works wherever the focus is.
type keyButton struct {
	widget.Button
	app *App
}

func newKeyButton(a *App, label string, tapped func()) *keyButton {
	b := &keyButton{app: a}
	b.Text = label
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey cancels on Escape and presses the button on Enter or Return
// (as Space does).
func (b *keyButton) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape:
		b.app.escape()
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
	default:
		b.Button.TypedKey(k)
	}
}

// focusCheck is a check box that scrolls itself into view when it gets the
// focus and hands Escape to the app.
type focusCheck struct {
	widget.Check
	app *App
}

func newCheck(a *App, label string, changed func(bool)) *focusCheck {
	c := &focusCheck{app: a}
	c.Text = label
	c.OnChanged = func(on bool) {
		a.touch()
		if changed != nil {
			changed(on)
		}
	}
	c.ExtendBaseWidget(c)
	return c
}

// FocusGained scrolls the check box into view.
func (c *focusCheck) FocusGained() {
	c.Check.FocusGained()
	c.app.reveal(c)
}

// TypedKey cancels on Escape.
func (c *focusCheck) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		c.app.escape()
		return
	}
	c.Check.TypedKey(k)
}

// focusSelect is a drop-down that scrolls itself into view when it gets
// the focus.
type focusSelect struct {
	widget.Select
	app *App
}

func newSelect(a *App, options []string, changed func(string)) *focusSelect {
	s := &focusSelect{app: a}
	s.Options = options
	s.OnChanged = func(v string) {
		a.touch()
		if changed != nil {
			changed(v)
		}
	}
	s.PlaceHolder = tr("Choose…")
	s.ExtendBaseWidget(s)
	return s
}

// FocusGained scrolls the drop-down into view.
func (s *focusSelect) FocusGained() {
	s.Select.FocusGained()
	s.app.reveal(s)
}

// TypedKey cancels on Escape.
func (s *focusSelect) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		s.app.escape()
		return
	}
	s.Select.TypedKey(k)
}

// scrollCatcher lies over a form field and passes the mouse wheel to the
// form's scroll, so that the wheel scrolls the form wherever the pointer is
// (Fyne gives it to the innermost scrollable, which inside an entry is the
// entry's own scroller). It takes no taps, drags or hovers: those reach the
// field under it. Multi-line entries grow with their text instead of
// scrolling inside.
type scrollCatcher struct {
	widget.BaseWidget
	target **container.Scroll
}

func newScrollCatcher(target **container.Scroll) *scrollCatcher {
	s := &scrollCatcher{target: target}
	s.ExtendBaseWidget(s)
	return s
}

// CreateRenderer draws nothing.
func (s *scrollCatcher) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// Scrolled scrolls the form.
func (s *scrollCatcher) Scrolled(ev *fyne.ScrollEvent) {
	if t := *s.target; t != nil {
		t.Scrolled(ev)
	}
}

// contains reports whether o is root or inside it.
func contains(root, o fyne.CanvasObject) bool {
	if root == o {
		return true
	}
	// Forms are containers of fields: widgets are leaves here.
	var kids []fyne.CanvasObject
	switch r := root.(type) {
	case *fyne.Container:
		kids = r.Objects
	case *container.Scroll:
		kids = []fyne.CanvasObject{r.Content}
	}
	for _, k := range kids {
		if k != nil && contains(k, o) {
			return true
		}
	}
	return false
}

// scrollTo moves sc so that o (inside it) shows with a margin around it.
func scrollTo(sc *container.Scroll, o fyne.CanvasObject) {
	if sc == nil || o == nil || !contains(sc.Content, o) {
		return
	}
	d := fyne.CurrentApp().Driver()
	objPos := d.AbsolutePositionForObject(o)
	scPos := d.AbsolutePositionForObject(sc)
	top := objPos.Y - scPos.Y + sc.Offset.Y
	h, view := o.Size().Height, sc.Size().Height
	const margin = 24
	y := sc.Offset.Y
	switch {
	case top-margin < y:
		y = top - margin
	case top+h+margin > y+view:
		y = top + h + margin - view
	}
	y = max(0, min(y, max(sc.Content.Size().Height, sc.Content.MinSize().Height)-view))
	if y != sc.Offset.Y {
		sc.ScrollToOffset(fyne.NewPos(sc.Offset.X, y))
	}
}

// reveal scrolls the form shown so that o, just focused, is in view.
func (a *App) reveal(o fyne.CanvasObject) {
	if a.main == nil {
		return
	}
	scrollTo(a.main.formScroll(), o)
}

// escape cancels what is shown: a dialog first, else the form (asking
// first when it has unsaved edits).
func (a *App) escape() {
	a.touch()
	if a.dialog != nil {
		a.dialog.cancel()
		return
	}
	if a.main != nil {
		a.main.leaveForm(nil)
	}
}

// appDialog is the dialog shown, with what cancelling it does.
type appDialog struct {
	d        dialog.Dialog
	onCancel func()
	confirm  *keyButton // the confirming button, if any
}

func (d *appDialog) cancel() {
	d.d.Hide()
}

// showDialog shows a custom dialog whose Cancel (and Escape) runs
// onCancel; the dialog is forgotten when it hides.
func (a *App) showDialog(title string, body fyne.CanvasObject, size fyne.Size, onCancel func()) *appDialog {
	d := dialog.NewCustomWithoutButtons(title, body, a.win)
	ad := &appDialog{d: d, onCancel: onCancel}
	d.SetOnClosed(func() {
		if a.dialog == ad {
			a.dialog = nil
		}
		if ad.onCancel != nil {
			ad.onCancel()
		}
	})
	d.Resize(size)
	a.dialog = ad
	d.Show()
	return ad
}

// confirmAction asks before an irreversible or outward step, naming its
// consequence. Nothing happens until the user presses the confirming
// button; "Go back" (focused first), Escape or closing the dialog cancel.
func (a *App) confirmAction(title, consequence, confirmLabel string, onConfirm func()) {
	var ad *appDialog
	yes := newKeyButton(a, confirmLabel, func() {
		a.touch()
		ad.onCancel = nil
		ad.d.Hide()
		onConfirm()
	})
	yes.Importance = widget.DangerImportance
	no := newKeyButton(a, tr("Go back"), func() { a.touch(); ad.d.Hide() })
	body := container.NewVBox(wrapped(consequence), container.NewHBox(yes, no))
	ad = a.showDialog(title, body, fyne.NewSize(520, 220), nil)
	ad.confirm = yes
	a.win.Canvas().Focus(no)
}

// dateField is a date typed as "6 Dec 2026" (or picked from a calendar);
// it also reads 06/12/2026 and 2026-12-06.
type dateField struct {
	entry   *entry
	pick    *widget.Button
	content fyne.CanvasObject
	popup   *widget.PopUp
}

func newDateField(a *App) *dateField {
	f := &dateField{entry: newEntry(a)}
	f.entry.SetPlaceHolder(tr("e.g. 6 Dec 2026"))
	f.pick = widget.NewButton(tr("Pick…"), func() { a.touch(); f.showCalendar(a) })
	f.content = container.NewBorder(nil, nil, nil, f.pick, f.entry)
	return f
}

func (f *dateField) showCalendar(a *App) {
	start := time.Now()
	if t, ok := parseDate(f.entry.Text); ok {
		start = t
	}
	cal := widget.NewCalendar(start, func(t time.Time) {
		f.entry.SetText(t.Format(dateLayout))
		if f.popup != nil {
			f.popup.Hide()
		}
	})
	f.popup = widget.NewPopUp(cal, a.win.Canvas())
	d := fyne.CurrentApp().Driver()
	f.popup.ShowAtPosition(d.AbsolutePositionForObject(f.pick).Add(fyne.NewPos(0, f.pick.Size().Height)))
}

// iso is the date as YYYY-MM-DD, "" when empty, and whether it reads.
func (f *dateField) iso() (string, bool) {
	if f.entry.Text == "" {
		return "", true
	}
	t, ok := parseDate(f.entry.Text)
	if !ok {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// setISO shows a YYYY-MM-DD date.
func (f *dateField) setISO(s string) { f.entry.SetText(dateLabel(s)) }
