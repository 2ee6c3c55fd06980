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
//     by most recent activity; a tap on a header sorts by that column
//     (again: reversed; a third time: back to the default). Its columns are
//     chosen by width, by priority (status, reference, waiting on, needed
//     by, urgency, last activity, organisations), so that 1024 pixels show
//     four; the full text of a clipped cell shows in the status line while
//     the pointer is over it (Fyne 2.7 has no tooltips). An empty list says
//     what to do. Search matches every word typed against the reference,
//     status, organisations, districts, urgency, what the case waits on and
//     the decrypted needs profile and messages: a search index built in
//     memory when the rows arrive and dropped with them at lock. The date
//     range filters on the last activity, in whole local days, inclusive.
//     Cases whose activity moved on since the last rows are marked "New"
//     until opened.
//   - Every irreversible or outward step asks first in a dialog naming its
//     consequence (accept or decline an offer, approve or decline a move,
//     withdraw, close, take back, "no suitable home", release: the readers
//     dialog, which also says whether each organisation's fingerprint was
//     checked in person). "Go back" has the focus; Escape cancels. Outcome
//     choices are radio buttons with nothing chosen, even when only one is
//     allowed (choice.go: Fyne's RadioGroup drops Escape).
//   - Forms: a form left with unsent edits (another case, Ctrl+N, Ctrl+O,
//     Settings, Cancel, Escape) asks whether to keep them as a draft or
//     discard them; an auto-lock keeps them without asking; every 5 s an
//     edited form is saved too (a crash loses at most that). Drafts are the
//     fields' values in form order (drafts.go), sealed by the core in the
//     case store under the case's key (a new referral's under the data
//     key), restored when the form opens again, with a banner saying so and
//     a "Discard draft" button. After a sync that changed the open case, a
//     workflow form is rebuilt from the case's new state with the typing
//     carried over; if the case no longer allows the step, the case shows
//     with a note and the typing stays a draft. The case view keeps its
//     scroll position across syncs.
//   - Long forms: the mouse wheel scrolls the form wherever the pointer is
//     (a transparent layer over each field passes the wheel to the form;
//     multi-line entries grow with their text instead of scrolling inside);
//     the focused field scrolls into view; Send with problems scrolls to
//     the first; leaving a field runs the disclosure guard over it and
//     re-checks a problem shown before, so that it goes once fixed.
//     Districts are ticks in two columns.
//   - Words: choices show as words people use ("Within 4 weeks", "Secure
//     council tenancy"); validation problems are rewritten in plain English
//     (plain.go); dates show as "6 Dec 2026" and are typed so, or as
//     06/12/2026 or 2026-12-06, with a calendar picker.
//   - Roles: device approval and revocation show only to the organisation's
//     admin: when the device home holds the admin key, or when the user
//     ticks it in Settings (the admin key's passphrase is still needed).
//   - Settings (Fyne preferences: UI settings only): idle lock (1 to 60
//     minutes), colours (system, light, dark), text size (100 to 150 %),
//     the admin switch. The window opens at 90 % of the screen (at most
//     1440×900; 1024×700 when the screen is unknown) the first time, then
//     at the size it was left at (saved within a second of a change).
//   - Theme (theme.go): Fyne's with colours that give every text at least
//     4.5:1 in light and dark (TestThemeContrast), and a focus colour that
//     darkens (light) or lightens (dark) what it covers, so focus shows on
//     a primary button too.
//   - The organisation name comes from the verified directory; before the
//     first sync fetched it the header says so, and it updates after.
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
//     organisation screen and back, Ctrl+Enter sends the form shown, Enter
//     opens the case focused in the list, Escape cancels the dialog or
//     leaves the form. Tab leaves multi-line entries (no tab characters in
//     case text), so every form is worked through with the keyboard alone.
//   - Notifications always say "New referral activity" and nothing else.
//     Copied text is taken off the clipboard after 30 s if it is still there.
//     Fyne preferences (plain JSON) hold only UI settings (see Settings).
//     Nothing is logged.
//   - Strings go through fyne.io/fyne/v2/lang, keyed by their English text;
//     translation/en.json ships and a test keeps it complete.
package desktop
