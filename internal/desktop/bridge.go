package desktop

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/protocol/payload"
)

// The bridge between the core and the widgets: blocking core calls run off
// the UI goroutine (Options.Background or the sync loop's goroutine) and
// hand their results to the widgets through fyne.Do. Every result is checked
// against a.core on arrival, so a session that was locked meanwhile never
// gets its case widgets back.

// startSyncLoop syncs now, then every Options.SyncEvery and whenever
// SyncNow asks, until ctx ends (the session locks).
func (a *App) startSyncLoop(ctx context.Context, core Core, req <-chan struct{}) {
	every := a.opt.SyncEvery
	if every <= 0 {
		// Sync once at unlock and then only on request (SyncNow).
		a.opt.Background(func() { a.syncOnce(ctx, core) })
		return
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		a.syncOnce(ctx, core)
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-req:
			}
			a.syncOnce(ctx, core)
		}
	}()
}

// SyncNow asks the unlocked session to sync with the relay at once.
func (a *App) SyncNow() {
	if a.core == nil {
		return
	}
	if a.opt.SyncEvery <= 0 {
		ctx, core := a.sessionCtx, a.core
		a.opt.Background(func() { a.syncOnce(ctx, core) })
		return
	}
	select {
	case a.syncReq <- struct{}{}:
	default: // a sync is already asked for
	}
}

// syncOnce runs one sync and reports it to the widgets.
func (a *App) syncOnce(ctx context.Context, core Core) {
	before, _ := core.Queued(ctx)
	fyne.Do(func() {
		if a.core == core && a.main != nil {
			a.main.conn.set(connStatus{state: connSyncing, queued: before})
		}
	})
	rep, err := core.Sync(ctx)
	if ctx.Err() != nil {
		return
	}
	queued, _ := core.Queued(ctx)
	st := connStatus{state: connOnline, lastSync: rep.At, queued: queued, warning: rep.Warning}
	if err != nil {
		st = connStatus{state: connOffline, queued: queued}
	}
	var rows []CaseRow
	var rowsErr error
	if err == nil && rep.New > 0 {
		rows, rowsErr = core.CaseRows(ctx)
	}
	fyne.Do(func() {
		if a.core != core || a.main == nil {
			return
		}
		if st.lastSync.IsZero() && st.state == connOnline {
			st.lastSync = a.opt.Now()
		}
		a.main.conn.set(st)
		if err == nil {
			// The first sync after enrolment fetches the directory: the
			// organisation's name is known only then.
			if id := core.Identity(); id != a.identity {
				a.identity = id
				a.main.setIdentity(id)
				if a.main.org != nil {
					a.main.org.refreshIdentity()
				}
			}
		}
		if err == nil && rep.New > 0 {
			a.notifyActivity()
			if rowsErr == nil {
				a.main.setRows(rows)
			}
			a.main.refreshOpenCase()
		}
	})
}

// reloadCases reloads the case list from the core.
func (a *App) reloadCases(core Core) {
	a.bg(func(ctx context.Context) {
		rows, err := core.CaseRows(ctx)
		fyne.Do(func() {
			if a.core != core || a.main == nil {
				return
			}
			if err != nil {
				a.main.showProblem(tr("The case list could not be read."))
				return
			}
			a.main.setRows(rows)
		})
	})
}

// refreshQueued shows the outbox count in the connection bar.
func (a *App) refreshQueued(core Core) {
	a.bg(func(ctx context.Context) { a.showQueued(ctx, core) })
}

// showQueued counts the outbox (off the UI goroutine) and shows the count.
func (a *App) showQueued(ctx context.Context, core Core) {
	n, err := core.Queued(ctx)
	fyne.Do(func() {
		if err != nil || a.core != core || a.main == nil {
			return
		}
		st := a.main.conn.status
		st.queued = n
		a.main.conn.set(st)
	})
}

// markRead sends read receipts for a case the user opened. A failure is
// not shown: the receipts are queued and go with the next sync.
func (a *App) markRead(core Core, id payload.ID) {
	a.bg(func(ctx context.Context) {
		if err := core.MarkRead(ctx, id); err == nil || errors.Is(err, client.ErrNotSent) {
			a.showQueued(ctx, core)
		}
	})
}

// SetRelay moves the unlocked session's device to the relay at url (the
// "Relay address" dialog), off the UI goroutine, and calls done on the UI
// goroutine with the outcome. The next sync goes to the new relay.
func (a *App) SetRelay(url string, done func(error)) {
	if a.core == nil {
		return
	}
	core := a.core
	a.bg(func(ctx context.Context) {
		err := core.SetRelay(ctx, url)
		fyne.Do(func() {
			if a.core != core {
				return
			}
			done(err)
			if err == nil {
				a.SyncNow()
			}
		})
	})
}
