// Package casestore is a device's encrypted local case store: one SQLite
// file (HOME/cases.db, WAL mode, modernc.org/sqlite) holding the cases this
// device takes part in, the referrals, case messages and delivery receipts
// it has sent and received, the ids of every envelope it has processed, an
// outbox of sealed envelopes still to send, and a cache of the verified
// directory log.
//
// # What is sealed and what is not
//
// SQLite has no encryption, so sensitive columns are sealed before they are
// written. Each case has its own random 32-byte key; every sensitive column
// of that case (the scheme reference code, the referral and message
// payloads, the verified sender organisation and device names) is sealed
// with XChaCha20-Poly1305 under that key, with a fresh random 24-byte nonce
// and the additional data "saferef/v1/casestore/column\x00" || case id ||
// column name, so a sealed value cannot be moved to another case or another
// column. The per-case key is itself sealed ("wrapped") with the vault's
// data key, with the additional data "saferef/v1/casestore/case-key\x00" ||
// case id. A sealed value is stored as nonce || ciphertext.
//
// Left in clear, so that listing and filtering need no decryption: case
// ids, statuses, timestamps, organisation ids, device ids, envelope ids,
// and entry kinds and directions. The outbox holds envelopes that are
// already age ciphertext. The directory cache holds public signed objects.
//
// # Crypto-shredding
//
// [Store.Shred] erases a case's wrapped key together with its rows. SQLite
// runs with secure_delete on, but deleted pages may still linger in the WAL
// until a checkpoint: erasing the key is what makes the rows unreadable.
//
// # Exactly-once processing
//
// [Store.Apply] runs everything one received envelope changes in one
// transaction together with the envelope's processed-id row, and fails with
// [ErrAlreadyProcessed] for an envelope that was processed before. Callers
// acknowledge an envelope to the relay only after Apply has committed.
package casestore
