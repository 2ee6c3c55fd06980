// Package postgres is the relay's shared store: a store.Store in a
// PostgreSQL database (github.com/jackc/pgx/v5, pgxpool) that several relay
// nodes use at once. It also implements store.Notifier with LISTEN/NOTIFY so
// that a node wakes the devices connected to it when another node stores an
// envelope for them.
//
// Decisions:
//
//   - Open creates the tables if missing and records the schema version in
//     a schema_version table, migrating under a transaction-scoped advisory
//     lock so that nodes starting together do not race.
//   - WithSchema keeps every table in the named schema (created if missing,
//     set as the connections' search_path), so that test runs and several
//     schemes can share a database. Schema names are 1-40 characters of
//     a-z, 0-9 and '_', starting with a letter or '_'.
//   - Notifications go on channel saferef_mailbox, or
//     saferef_mailbox_SCHEMA when WithSchema is used, so schemas sharing a
//     database do not wake each other. The payload is the mailbox id as 32
//     lowercase hex digits, a dot and the storing Store's random 8-byte
//     node tag in hex, so that a node can tell its own puts (it has handed
//     them to its connections already) from other nodes': never an
//     envelope, never ciphertext. NOTIFY is sent after the storing
//     transaction has committed, by one goroutine that gathers the
//     mailboxes of every put committed meanwhile into one statement, in a
//     transaction of its own that does not wait for its WAL flush
//     (synchronous_commit off): notification is at most once, and a node
//     that stops before notifying leaves the other nodes to catch up from
//     Pending, as after any lost notification.
//   - PutEnvelope is group-committed: four writers each take every put
//     queued while their previous batch ran and send them as one
//     pgx.Batch, one round trip that PostgreSQL runs as one implicit
//     transaction (one commit, one WAL flush). The batch itself sends no
//     NOTIFY: PostgreSQL serialises the commits of transactions that
//     NOTIFY, WAL flush included, which would stop the writers' commits
//     from overlapping and sharing flushes. Each put is one
//     statement that inserts the envelope and its deliveries and reports
//     a duplicate id or a full mailbox without aborting the batch. The
//     batch's transaction commits with synchronous_commit off; its puts'
//     stored callbacks run then (the rows are visible), and flushLoop
//     answers them only after one synchronous commit of a transaction
//     that writes WAL (flushSQL), whose WAL flush covers every group
//     committed before it: a nil error still means durable, and one flush serves
//     the groups of all four writers.
//   - Puts are ordered by a transaction-scoped advisory lock per mailbox
//     (MailboxLock), taken in key order within a batch so that batches
//     never deadlock: envelopes of a mailbox commit in Seq order and its
//     quota check cannot be raced by another node, while puts to
//     different mailboxes, on any node, run in parallel. Statements are
//     prepared once per connection and reused (pgx's statement cache).
//     The pool allows 32 connections unless the DSN sets pool_max_conns.
//   - AckBatch applies the acknowledgements of many devices (the relay
//     gathers them from every connection) in one transaction, committed
//     with synchronous_commit off: a lost acknowledgement only causes a
//     redelivery, so it does not wait for a WAL flush.
//   - Ack, DropDevice and Expire lock the envelope rows they touch in Seq
//     order before deleting, so two devices acknowledging the same envelope
//     on different nodes cannot both leave it behind, and they cannot
//     deadlock one another.
//   - Directory indexes are assigned as MAX(idx)+1 under an advisory lock
//     (an identity column would leave gaps on rollback); triggers refuse
//     UPDATE, DELETE and TRUNCATE on the directory table.
//   - Listen uses its own connection, outside the pool, and stops when the
//     store is closed.
package postgres
