// Package devicecore adapts the headless client core (package client) to the
// desktop app's desktop.Homes and desktop.Core interfaces, so that the UI
// package itself never imports the vault, the case store or the relay
// transport.
//
// Decisions made here:
//   - CaseRows loads each case in full to find its acceptable districts (the
//     core's CaseSummary does not carry them); what waits on the user comes
//     from the workflow (CaseSummary.WaitingOn). A case waiting on nobody
//     here waits on the other organisations, or on its referral when none
//     has arrived.
//   - The case view's timeline is the workflow history (every event was made
//     here or came in an envelope whose signature the core verified); a
//     message event takes its text from the message entries of the same
//     device, in order. A declined offer's reason comes from its
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
