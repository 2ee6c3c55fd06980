package desktop

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/enrolment"
	"github.com/saferef/saferef/crypto"
)

// enrolScreen walks a new member of staff through enrolling this device.
type enrolScreen struct {
	app                      *App
	scheme, relay, org, name *entry
	pass, again              *entry
	errs                     map[string]*widget.Label
	button                   *widget.Button
	feedback                 *widget.Label
	content                  fyne.CanvasObject
	fingerprint, requestPath string
}

// showEnrol shows the first-run enrolment form.
func (a *App) showEnrol() {
	s := &enrolScreen{app: a, errs: map[string]*widget.Label{}}
	a.enrol, a.unlock = s, nil
	s.scheme = newEntry(a)
	s.scheme.SetPlaceHolder(tr("Path of scheme.json, from your scheme coordinator"))
	s.scheme.SetText(a.opt.SchemeFile)
	s.relay = newEntry(a)
	s.relay.SetPlaceHolder("wss://relay.example.org")
	s.org = newEntry(a)
	s.org.SetPlaceHolder(tr("32-character organisation id, from your organisation admin"))
	s.name = newEntry(a)
	s.name.SetPlaceHolder(tr("e.g. Priya's laptop"))
	s.pass = newPasswordEntry(a)
	s.again = newPasswordEntry(a)
	s.again.OnSubmitted = func(string) { s.submit() }
	s.button = widget.NewButton(tr("Create this device"), s.submit)
	s.button.Importance = widget.HighImportance
	s.feedback = widget.NewLabel("")
	s.feedback.Wrapping = fyne.TextWrapWord
	field := func(label, key string, w fyne.CanvasObject) fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Importance = widget.DangerImportance
		l.Hide()
		s.errs[key] = l
		return container.NewVBox(widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), w, l)
	}
	intro := widget.NewLabel(tr("This device is not set up yet. Your organisation admin will give you the scheme file, the relay address and your organisation's id. Choose a passphrase of at least 12 characters: it protects every case on this laptop."))
	intro.Wrapping = fyne.TextWrapWord
	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle(tr("Set up this device"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro,
		field(tr("Scheme file"), "scheme", s.scheme),
		field(tr("Relay address"), "relay", s.relay),
		field(tr("Organisation id"), "org", s.org),
		field(tr("Name for this device"), "name", s.name),
		field(tr("Passphrase"), "pass", s.pass),
		field(tr("Passphrase again"), "again", s.again),
		s.button, s.feedback)))
	a.win.SetContent(s.content)
	a.win.Canvas().Focus(s.scheme)
}

func (s *enrolScreen) fieldError(key, msg string) {
	s.errs[key].SetText(msg)
	s.errs[key].Show()
}

// submit checks the form and enrols.
func (s *enrolScreen) submit() {
	a := s.app
	for _, l := range s.errs {
		l.SetText("")
		l.Hide()
	}
	ok := true
	if strings.TrimSpace(s.scheme.Text) == "" {
		s.fieldError("scheme", tr("Give the path of the scheme file."))
		ok = false
	}
	if !strings.HasPrefix(s.relay.Text, "wss://") && !strings.HasPrefix(s.relay.Text, "ws://") {
		s.fieldError("relay", tr("The relay address starts with wss://."))
		ok = false
	}
	org, err := crypto.ParseOrgID(strings.TrimSpace(s.org.Text))
	if err != nil {
		s.fieldError("org", tr("An organisation id is 32 letters and digits (0-9, a-f)."))
		ok = false
	}
	name := strings.TrimSpace(s.name.Text)
	if name == "" || len(name) > enrolment.MaxDeviceNameLen {
		s.fieldError("name", tr("Give this device a short name your admin will recognise."))
		ok = false
	}
	if err := client.CheckPassphrase(s.pass.Text, name); err != nil {
		// The one strength rule every front end shares (client/passphrase).
		s.fieldError("pass", trf("Too easy to guess: {{.Why}}. Use four or more random words.", map[string]any{"Why": err.Error()}))
		ok = false
	} else if s.pass.Text != s.again.Text {
		s.fieldError("again", tr("The two passphrases are different."))
		ok = false
	}
	if !ok {
		return
	}
	o := &client.EnrolOptions{Home: a.opt.Home, SchemeFile: strings.TrimSpace(s.scheme.Text), Relay: strings.TrimSpace(s.relay.Text),
		Org: org, Name: name, Passphrase: s.pass.Text, WorkFactor: a.opt.EnrolWorkFactor}
	s.button.Disable()
	s.feedback.SetText(tr("Creating this device's keys…"))
	homes := a.opt.Homes
	a.opt.Background(func() {
		e, err := homes.Enrol(context.Background(), o)
		fyne.Do(func() {
			s.button.Enable()
			if err != nil {
				s.feedback.SetText(tr("This device could not be set up. Check the scheme file, the relay address and the organisation id."))
				return
			}
			s.pass.SetText("")
			s.again.SetText("")
			s.showFingerprint(e.Fingerprint, e.RequestPath)
		})
	})
}

// showFingerprint shows the device's safety number, large and grouped, to
// read out to the organisation admin.
func (s *enrolScreen) showFingerprint(fp, requestPath string) {
	a := s.app
	s.fingerprint, s.requestPath = fp, requestPath
	groups := strings.Fields(fp)
	lines := container.NewVBox()
	for i := 0; i < len(groups); i += 3 {
		t := canvas.NewText(strings.Join(groups[i:min(i+3, len(groups))], "  "), theme.Color(theme.ColorNameForeground))
		t.TextSize = 32
		t.TextStyle = fyne.TextStyle{Monospace: true}
		t.Alignment = fyne.TextAlignCenter
		lines.Add(t)
	}
	say := widget.NewLabelWithStyle(tr("Read these digits to your organisation admin"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	how := widget.NewLabel(tr("Give your admin the enrolment request file below. They approve this device only if the digits they see match the ones you read to them, by phone or in person."))
	how.Wrapping = fyne.TextWrapWord
	path := widget.NewLabel(requestPath)
	path.Wrapping = fyne.TextWrapBreak
	copyPath := widget.NewButtonWithIcon(tr("Copy file path"), theme.ContentCopyIcon(), func() { a.clip.copy(requestPath) })
	next := widget.NewButton(tr("My admin has approved this device"), func() { a.showUnlock() })
	next.Importance = widget.HighImportance
	s.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(560, 420),
		container.NewVBox(say, lines, how, path, container.NewHBox(copyPath, next))))
	a.win.SetContent(s.content)
	a.win.Canvas().Focus(next)
}
