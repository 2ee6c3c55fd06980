// Package desktop is the Saferef desktop app's user interface (Fyne): the
// unlock screen, first-run enrolment, the case list, the case view and the
// new-referral form. It talks only to the headless client core, through the
// Homes and Core interfaces (devicecore implements them over package
// client): it never touches keys, sockets, SQL or CBOR, and only
// cmd/saferef-desktop imports fyne.io/fyne/v2/app, so these tests run with
// CGO_ENABLED=0 and no display.
//
// Threading: widgets are touched only on Fyne's UI goroutine. Blocking core
// calls (unlock, sync, sends, loading cases) run in Options.Background and
// hand their results back with fyne.Do (bridge.go); each result is dropped if
// the session was locked meanwhile.
//
// Decisions made here, where the design leaves them open:
//   - Unlock retries: the first three wrong passphrases cost nothing, then the
//     wait doubles from 2 s to a 5-minute cap, shown as a countdown. The
//     limit is per process; what protects a stolen laptop from offline
//     guessing is the vault's scrypt work factor.
//   - Locking (Ctrl+L, the Lock button, or idle for the configured time,
//     default 5 minutes, 1 to 60) closes the core (the case store and the
//     keys are dropped), discards every case widget and shows the unlock
//     screen. Activity is typing, taps and selections the app handles,
//     shortcuts, and pointer movement over the window.
//   - The connection bar shows online (last sync time), syncing, or offline
//     with the number of sends queued. The core syncs on unlock, every 30 s
//     from the desktop main, and on Ctrl+R or F5. A send the relay did not
//     confirm (client.ErrNotSent) is kept in the outbox and counts as queued.
//   - The case list sorts the cases that need the user's action first, then
//     by most recent activity. Search matches reference, status,
//     organisations, districts and what the case waits on; the date range
//     filters on the last activity, in whole local days, inclusive.
//   - Long cell text is clipped rather than ellipsised: measuring ellipses
//     made scrolling sixteen times slower (docs/PERFORMANCE.md).
//   - The new-referral form validates with payload.Referral.Validate and
//     shows each problem on its own field; the disclosure guard's findings
//     will use the same per-field slots. The landlords with homes in an
//     acceptable district are listed, ticked, before sending.
//   - Notifications always say "New referral activity" and nothing else.
//     Copied text is taken off the clipboard after 30 s if it is still there.
//     Fyne preferences (plain JSON) hold only the idle timeout and window
//     size. Nothing is logged.
//   - Strings go through fyne.io/fyne/v2/lang, keyed by their English text;
//     translation/en.json ships and a test keeps it complete.
//   - Light and dark themes follow the system (Fyne's default).
package desktop
