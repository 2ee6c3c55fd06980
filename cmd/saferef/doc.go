// Command saferef is the caseworker's and liaison officer's command-line
// client: enrol a device, sync with the relay, and take a case through the
// referral workflow (referral, approval, circulation, offers, decision,
// household details, status, messages, attachments, read receipts, recall),
// read and filter cases, export and shred them, and, for the scheme
// coordinator, print the central-pot balance. Run "saferef -h" for the
// commands; README.md documents each with an example.
//
// Decisions this command takes where the design leaves them open:
//
//   - Payloads are read from JSON files strictly (unknown keys, trailing
//     data and files over twice the payload's size cap are refused) and
//     validated before the device is unlocked; every field problem and every
//     disclosure-guard finding is printed on its own "error:" line. A file's
//     "case" may be left all zeros (as every template prints it) and is then
//     taken from --case; a different case is refused. An offer file's zero
//     offer id is replaced by a new random one.
//   - 'referral template' leaves current_landlord_org out: the example's
//     placeholder id is not a real landlord, and a referral that names one
//     goes to it for approval instead of being circulated.
//   - 'referral send --household FILE' is required for a new referral: it
//     reads the household's details, runs the disclosure guard over the
//     referral with them before the vault is even opened (so that a
//     household member's name or address in the needs profile is refused
//     before anything is recorded), and hands them to the core, which keeps
//     them sealed in the case and on the organisation's other devices for
//     every later check. A referral with the reference of an open case of
//     this organisation needs --again.
//   - 'guard override' records, in the case's timeline, that one match of
//     the guard is not identifying; the household's own data never.
//   - 'details release' sends nothing without --confirm-readers: it prints
//     the readers and their digest and exits 1. --to is an optional check
//     that the accepting landlord is the one the user means; it never
//     chooses the recipient (the client sends only to the accepted landlord).
//   - 'status set' refuses "filled" (sent only by the client, on acceptance)
//     and a withdrawal without --note; --effective defaults to today.
//   - 'cases list --to DATE' is inclusive (the whole day, local time);
//     district and stage names are checked before the store is opened.
//   - 'attachment save' and 'cases export' never overwrite a file; the
//     export passphrase comes from SAFEREF_EXPORT_PASSPHRASE or is asked
//     twice on the terminal, never from a flag.
//   - SAFEREF_NOW (RFC 3339) is a test hook that fixes the device clock, so
//     that an end-to-end test can show crypto-shredding after the retention
//     period ('SAFEREF_NOW=… saferef cases shred-expired'). It is refused if
//     malformed and must never be set in real use.
package main
