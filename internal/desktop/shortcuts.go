package desktop

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// The keys of the app's shortcuts, pressed with Ctrl (Cmd on macOS).
const (
	keyNewReferral = fyne.KeyN      // open the new-referral form
	keySearch      = fyne.KeyF      // focus the case search
	keyLock        = fyne.KeyL      // lock at once
	keySync        = fyne.KeyR      // sync with the relay now (F5 too)
	keySubmit      = fyne.KeyReturn // send the form shown (Ctrl+Enter)
	keyOrg         = fyne.KeyO      // the organisation screen, and back
)

// shortcut is the app shortcut Ctrl (Cmd) + key.
func shortcut(key fyne.KeyName) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
}

// registerShortcuts adds the shortcuts to the window's canvas, for when no
// entry has focus (entries forward them through runShortcut).
func (a *App) registerShortcuts() {
	for _, k := range []fyne.KeyName{keyNewReferral, keySearch, keyLock, keySync, keySubmit, keyOrg} {
		a.win.Canvas().AddShortcut(shortcut(k), func(sc fyne.Shortcut) { a.touch(); a.runShortcut(sc) })
	}
	a.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		a.touch()
		switch k.Name {
		case fyne.KeyF5:
			a.runSyncKey()
		case fyne.KeyEscape:
			a.escape()
		}
	})
}

// runShortcut runs the app action bound to s, if any, and reports whether
// there was one. Actions on cases only run while unlocked.
func (a *App) runShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || a.main == nil || cs.Modifier != fyne.KeyModifierShortcutDefault {
		return false
	}
	switch cs.KeyName {
	case keyLock:
		a.Lock()
	case keyNewReferral:
		if a.dialog != nil {
			return true
		}
		a.main.newReferral()
	case keySearch:
		a.main.focusSearch()
	case keySync:
		a.SyncNow()
	case keySubmit:
		a.main.submitForm()
	case keyOrg:
		if a.dialog != nil {
			return true
		}
		a.main.toggleOrganisation()
	default:
		return false
	}
	return true
}

// runSyncKey handles F5; it reports whether it synced.
func (a *App) runSyncKey() bool {
	if a.main == nil {
		return false
	}
	a.SyncNow()
	return true
}
