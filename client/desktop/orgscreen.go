package desktop

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/crypto"
)

// orgScreen is the organisation screen: this device (rotate its key now),
// the organisation's devices with fingerprints and status, approving an
// enrolment request and revoking a device (through saferef-admin, with the
// command filled in), and the contacts at other organisations with their
// fingerprints and a "verified in person" mark.
type orgScreen struct {
	app  *App
	main *mainScreen

	rotate   *widget.Button
	rotated  *widget.Label
	devices  *fyne.Container
	revokes  map[crypto.DeviceID]*widget.Button
	request  *entry
	browse   *widget.Button
	adminDir *entry
	spoken   *entry
	check    *widget.Button
	result   *widget.Label
	command  *widget.Entry
	copyCmd  *widget.Button
	contacts *fyne.Container
	verified map[crypto.OrgID]*widget.Check
	problem  *widget.Label

	first   fyne.Focusable
	content fyne.CanvasObject
}

func newOrgScreen(a *App, m *mainScreen) *orgScreen {
	s := &orgScreen{app: a, main: m, revokes: map[crypto.DeviceID]*widget.Button{}, verified: map[crypto.OrgID]*widget.Check{}}
	id := a.identity
	s.rotate = widget.NewButton(tr("Rotate this device's key now"), func() { a.touch(); s.rotateNow() })
	s.rotated = wrapped("")
	s.devices = container.NewVBox()
	s.request = newEntry(a)
	s.request.SetPlaceHolder(tr("Path of the enrolment-request.json the new user sent you"))
	s.browse = widget.NewButton(tr("Choose…"), func() {
		a.touch()
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			r.Close()
			s.request.SetText(r.URI().Path())
		}, a.win)
	})
	s.adminDir = newEntry(a)
	s.adminDir.SetPlaceHolder(tr("Admin directory holding orgs/ORG_ID/admin.key"))
	s.spoken = newEntry(a)
	s.spoken.SetPlaceHolder(tr("The fingerprint digits the user read out to you"))
	s.check = widget.NewButton(tr("Check request"), func() { a.touch(); s.checkRequest() })
	s.result = wrapped("")
	s.command = widget.NewMultiLineEntry()
	s.command.Wrapping = fyne.TextWrapBreak
	s.command.TextStyle = fyne.TextStyle{Monospace: true}
	s.command.SetMinRowsVisible(2)
	s.command.Hide()
	s.copyCmd = widget.NewButton(tr("Copy command"), func() { a.touch(); a.clip.copy(s.command.Text) })
	s.copyCmd.Hide()
	s.contacts = container.NewVBox()
	s.problem = wrapped("")
	s.problem.Importance = widget.DangerImportance
	s.first = s.rotate

	this := widget.NewCard(tr("This device"), "", container.NewVBox(
		wrapped(trf("{{.Device}} · {{.Org}}", map[string]any{"Device": id.DeviceName, "Org": id.OrgName})),
		widget.NewLabelWithStyle(trf("Fingerprint {{.Fingerprint}}", map[string]any{"Fingerprint": id.Fingerprint}), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
		container.NewHBox(s.rotate), s.rotated))
	approve := widget.NewCard(tr("Approve a new device"), "", container.NewVBox(
		wrapped(tr("Approving needs the organisation's admin key and its passphrase, which stay with saferef-admin. Check the request here, then run the command shown on the computer that holds the admin key.")),
		widget.NewLabelWithStyle(tr("Enrolment request"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, s.browse, s.request),
		widget.NewLabelWithStyle(tr("Admin directory"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.adminDir,
		widget.NewLabelWithStyle(tr("Fingerprint read out by the user"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.spoken,
		container.NewHBox(s.check), s.result, s.command, container.NewHBox(s.copyCmd)))
	left := container.NewVBox(this, widget.NewCard(trf("Devices of {{.Org}}", map[string]any{"Org": id.OrgName}), "", s.devices), approve)
	right := container.NewVBox(widget.NewCard(tr("Contacts at other organisations"), "", container.NewVBox(
		wrapped(tr("Tick an organisation once you have compared its fingerprint with theirs in person or on a call you placed.")), s.contacts)))
	grid := container.NewGridWithColumns(2, left, right)
	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(s.problem, grid)))
	return s
}

// load fills the devices and contacts: the directory is in memory, the
// verified marks come from the core's sealed store.
func (s *orgScreen) load() {
	a, core := s.app, s.app.core
	s.fillDevices(core.Devices())
	orgs := core.Organisations()
	a.bg(func(ctx context.Context) {
		marks, err := core.Verified(ctx)
		fyne.Do(func() {
			if a.core != core || a.main == nil || a.main.org != s {
				return
			}
			if err != nil {
				s.problem.SetText(tr("The verified marks could not be read."))
			}
			s.fillContacts(orgs, marks)
		})
	})
}

// deviceStatusLabel says where a device stands.
func deviceStatusLabel(d DeviceInfo, loc *time.Location) string {
	switch d.Status {
	case DeviceRevoked:
		return tr("Revoked")
	case DeviceExpired:
		return tr("Expired")
	case DeviceNotYetValid:
		return tr("Not valid yet")
	}
	return trf("Current until {{.Date}}", map[string]any{"Date": d.NotAfter.In(loc).Format("2 Jan 2006")})
}

// fillDevices lists the organisation's devices.
func (s *orgScreen) fillDevices(devs []DeviceInfo) {
	s.devices.Objects = nil
	for _, d := range devs {
		name := d.Name
		if d.This {
			name = trf("{{.Name}} (this device)", map[string]any{"Name": d.Name})
		}
		info := container.NewVBox(
			widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			wrapped(trf("{{.Status}} · key rotated {{.N}} times", map[string]any{"Status": deviceStatusLabel(d, s.app.opt.Location), "N": d.KeySeq})),
			widget.NewLabelWithStyle(d.Fingerprint, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}))
		if d.Status == DeviceRevoked || d.This {
			s.devices.Add(info)
		} else {
			b := widget.NewButton(tr("Revoke…"), func() { s.app.touch(); s.revoke(d) })
			s.revokes[d.ID] = b
			s.devices.Add(container.NewBorder(nil, nil, nil, container.NewVBox(b), info))
		}
		s.devices.Add(widget.NewSeparator())
	}
	if len(devs) == 0 {
		s.devices.Add(widget.NewLabel(tr("The directory lists no devices yet: sync first.")))
	}
	s.devices.Refresh()
}

// fillContacts lists the other organisations with their fingerprints.
func (s *orgScreen) fillContacts(orgs []Organisation, marks map[crypto.OrgID]bool) {
	s.contacts.Objects = nil
	for _, o := range orgs {
		if o.ID == s.app.identity.Org || o.Revoked {
			continue
		}
		check := widget.NewCheck(tr("Verified in person"), nil)
		check.SetChecked(marks[o.ID])
		check.OnChanged = func(on bool) { s.app.touch(); s.setVerified(o.ID, on, check) }
		s.verified[o.ID] = check
		kind := kindLabel(o.Kind)
		if len(o.Districts) > 0 {
			kind += " · " + strings.Join(o.Districts, ", ")
		}
		s.contacts.Add(container.NewVBox(
			widget.NewLabelWithStyle(o.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			wrapped(kind),
			widget.NewLabelWithStyle(o.Fingerprint, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
			check, widget.NewSeparator()))
	}
	s.contacts.Refresh()
}

// kindLabel names an organisation kind.
func kindLabel(k crypto.OrgKind) string {
	switch k {
	case crypto.KindLandlord:
		return tr("Landlord")
	case crypto.KindProvider:
		return tr("Support provider")
	case crypto.KindCoordinator:
		return tr("Scheme coordinator")
	}
	return string(k)
}

// setVerified stores a verified mark; on failure the tick is put back.
func (s *orgScreen) setVerified(org crypto.OrgID, on bool, check *widget.Check) {
	a, core := s.app, s.app.core
	a.bg(func(ctx context.Context) {
		err := core.SetVerified(ctx, org, on)
		fyne.Do(func() {
			if err == nil || a.core != core {
				return
			}
			s.problem.SetText(tr("The verified mark could not be saved."))
			check.OnChanged = nil
			check.SetChecked(!on)
			check.OnChanged = func(on bool) { s.app.touch(); s.setVerified(org, on, check) }
		})
	})
}

// rotateNow rotates this device's encryption key.
func (s *orgScreen) rotateNow() {
	a, core := s.app, s.app.core
	s.rotate.Disable()
	s.rotated.SetText(tr("Rotating…"))
	a.bg(func(ctx context.Context) {
		err := core.RotateKeys(ctx)
		fyne.Do(func() {
			if a.core != core {
				return
			}
			s.rotate.Enable()
			if err != nil {
				s.rotated.SetText(trf("The key was not rotated: {{.Why}}", map[string]any{"Why": err.Error()}))
				return
			}
			s.rotated.SetText(tr("New key made and published. Old keys are erased after the grace period."))
			s.fillDevices(core.Devices())
		})
	})
}

// checkRequest reads the request file, compares its fingerprint with the
// one read out, and shows the saferef-admin command to approve it.
func (s *orgScreen) checkRequest() {
	a, core := s.app, s.app.core
	path := strings.TrimSpace(s.request.Text)
	if path == "" {
		s.result.SetText(tr("Choose the enrolment request file first."))
		return
	}
	a.bg(func(ctx context.Context) {
		req, err := core.EnrolmentRequest(path)
		fyne.Do(func() {
			if a.core != core {
				return
			}
			s.command.Hide()
			s.copyCmd.Hide()
			if err != nil {
				s.result.SetText(trf("This is not a valid enrolment request: {{.Why}}", map[string]any{"Why": err.Error()}))
				return
			}
			if req.Org != a.identity.Org {
				s.result.SetText(tr("This request is for another organisation. Its own admin must approve it."))
				return
			}
			spoken := digits(s.spoken.Text)
			msg := trf("Request from {{.Name}}, fingerprint {{.Fingerprint}}.", map[string]any{"Name": req.Name, "Fingerprint": req.Fingerprint})
			switch {
			case spoken == "":
				msg += " " + tr("Ask the user to read their fingerprint out to you and compare it before approving.")
			case spoken != digits(req.Fingerprint):
				s.result.SetText(msg + " " + tr("It does NOT match what the user read out. Do not approve this device."))
				return
			default:
				msg += " " + tr("It matches what the user read out.")
			}
			s.result.SetText(msg)
			s.command.SetText(approveCommand(s.adminDir.Text, core.Relay(), s.spoken.Text, path))
			s.command.Show()
			s.copyCmd.Show()
		})
	})
}

// revoke shows the saferef-admin command that revokes a device.
func (s *orgScreen) revoke(d DeviceInfo) {
	s.result.SetText(trf("To revoke {{.Name}} ({{.Fingerprint}}), run this where the admin key is. Nobody encrypts to it after that.",
		map[string]any{"Name": d.Name, "Fingerprint": d.Fingerprint}))
	s.command.SetText(revokeCommand(s.adminDir.Text, s.app.core.Relay(), d.ID))
	s.command.Show()
	s.copyCmd.Show()
	s.app.win.Canvas().Focus(s.command)
}

// digits keeps only the digits of s.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// adminDirArg is the admin directory, or a placeholder to replace.
func adminDirArg(dir string) string {
	if dir = strings.TrimSpace(dir); dir == "" {
		return "ADMIN_DIR"
	}
	return shellQuote(dir)
}

// approveCommand is the saferef-admin command that approves a request.
func approveCommand(dir, relay, spoken, request string) string {
	cmd := "saferef-admin device approve --dir " + adminDirArg(dir) + " --relay " + shellQuote(relay)
	if d := strings.Join(strings.Fields(spoken), " "); d != "" {
		cmd += " --fingerprint " + shellQuote(d)
	}
	return cmd + " " + shellQuote(request)
}

// revokeCommand is the saferef-admin command that revokes a device.
func revokeCommand(dir, relay string, dev crypto.DeviceID) string {
	return "saferef-admin device revoke --dir " + adminDirArg(dir) + " --relay " + shellQuote(relay) + " " + dev.String()
}
