package desktop

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/crypto"
)

// adminDirPref is the Fyne preference that remembers the admin key
// folder (a path, never a passphrase).
const adminDirPref = "saferef.adminKeyFolder"

// defaultRevokeReason is the reason recorded when the admin gives none (as
// saferef-admin device revoke does).
const defaultRevokeReason = "revoked by the organisation admin"

// orgScreen is the organisation screen: this device (rotate its key now),
// the organisation's devices with fingerprints and status, approving an
// enrolment request and revoking a device with the organisation's admin
// key (its passphrase asked for each time; the saferef-admin command stays
// on offer to copy), and the contacts at other organisations with their
// fingerprints and a "verified in person" mark.
type orgScreen struct {
	app  *App
	main *mainScreen

	rotate      *widget.Button
	rotated     *widget.Label
	relayURL    *entry         // the relay this device uses; edit to move it
	moveRelay   *widget.Button // checks the new relay's log, then moves
	relayResult *widget.Label
	backup      *widget.Button
	devices     *fyne.Container
	revokes     map[crypto.DeviceID]*widget.Button
	request     *entry
	browse      *widget.Button
	adminDir    *entry
	adminBrowse *widget.Button
	spoken      *entry
	check       *widget.Button
	approve     *widget.Button
	result      *widget.Label
	command     *widget.Entry
	copyCmd     *widget.Button
	contacts    *fyne.Container
	verified    map[crypto.OrgID]*widget.Check
	problem     *widget.Label
	prompt      *adminPrompt // the open passphrase prompt, if any
	busy        bool         // an approval or revocation is running

	first   fyne.Focusable
	content fyne.CanvasObject
}

func newOrgScreen(a *App, m *mainScreen) *orgScreen {
	s := &orgScreen{app: a, main: m, revokes: map[crypto.DeviceID]*widget.Button{}, verified: map[crypto.OrgID]*widget.Check{}}
	id := a.identity
	s.rotate = widget.NewButton(tr("Rotate this device's key now"), func() { a.touch(); s.rotateNow() })
	s.rotated = wrapped("")
	s.backup = widget.NewButton(tr("Back up this device"), func() { a.touch(); s.backUp() })
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
	s.adminDir.SetPlaceHolder(tr("Folder holding orgs/ORG_ID/admin.key and scheme.json"))
	s.adminDir.SetText(a.fapp.Preferences().String(adminDirPref))
	s.adminBrowse = widget.NewButton(tr("Choose folder…"), func() {
		a.touch()
		dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err != nil || u == nil {
				return
			}
			s.adminDir.SetText(u.Path())
			s.rememberAdminDir()
		}, a.win)
	})
	s.spoken = newEntry(a)
	s.spoken.SetPlaceHolder(tr("The fingerprint digits the user read out to you"))
	s.check = widget.NewButton(tr("Check request"), func() { a.touch(); s.checkRequest() })
	s.approve = widget.NewButton(tr("Approve…"), func() { a.touch(); s.askApprove() })
	s.approve.Importance = widget.HighImportance
	s.approve.Hide()
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
	s.relayURL = newEntry(a)
	s.relayURL.SetText(a.core.Relay())
	s.moveRelay = widget.NewButton(tr("Move to this relay"), func() { a.touch(); s.setRelay() })
	s.relayResult = wrapped("")

	this := widget.NewCard(tr("This device"), "", container.NewVBox(
		wrapped(trf("{{.Device}} · {{.Org}}", map[string]any{"Device": id.DeviceName, "Org": id.OrgName})),
		widget.NewLabelWithStyle(trf("Fingerprint {{.Fingerprint}}", map[string]any{"Fingerprint": id.Fingerprint}), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
		container.NewHBox(s.rotate, s.backup), s.rotated,
		widget.NewLabelWithStyle(tr("Relay"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, s.moveRelay, s.relayURL), s.relayResult))
	approve := widget.NewCard(tr("Approve a new device"), "", container.NewVBox(
		wrapped(tr("Check the request and the fingerprint the user reads out to you, then approve it with the organisation's admin key. Its passphrase is asked for each time and never kept. Or copy the saferef-admin command and run it where the admin key is.")),
		widget.NewLabelWithStyle(tr("Enrolment request"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, s.browse, s.request),
		widget.NewLabelWithStyle(tr("Admin key folder"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, s.adminBrowse, s.adminDir),
		widget.NewLabelWithStyle(tr("Fingerprint read out by the user"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.spoken,
		container.NewHBox(s.check, s.approve), s.result, s.command, container.NewHBox(s.copyCmd)))
	left := container.NewVBox(this, widget.NewCard(trf("Devices of {{.Org}}", map[string]any{"Org": id.OrgName}), "", s.devices))
	// Role-aware: approving and revoking devices is the organisation
	// admin's job; a caseworker sees the devices and fingerprints only.
	if a.isAdmin() {
		left.Add(approve)
	}
	right := container.NewVBox(widget.NewCard(tr("Contacts at other organisations"), "", container.NewVBox(
		wrapped(tr("Tick an organisation once you have compared its fingerprint with theirs in person or on a call you placed.")), s.contacts)))
	grid := container.NewGridWithColumns(2, left, right)
	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(s.problem, grid)))
	return s
}

// refreshIdentity rebuilds the screen once the device's identity is known
// better (the organisation's name after the first sync).
func (s *orgScreen) refreshIdentity() {
	m := s.main
	ns := newOrgScreen(s.app, m)
	m.org = ns
	m.body.Objects = []fyne.CanvasObject{ns.content}
	m.body.Refresh()
	ns.load()
}

// isAdmin reports whether the user is the organisation's admin: its admin
// key is in this device's home, or the user said so in Settings.
func (a *App) isAdmin() bool { return a.identity.Admin || a.prefs.showAdmin() }

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
	s.revokes = map[crypto.DeviceID]*widget.Button{}
	for _, d := range devs {
		name := d.Name
		if d.This {
			name = trf("{{.Name}} (this device)", map[string]any{"Name": d.Name})
		}
		info := container.NewVBox(
			widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			wrapped(trf("{{.Status}} · key rotated {{.N}} times", map[string]any{"Status": deviceStatusLabel(d, s.app.opt.Location), "N": d.KeySeq})),
			widget.NewLabelWithStyle(d.Fingerprint, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}))
		if d.Status == DeviceRevoked || d.This || !s.app.isAdmin() {
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

// setRelay moves the device to the relay address typed (another node of
// the same relay): the core checks the new relay's log before anything
// changes.
func (s *orgScreen) setRelay() {
	url := strings.TrimSpace(s.relayURL.Text)
	s.moveRelay.Disable()
	s.relayResult.SetText(tr("Checking the new relay…"))
	s.app.SetRelay(url, func(err error) {
		s.moveRelay.Enable()
		if err != nil {
			s.relayResult.SetText(trf("Not moved: {{.Why}}", map[string]any{"Why": err.Error()}))
			return
		}
		s.relayResult.SetText(trf("This device now uses {{.URL}}.", map[string]any{"URL": url}))
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
			s.approve.Hide()
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
				msg += " " + tr("It matches what the user read out: approve it, or copy the command.")
				s.approve.Show()
			}
			s.result.SetText(msg)
			s.command.SetText(approveCommand(s.adminDir.Text, core.Relay(), s.spoken.Text, path))
			s.command.Show()
			s.copyCmd.Show()
		})
	})
}

// rememberAdminDir keeps the admin key folder for next time (a path only).
func (s *orgScreen) rememberAdminDir() {
	s.app.fapp.Preferences().SetString(adminDirPref, strings.TrimSpace(s.adminDir.Text))
}

// askApprove asks for the admin key's passphrase, then approves the checked
// request.
func (s *orgScreen) askApprove() {
	dir, path, spoken := strings.TrimSpace(s.adminDir.Text), strings.TrimSpace(s.request.Text), s.spoken.Text
	if dir == "" {
		s.result.SetText(tr("Choose the admin key folder first."))
		return
	}
	s.openPrompt(tr("Approve this device?"),
		tr("Enter the passphrase of the organisation's admin key. The device certificate is signed and published to the relay."),
		false, tr("Approve"), func(pass, _ string) { s.runApprove(dir, path, spoken, pass) })
}

// runApprove approves the request through the core, then syncs so the
// device list shows it.
func (s *orgScreen) runApprove(dir, path, spoken, pass string) {
	a, core := s.app, s.app.core
	s.setBusy(true, tr("Approving: checking the relay's log, signing and publishing…"))
	a.bg(func(ctx context.Context) {
		info, err := core.ApproveRequest(ctx, dir, path, spoken, pass)
		if err == nil {
			core.Sync(ctx) // a failed sync only delays the list; the approval stands
		}
		devs := core.Devices()
		fyne.Do(func() {
			if a.core != core {
				return
			}
			s.setBusy(false, "")
			if err != nil {
				s.result.SetText(adminProblem(err))
				return
			}
			s.rememberAdminDir()
			s.approve.Hide()
			s.result.SetText(trf("Approved {{.Name}}. Tell the user the device is ready: it starts working at its next sync.", map[string]any{"Name": info.Name}))
			s.fillDevices(devs)
		})
	})
}

// askRevoke asks for a reason and the admin key's passphrase, warning that
// the device is shut out at once, then revokes it. The saferef-admin
// command is shown too.
func (s *orgScreen) askRevoke(d DeviceInfo) {
	dir := strings.TrimSpace(s.adminDir.Text)
	if dir == "" {
		s.result.SetText(tr("Choose the admin key folder first, or copy the command below and run it where the admin key is."))
		s.app.win.Canvas().Focus(s.adminDir)
		return
	}
	s.openPrompt(trf("Revoke {{.Name}}?", map[string]any{"Name": d.Name}),
		trf("{{.Name}} ({{.Fingerprint}}). This device will be shut out at once. Continue?", map[string]any{"Name": d.Name, "Fingerprint": d.Fingerprint}),
		true, tr("Revoke"), func(pass, reason string) { s.runRevoke(dir, d, reason, pass) })
}

// runRevoke revokes the device through the core, then syncs.
func (s *orgScreen) runRevoke(dir string, d DeviceInfo, reason, pass string) {
	a, core := s.app, s.app.core
	if strings.TrimSpace(reason) == "" {
		reason = defaultRevokeReason
	}
	s.setBusy(true, trf("Revoking {{.Name}}: checking the relay's log, signing and publishing…", map[string]any{"Name": d.Name}))
	a.bg(func(ctx context.Context) {
		err := core.RevokeDevice(ctx, dir, d.ID, reason, pass)
		if err == nil {
			core.Sync(ctx) // a failed sync only delays the list; the revocation stands
		}
		devs := core.Devices()
		fyne.Do(func() {
			if a.core != core {
				return
			}
			s.setBusy(false, "")
			if err != nil {
				s.result.SetText(adminProblem(err))
				return
			}
			s.rememberAdminDir()
			s.command.Hide()
			s.copyCmd.Hide()
			s.result.SetText(trf("Revoked {{.Name}}. The relay refuses it from now on and nobody encrypts to it any more.", map[string]any{"Name": d.Name}))
			s.fillDevices(devs)
		})
	})
}

// setBusy shows progress and stops a second action while one runs.
func (s *orgScreen) setBusy(busy bool, msg string) {
	s.busy = busy
	for _, b := range append([]*widget.Button{s.approve, s.check}, mapsValues(s.revokes)...) {
		if busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if msg != "" {
		s.result.SetText(msg)
	}
}

// mapsValues lists a map's buttons.
func mapsValues(m map[crypto.DeviceID]*widget.Button) []*widget.Button {
	out := make([]*widget.Button, 0, len(m))
	for _, b := range m {
		out = append(out, b)
	}
	return out
}

// adminProblem explains why an approval or revocation failed.
func adminProblem(err error) string {
	switch {
	case errors.Is(err, ErrAdminWrongPassphrase):
		return tr("The passphrase did not unlock the admin key. Nothing was changed: try again.")
	case errors.Is(err, ErrFingerprintMismatch):
		return tr("The fingerprint does NOT match the request. Do not approve this device.")
	case errors.Is(err, ErrAdminKeyMissing):
		return tr("The admin key folder does not hold scheme.json and this organisation's orgs/ORG_ID/admin.key. Choose the right folder.")
	case errors.Is(err, ErrAdminRelay):
		return trf("The relay could not be reached, or refused it: {{.Why}}. Try again when the relay is back.", map[string]any{"Why": err.Error()})
	}
	return trf("It did not work: {{.Why}}", map[string]any{"Why": err.Error()})
}

// adminPrompt is the modal that asks for the admin key's passphrase (and,
// to revoke, a reason). The passphrase entry is cleared when it closes.
type adminPrompt struct {
	popup   *widget.PopUp
	message *widget.Label
	reason  *entry // nil when no reason is asked
	pass    *entry
	ok      *widget.Button
	cancel  *widget.Button
}

// openPrompt shows the passphrase prompt; run gets the passphrase and the
// reason after the prompt has closed and been cleared.
func (s *orgScreen) openPrompt(title, message string, askReason bool, okLabel string, run func(pass, reason string)) {
	if s.busy || s.prompt != nil {
		return
	}
	a := s.app
	p := &adminPrompt{pass: newPasswordEntry(a), message: wrapped(message)}
	p.pass.SetPlaceHolder(tr("Admin key passphrase"))
	items := []fyne.CanvasObject{
		widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		p.message,
	}
	if askReason {
		p.reason = newEntry(a)
		p.reason.SetPlaceHolder(tr("Reason, for the public log (no personal details)"))
		items = append(items, p.reason)
	}
	closePrompt := func() (string, string) {
		pass, reason := p.pass.Text, ""
		if p.reason != nil {
			reason = p.reason.Text
		}
		p.pass.SetText("")
		p.popup.Hide()
		s.prompt = nil
		return pass, reason
	}
	submit := func() {
		a.touch()
		if p.pass.Text == "" {
			return
		}
		pass, reason := closePrompt()
		run(pass, reason)
	}
	p.pass.OnSubmitted = func(string) { submit() }
	p.ok = widget.NewButton(okLabel, submit)
	p.ok.Importance = widget.DangerImportance
	p.cancel = widget.NewButton(tr("Cancel"), func() { a.touch(); closePrompt() })
	items = append(items, p.pass, container.NewHBox(p.cancel, p.ok))
	p.popup = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(440, 0), container.NewVBox(items...)), a.win.Canvas())
	s.prompt = p
	p.popup.Show()
	if p.reason != nil {
		a.win.Canvas().Focus(p.reason)
	} else {
		a.win.Canvas().Focus(p.pass)
	}
}

// revoke fills in the saferef-admin command that revokes a device (to
// copy, as the other way) and asks to revoke it here.
func (s *orgScreen) revoke(d DeviceInfo) {
	s.result.SetText(trf("To revoke {{.Name}} ({{.Fingerprint}}) here, enter the admin key's passphrase; or run this where the admin key is. Nobody encrypts to it after that.",
		map[string]any{"Name": d.Name, "Fingerprint": d.Fingerprint}))
	s.command.SetText(revokeCommand(s.adminDir.Text, s.app.core.Relay(), d.ID))
	s.command.Show()
	s.copyCmd.Show()
	s.askRevoke(d)
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

// backUp asks where to save a backup of this device, writes it there, and
// shows the recovery key once, for the user to write down.
func (s *orgScreen) backUp() {
	a, core := s.app, s.app.core
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		s.backup.Disable()
		s.rotated.SetText(tr("Writing the backup…"))
		a.bg(func(ctx context.Context) {
			key, berr := core.BackUp(ctx, w)
			if cerr := w.Close(); berr == nil {
				berr = cerr
			}
			fyne.Do(func() {
				if a.core != core {
					return
				}
				s.backup.Enable()
				if berr != nil {
					s.rotated.SetText(trf("The backup was not written: {{.Why}}", map[string]any{"Why": berr.Error()}))
					return
				}
				s.rotated.SetText(tr("Backup written. Keep it apart from this laptop."))
				words := widget.NewLabelWithStyle(key, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
				words.Wrapping = fyne.TextWrapWord
				dialog.ShowCustom(tr("Recovery key"), tr("I have written it down"), container.NewVBox(
					wrapped(tr("Write these 12 words down now and keep them somewhere safe, apart from the laptop. They are shown only this once and are kept nowhere. To restore this device on a new laptop: saferef restore --from FILE, then the 12 words.")),
					words), a.win)
			})
		})
	}, a.win)
	d.SetFileName("saferef-backup.age")
	d.Show()
}
