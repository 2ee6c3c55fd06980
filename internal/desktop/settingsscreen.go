package desktop

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// settingsScreen sets the app's UI settings: the idle lock, the theme, the
// text size and whether admin actions show. They are stored as Fyne
// preferences (plain JSON on disk): UI settings only, never case data.
type settingsScreen struct {
	ready   bool // set once built: changes before that are the stored values
	app     *App
	idle    *focusSelect
	theme   *widget.RadioGroup
	scale   *focusSelect
	admin   *focusCheck
	note    *widget.Label
	first   fyne.Focusable
	scroll  *container.Scroll
	content fyne.CanvasObject
}

// idleOptions are the idle-lock choices, in minutes.
var idleOptions = []int{1, 2, 5, 10, 15, 30, 60}

func minutesLabel(n int) string {
	if n == 1 {
		return tr("1 minute")
	}
	return trf("{{.N}} minutes", map[string]any{"N": n})
}

func themeLabel(t string) string {
	switch t {
	case "light":
		return tr("Light")
	case "dark":
		return tr("Dark")
	}
	return tr("Follow the computer's setting")
}

func newSettingsScreen(a *App, m *mainScreen) *settingsScreen {
	s := &settingsScreen{app: a}
	var idle []string
	for _, n := range idleOptions {
		idle = append(idle, minutesLabel(n))
	}
	s.idle = newSelect(a, idle, func(string) { s.save() })
	s.idle.SetSelected(minutesLabel(int(a.prefs.idleTimeout() / time.Minute)))
	var themes []string
	for _, t := range themeChoices {
		themes = append(themes, themeLabel(t))
	}
	s.theme = widget.NewRadioGroup(themes, func(string) { a.touch(); s.save() })
	s.theme.SetSelected(themeLabel(a.prefs.theme()))
	var scales []string
	for _, n := range textScales {
		scales = append(scales, fmt.Sprintf("%d %%", n))
	}
	s.scale = newSelect(a, scales, func(string) { s.save() })
	s.scale.SetSelected(fmt.Sprintf("%d %%", a.prefs.textScale()))
	s.admin = newCheck(a, tr("Show device approval and revocation (for the organisation's admin)"), func(bool) { s.save() })
	s.admin.SetChecked(a.prefs.showAdmin())
	s.note = wrapped("")
	s.first = s.idle
	s.scroll = container.NewVScroll(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle(tr("Settings"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapped(tr("These settings are kept on this computer for this app only. They hold no case data.")),
		widget.NewLabelWithStyle(tr("Lock after being idle for"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.idle,
		widget.NewLabelWithStyle(tr("Colours"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.theme,
		widget.NewLabelWithStyle(tr("Text size"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.scale,
		widget.NewLabelWithStyle(tr("Organisation admin"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.admin,
		wrapped(tr("Admin actions also need the organisation's admin key and its passphrase. They show on their own when this device's home holds the admin key.")),
		s.note)))
	s.content = s.scroll
	s.ready = true
	return s
}

// save stores the settings and applies them at once.
func (s *settingsScreen) save() {
	if !s.ready {
		return
	}
	a := s.app
	if i := slices.Index(idleMinutesLabels(), s.idle.Selected); i >= 0 {
		d := time.Duration(idleOptions[i]) * time.Minute
		a.prefs.setIdleTimeout(d)
		a.idle.timeout = d
	}
	for _, t := range themeChoices {
		if themeLabel(t) == s.theme.Selected {
			a.prefs.p.SetString(prefTheme, t)
		}
	}
	for _, n := range textScales {
		if fmt.Sprintf("%d %%", n) == s.scale.Selected {
			a.prefs.p.SetInt(prefTextScale, n)
		}
	}
	a.prefs.p.SetBool(prefShowAdmin, s.admin.Checked)
	a.applyTheme()
	s.note.SetText(tr("Saved."))
}

func idleMinutesLabels() []string {
	out := make([]string, len(idleOptions))
	for i, n := range idleOptions {
		out[i] = minutesLabel(n)
	}
	return out
}
