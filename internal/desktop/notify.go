package desktop

import "fyne.io/fyne/v2"

// notifyActivity tells the user that something arrived. Notifications can
// show on a lock screen, so the text is always the same and never holds a
// name, an address, a district or a reference.
func (a *App) notifyActivity() {
	a.fapp.SendNotification(fyne.NewNotification(tr("Saferef"), tr("New referral activity")))
}
