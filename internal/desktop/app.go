package desktop

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
)

// Options configure the desktop app.
type Options struct {
	// Home is the device home directory (--home).
	Home string
	// Homes opens and enrols device homes (devicecore.Homes in production).
	Homes Homes
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Location is the time zone dates are shown in; nil means time.Local.
	Location *time.Location
	// Background runs blocking work (unlock, sync, sends) off the UI
	// goroutine; nil means a new goroutine. Results come back through fyne.Do.
	Background func(func())
	// SyncEvery is how often the app syncs while unlocked; 0 means only on
	// unlock and when asked (Ctrl+R, F5).
	SyncEvery time.Duration
	// EnrolWorkFactor is the vault work factor used at enrolment; 0 means
	// the vault's default.
	EnrolWorkFactor int
	// AfterFunc schedules f after d (used to clear the clipboard); nil
	// means time.AfterFunc.
	AfterFunc func(d time.Duration, f func())
	// Screen is the screen's size, when the desktop main knows it: the
	// first window is sized from it. Zero means unknown.
	Screen fyne.Size
	// SchemeFile is the scheme file the enrolment form starts with
	// (client.ProvisionedSchemeFile: one placed by IT); "" for none.
	SchemeFile string
}

// App is the Saferef desktop app: one window that shows the unlock screen,
// first-run enrolment, or the unlocked case screens. Its fields are touched
// only on the Fyne UI goroutine.
type App struct {
	fapp  fyne.App
	win   fyne.Window
	opt   Options
	prefs settings

	core     Core // nil while locked
	identity Identity
	limiter  retryLimiter
	idle     idleTimer
	clip     clipboardGuard

	unlock     *unlockScreen
	enrol      *enrolScreen
	main       *mainScreen
	dialog     *appDialog         // the confirmation or question shown, or nil
	savedSize  fyne.Size          // the window size last stored
	lastDraft  time.Time          // when the open form was last saved as a draft
	stopBg     context.CancelFunc // stops the unlocked session's sync loop
	sessionCtx context.Context    // ends when the session locks
	syncReq    chan struct{}      // asks the sync loop to sync now
}

// ErrNoHomes means Options.Homes was nil.
var ErrNoHomes = errors.New("desktop: no Homes given")

// New builds the app's window on fapp. Call Run (or Start in tests).
func New(fapp fyne.App, o Options) (*App, error) {
	if o.Homes == nil {
		return nil, ErrNoHomes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Background == nil {
		o.Background = func(f func()) { go f() }
	}
	if o.AfterFunc == nil {
		o.AfterFunc = func(d time.Duration, f func()) { time.AfterFunc(d, f) }
	}
	if err := loadTranslations(); err != nil {
		return nil, err
	}
	a := &App{fapp: fapp, opt: o, prefs: settings{p: fapp.Preferences()}}
	a.clip = clipboardGuard{clip: fapp.Clipboard(), after: o.AfterFunc}
	a.idle = idleTimer{timeout: a.prefs.idleTimeout(), last: o.Now()}
	a.applyTheme()
	a.win = fapp.NewWindow(tr("Saferef"))
	a.savedSize = a.prefs.windowSize(o.Screen)
	a.win.Resize(a.savedSize)
	a.registerShortcuts()
	return a, nil
}

// Window returns the app's window.
func (a *App) Window() fyne.Window { return a.win }

// Start shows the first screen: enrolment when the home has no device,
// otherwise the unlock screen.
func (a *App) Start() {
	ok, err := a.opt.Homes.Enrolled(a.opt.Home)
	if err != nil || ok {
		a.showUnlock()
		if err != nil {
			a.unlock.showError(tr("This device home cannot be read. Check the --home folder."))
		}
		return
	}
	a.showEnrol()
}

// Run starts the app and blocks until its window is closed. The device is
// locked (closed) on the way out.
func (a *App) Run() {
	a.Start()
	stop := make(chan struct{})
	go a.ticker(stop)
	a.win.SetCloseIntercept(func() {
		a.prefs.saveWindowSize(a.win.Canvas().Size())
		a.Lock()
		a.win.Close()
	})
	a.win.ShowAndRun()
	close(stop)
}

// ticker drives countdowns and the idle lock once a second.
func (a *App) ticker(stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			fyne.Do(func() { a.tick(a.opt.Now()) })
		}
	}
}

// tick updates the retry countdown, locks an idle session, remembers the
// window's size, saves the open form as a draft every few seconds, and
// scrolls a form to the focused field (for fields that cannot tell it
// themselves, such as radio buttons).
func (a *App) tick(now time.Time) {
	if sz := a.win.Canvas().Size(); sz.Width >= 100 && sz != a.savedSize {
		a.savedSize = sz
		a.prefs.saveWindowSize(sz)
	}
	if a.core != nil && a.idle.expired(now) {
		a.Lock()
		a.unlock.showInfo(tr("Locked after a period of inactivity. Your unsent form was kept as a draft."))
		return
	}
	if a.main != nil && a.main.editing != nil && now.Sub(a.lastDraft) >= 5*time.Second {
		a.lastDraft = now
		if a.main.editing.dirty() {
			a.saveDraft(a.main.editing)
		}
	}
	if a.main != nil && a.dialog == nil {
		if f := a.win.Canvas().Focused(); f != nil {
			if o, ok := f.(fyne.CanvasObject); ok {
				a.reveal(o)
			}
		}
	}
	if a.core == nil && a.unlock != nil {
		a.unlock.refreshCountdown(now)
	}
}

// touch records user activity for the idle lock.
func (a *App) touch() { a.idle.touch(a.opt.Now()) }

// Lock closes the unlocked device, forgets every case widget and shows the
// unlock screen.
func (a *App) Lock() {
	// An unsent form is sealed as a draft before the keys go.
	if a.main != nil && a.main.editing != nil && a.main.editing.dirty() {
		a.saveDraft(a.main.editing)
	}
	a.dialog = nil
	if a.stopBg != nil {
		a.stopBg()
		a.stopBg = nil
	}
	if a.core != nil {
		core := a.core
		a.core = nil
		a.opt.Background(func() { core.Close() })
	}
	closeOverlays(a.win)
	a.main = nil
	a.identity = Identity{}
	a.showUnlock()
}

// unlocked switches to the case screens with an opened core.
func (a *App) unlocked(core Core) {
	a.core = core
	a.identity = core.Identity()
	a.limiter.reset()
	a.touch()
	a.unlock = nil
	a.main = newMainScreen(a)
	a.win.SetContent(a.main.content)
	a.main.focusDefault()
	ctx, cancel := context.WithCancel(context.Background())
	a.stopBg, a.sessionCtx = cancel, ctx
	a.syncReq = make(chan struct{}, 1)
	a.startSyncLoop(ctx, core, a.syncReq)
	a.reloadCases(core)
}

// bg runs f with a context that ends when the session locks.
func (a *App) bg(f func(ctx context.Context)) {
	ctx := a.sessionCtx
	if ctx == nil {
		ctx = context.Background()
	}
	a.opt.Background(func() { f(ctx) })
}
