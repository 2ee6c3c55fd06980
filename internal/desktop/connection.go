package desktop

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// connState is the relay connection as the user sees it.
type connState int

const (
	connUnknown connState = iota // not synced yet
	connSyncing                  // a sync is running
	connOnline                   // the last sync reached the relay
	connOffline                  // the last sync failed; sends wait in the outbox
)

// connStatus is what the connection bar shows.
type connStatus struct {
	state    connState
	queued   int
	lastSync time.Time
	warning  string // the newest warning about the relay or the witnessed view, or ""
}

// connectionBar is always visible at the top of the unlocked window.
type connectionBar struct {
	loc     *time.Location
	icon    *widget.Icon
	label   *widget.Label
	status  connStatus
	content fyne.CanvasObject
}

func newConnectionBar(loc *time.Location) *connectionBar {
	b := &connectionBar{loc: loc, icon: widget.NewIcon(theme.MediaRecordIcon()), label: widget.NewLabel("")}
	b.content = container.NewHBox(b.icon, b.label)
	b.set(connStatus{})
	return b
}

// set shows a new status.
func (b *connectionBar) set(s connStatus) {
	b.status = s
	b.label.SetText(s.text(b.loc))
	switch s.state {
	case connOnline:
		if s.warning != "" {
			b.icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
			break
		}
		b.icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
	case connOffline:
		b.icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
	default:
		b.icon.SetResource(theme.ViewRefreshIcon())
	}
}

// text describes the status in words.
func (s connStatus) text(loc *time.Location) string {
	queued := ""
	if s.queued > 0 {
		queued = " · " + trf("{{.N}} sends queued", map[string]any{"N": s.queued})
	}
	switch s.state {
	case connSyncing:
		return tr("Syncing…") + queued
	case connOnline:
		text := trf("Online · last synced {{.Time}}", map[string]any{"Time": s.lastSync.In(loc).Format("15:04")}) + queued
		if s.warning != "" {
			text += " · " + trf("Warning: {{.Message}}", map[string]any{"Message": s.warning})
		}
		return text
	case connOffline:
		return tr("Offline: cannot reach the relay. Sends go when it is back.") + queued
	default:
		return tr("Connecting…")
	}
}
