// Package casestore is a device's encrypted local case store: one SQLite
// file (HOME/cases.db, WAL mode, github.com/ncruces/go-sqlite3 with its
// "xts" VFS) holding the cases this
// device takes part in, the referrals, case messages and delivery receipts
// it has sent and received, the ids of every envelope it has processed, an
// outbox of sealed envelopes still to send, and a cache of the verified
// directory log.
//
// # Whole-file encryption
//
// Every page of the database file, of its WAL and of any temporary file is
// encrypted with AES-256-XTS (golang.org/x/crypto/xts, through the
// ncruces "xts" VFS) under a 64-byte key derived from the vault's data key
// (HKDF-SHA256, info "saferef/v1/casestore/file-key"); temporary tables are
// kept in memory. A copy of the home directory without the passphrase
// shows the file's size and nothing else: no table names, ids, statuses,
// kinds or times (TestWholeFileEncrypted). XTS is deterministic and
// unauthenticated: someone holding two copies learns which 512-byte
// sectors changed, and a changed sector is not detected by the VFS, which
// is why the columns below are still sealed with an AEAD. While the store
// is open, SQLite's WAL index (cases.db-shm, not encrypted) holds page
// numbers and checksums only; it is removed on close. The server keeps
// modernc.org/sqlite; the two drivers register different names ("sqlite"
// and "sqlite3") and do not meet.
//
// A store written before whole-file encryption (a plain SQLite file) is
// encrypted in place on its first open, losing nothing: it is copied with
// VACUUM INTO through the xts VFS, the copy is synced and renamed over the
// old file, and the old file's blocks are overwritten with zeros
// (best effort: an SSD or a journaling file system may keep old copies).
// A crash at any point leaves either the complete old store or the
// complete new one (TestMigratePlaintextStore). A file that does not open
// with the key fails with ErrWrongKey.
//
// # What is sealed inside the file
//
// Sensitive columns are also sealed before they are written, so that each
// case can be crypto-shredded on its own. Each case has its own random 32-byte key; every sensitive column
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
// ids, statuses (the client/workflow stage), timestamps (created, last
// activity, closed), organisation ids (also in the case_orgs index), device
// ids, envelope ids, and entry kinds and directions. The outbox holds
// envelopes that are already age ciphertext. The directory cache holds
// public signed objects.
//
// # Workflow tables
//
// case_state holds each case's client/workflow state, sealed with the
// case key (column "case_state.state"); sent_envelopes maps every envelope
// a sent packet went out in to the packet's entry and mailbox (ids only),
// so that receipts and recalls from any recipient find the packet;
// outcomes holds the coordinator's outcome statistics (organisation ids,
// month, counts: no person and no case, so not sealed and not shredded
// with a case). Entry kinds grow with the workflow (Kind* constants);
// Tx.DeleteEntry and Store.Compact shred one recalled packet.
//
// # Case summaries
//
// cases.summary (schema version 6, added by migration to older stores)
// holds what the case list shows of each case, sealed with the case key
// (column "cases.summary") and opaque to the store, like the workflow
// state: the client's encoding of the stage, role, what the case waits on,
// the referral's districts, urgency and date, and the search text (the
// needs profile and messages, lower case). The client sets a
// [Summariser] ([Store.SetSummariser]); every write transaction that
// changes a case ([Tx.PutCase], [Tx.SetState], [Tx.AddEntry],
// [Tx.DeleteEntry]) calls it for that case just before it commits and
// stores the result, so a summary never lags behind its case and a
// recalled message leaves the search text in the transaction that shreds
// it. [Store.Find] returns it opened ([Summary].List), so listing cases
// opens no entry. A case written before summaries were kept has none
// until [Store.Resummarise] stores one.
//
// # Filtering
//
// [Store.Find] filters on those clear columns and returns only the matching
// page, decrypting nothing else. The referral's acceptable districts and the
// reference code are needed for filtering but are not left readable: the
// database holds HMAC-SHA256(filter key, "district" || 0 || lower-cased
// district) in case_districts and HMAC-SHA256(filter key, "reference" || 0
// || upper-cased code) in cases.ref_key, where the filter key is
// HKDF-SHA256(data key, info "saferef/v1/casestore/filter-key"). Someone
// holding the laptop but not the passphrase cannot test a district name
// against them; what they can still see is which cases share a district
// token (equality), the same small disclosure as the clear organisation
// ids. The district names themselves are kept sealed in cases.districts.
//
// # Retention and crypto-shredding
//
// A case's closing time is set the first time its status becomes final
// (closed, withdrawn, or filled at a candidate). [Store.ShredExpired]
// crypto-shreds every case whose closing time plus the retention period
// (settings table; [DefaultRetention], 365 days, until [Store.SetRetention]
// is called; the client applies its organisation admin's signed org-policy) has
// passed: it erases the wrapped case key and every row of the case (entries,
// receipts, organisation and district index, unsent envelopes) in one
// transaction, then runs VACUUM and PRAGMA wal_checkpoint(TRUNCATE) so that
// neither the database file nor its WAL keeps a deleted page. [Store.Shred]
// does the same for one case now. The processed-envelope ids stay, so a
// shredded case's envelopes are never applied again. SQLite also runs with
// secure_delete on.
//
// # Export
//
// [Store.Export] writes one whole case as JSON ([ExportFormat]) encrypted
// to a passphrase with crypto/vault (age scrypt), for a records request;
// [ReadExport] opens it.
//
// # Exactly-once processing
//
// [Store.Apply] runs everything one received envelope changes in one
// transaction together with the envelope's processed-id row, and fails with
// [ErrAlreadyProcessed] for an envelope that was processed before. Callers
// acknowledge an envelope to the relay only after Apply has committed. A
// process killed at any point inside Apply leaves the store consistent and
// the envelope unprocessed (SQLite WAL with synchronous=FULL; see
// TestCrashMidApply).
package casestore
