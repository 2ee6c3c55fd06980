package desktop

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// activityLayer lies under the unlocked window's widgets and counts pointer
// movement over the window as activity for the idle lock.
type activityLayer struct {
	widget.BaseWidget
	app *App
}

var _ desktop.Hoverable = (*activityLayer)(nil)

func newActivityLayer(a *App) *activityLayer {
	l := &activityLayer{app: a}
	l.ExtendBaseWidget(l)
	return l
}

// CreateRenderer draws nothing.
func (l *activityLayer) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(&fyne.Container{})
}

// MouseIn records activity.
func (l *activityLayer) MouseIn(*desktop.MouseEvent) { l.app.touch() }

// MouseMoved records activity.
func (l *activityLayer) MouseMoved(*desktop.MouseEvent) { l.app.touch() }

// MouseOut does nothing.
func (l *activityLayer) MouseOut() {}
