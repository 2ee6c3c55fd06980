// Package sqlite is the relay's embedded store: a store.Store kept in one
// SQLite file through modernc.org/sqlite (pure Go, no cgo).
//
// Decisions:
//
//   - The database runs in WAL mode with synchronous=FULL, so a committed
//     PutEnvelope has been fsynced to the WAL before it returns. A group
//     commit holding only acknowledgements runs with synchronous=NORMAL
//     (no fsync; the next synced commit syncs its frames too) and the write
//     connection is set back to FULL before anything else uses it.
//   - All writes go through one connection (a write pool of size one, whose
//     transactions BEGIN IMMEDIATE), so writers never meet SQLITE_BUSY and
//     Seq order is commit order. Reads use a separate pool of query-only
//     connections, which WAL lets run beside the writer.
//   - The file is created with mode 0600; SQLite gives its -wal and -shm
//     files the same mode. An existing file's mode is left alone.
//   - The schema version is kept in PRAGMA user_version; Open migrates an
//     older file forward in one transaction and refuses a newer one.
//   - Envelope Seq is an AUTOINCREMENT rowid, so it is never reused even when
//     the newest envelope is deleted.
//   - Directory rows cannot be updated or deleted: triggers abort the
//     statement.
//   - The path must not contain '?', which the driver reads as the start of
//     its options.
//   - Deleted envelopes linger in free pages and the WAL until they are
//     overwritten; they are ciphertext, so no VACUUM is forced.
package sqlite
