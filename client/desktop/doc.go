// Package desktop is the Saferef desktop app's user interface (Fyne): the
// unlock screen, first-run enrolment, the case list, the case view, a form
// for every workflow step and the organisation screen. It talks only to the
// headless client core, through the Homes and Core interfaces (devicecore
// implements them over package client): it never touches keys, sockets, SQL
// or CBOR (it uses the pure client/workflow and client/guard packages for
// their types and the guard's local check), and only
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
//     with the number of sends queued: the core's outbox count, read after
//     every sync and send. The core syncs on unlock, every 30 s from the
//     desktop main, and on Ctrl+R or F5; a send the relay did not confirm
//     (client.ErrNotSent) stays in the outbox and goes with the next sync.
//   - The case list sorts the cases that need the user's action first, then
//     by most recent activity. Search matches reference, status,
//     organisations, districts and what the case waits on; the date range
//     filters on the last activity, in whole local days, inclusive.
//   - Long cell text is clipped rather than ellipsised: measuring ellipses
//     made scrolling sixteen times slower (docs/PERFORMANCE.md).
//   - Every form has one error line per field, keyed by the field's JSON
//     name; validation problems (payload Validate), the disclosure guard's
//     findings (*guard.Error, whose Field is the JSON path, e.g.
//     "referral.notes") and nothing else go there; a workflow refusal
//     (*workflow.TransitionError) or another error goes to the form's own
//     line. The new-referral form also runs the guard itself (no household
//     known yet) so that its findings show together with every other
//     problem; the core checks again before sending.
//   - The case view offers only what the workflow allows this organisation
//     now (CaseView.Allowed, from workflow.Case.Allowed): one button per
//     step, the step's form opening in the case's place (Cancel goes back).
//     "Decide on an offer" needs a pending offer and "Recall" a packet this
//     organisation sent. Opening a case sends read receipts (MarkRead) when
//     the workflow allows them: opening is reading.
//   - New referral: with a current landlord chosen it goes to that landlord
//     alone for approval; otherwise the landlords with homes in an acceptable
//     district (and not only in districts to avoid) are listed from the
//     verified directory, all ticked, before sending (the case does not
//     exist yet, so CirculationCandidates cannot be asked). Circulating an
//     existing case lists the core's CirculationCandidates, ticked.
//   - Releasing household details asks the core for the reader devices and
//     shows every one (device, organisation, fingerprint) in a dialog that
//     needs a tick before "Release" works; the digest of that list goes with
//     the release, so the core refuses it if the list changed. Locking,
//     switching screens or opening something else closes the dialog unsent.
//   - Offers are compared in a grid: one column per offer, one row per
//     property detail; the address row appears only when the core gave an
//     address (only ever at the nominating organisation).
//   - The organisation screen cannot approve or revoke devices itself: that
//     needs the organisation's admin key, which only saferef-admin holds (its
//     code is in package main). It checks an enrolment request file against
//     the fingerprint the user read out and fills in the exact
//     `saferef-admin device approve` (or `device revoke`) command, with a
//     Copy button (cleared from the clipboard after 30 s). The "verified in
//     person" marks are kept by the core, sealed (Device.SetVerified), never
//     in Fyne preferences.
//   - Keyboard: Ctrl+N, Ctrl+F, Ctrl+L, Ctrl+R/F5 as before, Ctrl+O the
//     organisation screen and back, Ctrl+Enter sends the form shown. Tab
//     leaves multi-line entries (no tab characters in case text), so every
//     form is worked through with the keyboard alone.
//   - The case list shows status, reference and what waits on you first
//     (the columns that decide what to open), then last activity, then the
//     organisations, clipped.
//   - Notifications always say "New referral activity" and nothing else.
//     Copied text is taken off the clipboard after 30 s if it is still there.
//     Fyne preferences (plain JSON) hold only the idle timeout and window
//     size. Nothing is logged.
//   - Strings go through fyne.io/fyne/v2/lang, keyed by their English text;
//     translation/en.json ships and a test keeps it complete.
//   - Light and dark themes follow the system (Fyne's default).
package desktop
