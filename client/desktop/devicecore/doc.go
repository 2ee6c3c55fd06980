// Package devicecore adapts the headless client core (package client) to the
// desktop app's desktop.Homes and desktop.Core interfaces, so that the UI
// package itself never imports the vault, the case store or the relay
// transport.
//
// Decisions made here, where the client core does not (yet) offer a call:
//   - Queued counts sends that returned client.ErrNotSent since the last
//     successful sync (a successful sync sends the whole outbox), not the
//     outbox's envelopes: the core has no outbox count to ask for.
//   - CaseRows loads each case in full to find its districts and what it is
//     waiting on (the last entry's direction): the core's CaseSummary carries
//     neither. A case whose last entry came from another organisation needs
//     action; one whose last entry this organisation sent waits on the other
//     organisation; a case with no entries waits for its referral.
package devicecore
