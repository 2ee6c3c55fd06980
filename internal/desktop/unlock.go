package desktop

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// unlockScreen asks for the passphrase that opens the device vault.
type unlockScreen struct {
	app     *App
	pass    *entry
	button  *widget.Button
	message *widget.Label
	busy    bool
	content fyne.CanvasObject
}

// showUnlock replaces the window content with the unlock screen.
func (a *App) showUnlock() {
	s := &unlockScreen{app: a}
	s.pass = newPasswordEntry(a)
	s.pass.SetPlaceHolder(tr("Passphrase"))
	s.pass.OnSubmitted = func(string) { s.submit() }
	s.button = widget.NewButton(tr("Unlock"), s.submit)
	s.button.Importance = widget.HighImportance
	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord
	s.message.Importance = widget.DangerImportance
	title := widget.NewLabelWithStyle(tr("Saferef is locked"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	hint := widget.NewLabel(tr("Enter the passphrase for this device to see your cases."))
	hint.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, hint, s.pass, s.button, s.message)
	s.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(420, 260), box))
	a.unlock = s
	a.enrol = nil
	a.win.SetContent(s.content)
	a.win.Canvas().Focus(s.pass)
	s.refreshCountdown(a.opt.Now())
}

// showError shows an error under the passphrase.
func (s *unlockScreen) showError(msg string) {
	s.message.Importance = widget.DangerImportance
	s.message.SetText(msg)
}

// showInfo shows a neutral message under the passphrase.
func (s *unlockScreen) showInfo(msg string) {
	s.message.Importance = widget.MediumImportance
	s.message.SetText(msg)
}

// refreshCountdown shows how long until another attempt is allowed.
func (s *unlockScreen) refreshCountdown(now time.Time) {
	if s.busy {
		return
	}
	w := s.app.limiter.wait(now)
	if w <= 0 {
		s.button.Enable()
		if s.app.limiter.failures > 0 && s.message.Text != "" && s.message.Importance == widget.WarningImportance {
			s.showError(tr("That passphrase did not unlock this device. Check Caps Lock and try again."))
		}
		return
	}
	s.button.Disable()
	s.message.Importance = widget.WarningImportance
	s.message.SetText(trf("Wrong passphrase. Try again in {{.Seconds}} s.", map[string]any{"Seconds": int(w / time.Second)}))
}

// submit tries the passphrase, unless the retry limit says wait.
func (s *unlockScreen) submit() {
	a := s.app
	a.touch()
	if s.busy || a.limiter.wait(a.opt.Now()) > 0 {
		s.refreshCountdown(a.opt.Now())
		return
	}
	pass := s.pass.Text
	if pass == "" {
		s.showError(tr("Enter your passphrase."))
		return
	}
	s.busy = true
	s.button.Disable()
	s.pass.Disable()
	s.showInfo(tr("Unlocking…"))
	home, homes := a.opt.Home, a.opt.Homes
	a.opt.Background(func() {
		core, err := homes.Open(context.Background(), home, pass)
		wrong := err != nil && homes.IsWrongPassphrase(err)
		fyne.Do(func() { s.done(core, err, wrong) })
	})
}

// done handles the result of an unlock attempt on the UI goroutine.
func (s *unlockScreen) done(core Core, err error, wrong bool) {
	a := s.app
	s.busy = false
	s.pass.Enable()
	s.button.Enable()
	if a.unlock != s { // the screen was replaced meanwhile
		if core != nil {
			a.opt.Background(func() { core.Close() })
		}
		return
	}
	if err == nil {
		a.unlocked(core)
		return
	}
	s.pass.SetText("")
	a.win.Canvas().Focus(s.pass)
	if !wrong {
		s.showError(tr("This device could not be unlocked: its files may be damaged. Ask your organisation admin for help."))
		return
	}
	if a.limiter.fail(a.opt.Now()) > 0 {
		s.refreshCountdown(a.opt.Now())
		return
	}
	s.showError(tr("That passphrase did not unlock this device. Check Caps Lock and try again."))
}
