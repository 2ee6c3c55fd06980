// Package sqlite is the relay's embedded store: a store.Store kept in one
// SQLite file through modernc.org/sqlite (pure Go, no cgo).
//
// Decisions:
//
//   - The database runs in WAL mode with synchronous=FULL, except for the
//     group commits of the writer (writeLoop): they commit with
//     synchronous=NORMAL (no fsync) on a connection set back to FULL
//     before anything else uses it. A group of puts is then handed to
//     syncLoop, which fsyncs the WAL file once for every group committed
//     since its last sync and only then answers their PutEnvelope: a nil
//     error still means the envelope is on disk, while the writer runs the
//     next group's statements during the sync and the relay hands the
//     envelope to its recipients (PutEnvelope's stored) before it. A put
//     answered ErrDuplicate also waits for that sync, since its first copy
//     may be in a group not yet synced; a failed sync fails every put it
//     covered, and every put and write probe after it until the relay
//     restarts (Linux may drop the pages whose write-back failed and call
//     the next fsync a success; PostgreSQL stops on such a failure too), so
//     /healthz reports the store unable to write. The WAL file ("-wal" beside the file the path resolves
//     to, the one SQLite appends to: TestWALHoldsThePut,
//     TestWALFollowsSymlinkedPath) is synced through one descriptor held
//     from Open, which Linux tells of every write-back error since it was
//     opened, and the path is checked to name it still; the directory is
//     synced once, as SQLite does for a file it creates. Acknowledgements
//     are never synced by themselves (a lost one is only a redelivery);
//     the next sync, or a checkpoint, covers them.
//   - The write connection's page cache is 64 MiB (writerCacheKiB), so
//     the envelopes in flight stay in memory between their put and their
//     deletion.
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
