// Package devicecore adapts the headless client core (package client) to the
// desktop app's desktop.Homes and desktop.Core interfaces, so that the UI
// package itself never imports the vault, the case store or the relay
// transport.
//
// Decisions made here:
//   - CaseRows builds each row from the core's CaseSummary alone (the
//     summary the case store keeps per case: no case is opened); what waits
//     on the user comes from the workflow (CaseSummary.WaitingOn). A case
//     waiting on nobody here waits on the organisations next
//     (CaseSummary.Next), or on its referral when none has arrived.
//   - The case view's timeline is the workflow history; each event is
//     marked verified as the core says (client.Case.EventVerified, the rule
//     the command line uses too). A message event takes its text from the
//     entry it names (workflow.Event.Envelope), or shows RecalledText when
//     that entry was recalled and shredded; an event stored before events
//     named their entry takes the next message of the same device that no
//     event names. A declined offer's reason comes from its
//     offer-declined event; a sent packet is shown as recalled once this
//     organisation's recall event names it.
//   - Queued is the core's outbox count (client.Device.Queued).
//   - ApproveRequest and RevokeDevice run package internal/admin against this
//     device's relay with the admin key folder the user chose: only for
//     this device's organisation, approval only with a fingerprint read out
//     (it must match), and never this device revoking itself. Revocations
//     are dated now. Errors from internal/admin are wrapped with the desktop
//     sentinels the screen explains (desktop.ErrAdminWrongPassphrase,
//     ErrFingerprintMismatch, ErrAdminRelay, and ErrAdminKeyMissing for a
//     missing scheme.json or admin key file). The passphrase is used for
//     the one call and not kept.
package devicecore
