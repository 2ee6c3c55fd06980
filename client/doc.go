// Package client is saferef's headless client core: enrolment, the
// unlocked device (keys, verified directory, case store) and the
// conversation with the relay. The saferef CLI and the desktop app both
// drive it; neither touches keys, sockets or SQL directly.
//
// # Home directory
//
// A device lives in a home directory (mode 0700) holding config.json (relay
// URL, device id, organisation id, device name: nothing secret),
// scheme.json (the scheme file, pinned at enrolment), device.vault (the
// device secrets under the user's passphrase, see crypto/vault),
// enrolment-request.json (for the organisation admin) and cases.db (the
// sealed case store, see client/casestore).
//
// # Enrolment request
//
// The request file is JSON: type "saferef-enrolment-request/v1", device,
// org, name, signing_key (ed25519:...), recipient (age1pq1...), created
// (RFC 3339, whole seconds, UTC) and signature (standard base64), an
// Ed25519 signature by the device key over "saferef/v1/enrolment-request\x00"
// followed by the deterministic CBOR array [device (bstr 16), org (bstr 16),
// name, signing key (bstr 32), recipient, created (Unix seconds)]. It
// proves the requester holds the key; the fingerprint, read out by phone,
// proves the file came from the right person.
//
// # Directory
//
// Every directory log entry fetched from the relay is cached in the case
// store, and replayed (verified again) into a crypto.Directory when the home
// is opened, so a later run asks the relay only for entries after the last
// index it holds. Entries that fail verification are skipped, never trusted.
//
// # Sending
//
// A packet for several organisations is sealed once per organisation, to
// that organisation's current devices, plus once to this device's own
// organisation (its other devices; skipped when there are none). Sealed
// envelopes go into the outbox in the same transaction that records the
// case or message locally and marks their ids processed (so a copy the
// relay hands back is skipped); they leave the outbox only when the relay
// confirms durable storage (SendOK, or duplicate-envelope for a resend).
// Anything left in the outbox (relay down, connection lost) is sent by the
// next Sync. Outbox envelopes the relay refuses for good (unknown-mailbox,
// envelope-too-large) are dropped and reported.
//
// # Receiving
//
// Sync receives every pending envelope until the relay sends Drained. Each
// envelope id is looked up in the processed-ids table first: a processed
// one is acknowledged and skipped. Otherwise the envelope is opened against
// the verified directory (fetched again once if the sender is unknown) and
// everything it changes (case, entry, receipt, the delivery receipt to
// send back, and the processed-id row) is written in one transaction; only
// after the commit is it acknowledged. An envelope that does not open, or
// whose payload is invalid, is recorded as rejected and acknowledged: it
// could never open later either.
//
// Decisions the design leaves open:
//   - a referral or message about a case this device holds is rejected if
//     its sender's organisation is not already taking part in the case, so
//     that knowing a case id is not enough to join a case;
//   - a message about an unknown case creates the case (status "open") with
//     the sender's organisation in it; a referral sets status "circulated";
//   - a recipient's view of a case lists only the sender's organisation and
//     its own (recipients do not learn who else received a referral);
//   - delivery receipts are sent, to the sender's organisation, for
//     referrals and case messages, never for receipts;
//   - key rotation and the transparency-log checks are not done yet:
//     envelopes carry the sender's certificate index and an empty
//     checkpoint.
package client
