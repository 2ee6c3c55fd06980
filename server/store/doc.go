// Package store defines the relay's durable state: the directory log, the
// envelopes waiting in organisations' mailboxes and the per-device pending
// deliveries. The relay never holds plaintext, so the store deals only in
// 16-byte identifiers and opaque bytes (signed public directory objects and
// outer envelope encodings holding ciphertext).
//
// Two implementations pass one conformance suite (package storetest):
// server/store/sqlite, the embedded default, and server/store/postgres, for
// several relay nodes sharing one database, which also implements Notifier.
//
// Decisions this package makes where DESIGN.md is silent:
//
//   - Directory entries are immutable and densely indexed from 0. An entry is
//     identified by its object bytes: appending bytes already in the log
//     returns the existing index (idempotent); appending them under a
//     different kind fails with ErrConflict. The kind and the object must be
//     non-empty. Added is the store's clock, in whole seconds, UTC.
//   - Times are kept at whole-second precision (the wire carries Unix
//     seconds). An Expiry with a fractional second is rounded up, so an
//     envelope never expires earlier than asked; Received is the store's
//     clock truncated to the second. Returned times are UTC. An envelope is
//     expired, and invisible to Pending, once Expiry <= now.
//   - Seq is assigned by the store, strictly increasing and never reused,
//     even after deletion or a restart. Envelopes of one mailbox become
//     visible in Seq order: once Pending has returned an envelope with Seq
//     s, no envelope of the same mailbox with a smaller Seq can appear
//     later, so a caller whose device reads one mailbox (as every relay
//     device does: its organisation's) may page with the after cursor
//     without missing one. (SQLite has one writer; PostgreSQL orders puts
//     to one mailbox with a transaction-scoped advisory lock on that
//     mailbox, which also makes its quota check exact across relay nodes,
//     while puts to different mailboxes proceed in parallel.)
//   - Writes are group-committed: SQLite's single writer takes every
//     PutEnvelope and AckBatch queued while its previous commit ran and
//     commits the puts in one transaction (one fsync), then the
//     acknowledgements in another; PostgreSQL's group
//     writers do the same for puts, one batch per round trip. Each caller
//     is answered after that commit, so a nil error still means durable.
//     A refused put (duplicate, quota) does not affect the others in its
//     group; a failed commit fails them all.
//   - Acknowledgements (Ack, AckBatch) are not synced to disk before they
//     return (SQLite commits a batch holding only acknowledgements with
//     synchronous=NORMAL, PostgreSQL with synchronous_commit off): they
//     survive the relay process dying, and a power failure can lose only
//     the last of them, which causes a redelivery (protocol/SPEC.md,
//     "Delivery"), never a loss. Puts, directory appends and everything
//     else stay durable before they return.
//   - The device list of PutEnvelope is deduplicated. An envelope stored
//     with no devices has no deliveries: nobody can fetch it and it stays
//     until it expires.
//   - Quotas count every envelope stored in the mailbox, expired or not (the
//     relay sweeps with Expire). MaxEnvelopes refuses a put when the mailbox
//     already holds that many envelopes; MaxBytes refuses a put that would
//     take the mailbox's total Body bytes above it, so the limit is a real
//     bound on disk use. Zero or negative means unlimited.
//   - Ack and DropDevice delete an envelope only when they removed one of its
//     deliveries and none is left.
//   - A limit must be positive; Pending and Directory otherwise fail with
//     ErrInvalid, as does PutEnvelope with a zero Expiry.
//   - After Close every method fails with an error wrapping ErrClosed; Close
//     itself is idempotent.
package store
