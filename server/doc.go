// Package server is the Saferef relay: it authenticates devices by their
// certified signing keys, keeps the scheme's public directory, and stores and
// forwards end-to-end encrypted envelopes between organisations' mailboxes.
//
// The relay is trusted only to be available. It never sees plaintext: every
// envelope it handles is an age file it cannot open, addressed to an
// organisation's mailbox, with the sender hidden inside the ciphertext. It
// never records which device sent an envelope, and it logs no client IP
// address unless Config.LogIP is set.
//
// # Connections
//
// Each websocket connection has at most two goroutines: a reader
// (conn.readLoop) and a writer (conn.writeLoop), the only one that writes to
// the socket, which runs only while there is something to write (an idle
// connection has the reader alone; its pings come from a timer that starts a
// writer when one is due; and once the device has authenticated, its reader
// hands on to a fresh goroutine, so that the stack grown to verify the Auth
// signature is not kept all day). The writer writes replies first, then,
// once the device has authenticated, its envelopes: those handed to it from
// memory as this node stores them, and those it reads from the store (the
// backlog at authentication, then only after a wake-up from another relay
// node, a hand-off overflow, or every few minutes in case a wake-up was
// lost). AuthOK and the start of deliveries are queued in one step, so
// AuthOK always precedes Drained. An idle connection holds no queue storage:
// its outbox grows on demand up to QueueLength. A client whose outbox fills,
// or whose socket does not take a write within WriteTimeout, is dropped
// rather than allowed to stall anyone else; drops are counted by reason in
// saferef_relay_connections_dropped_total.
//
// # Delivery
//
// Sending is acknowledged (SendOK) only after the store has made the
// envelope durable. Recipients connected to this node are handed it as
// soon as the store has committed it (store.Store.PutEnvelope's stored),
// while the disk syncs: Send to Deliver does not wait for an fsync. One
// pending delivery is recorded for every device of the
// recipient organisation that is current when the envelope arrives, the
// sending device included when it sends to its own organisation; the
// envelope is deleted once all of them have
// acknowledged it, or when it expires. A device that reconnects is sent
// everything still pending for it, in arrival order, followed by Drained.
// Ack frames from every connection are gathered for a couple of
// milliseconds and applied in one store transaction (store.AckBatch); a
// batch that fails is logged and its envelopes are delivered again, which
// devices deduplicate. An auth signature is remembered for twice the clock
// skew in a map plus a FIFO, so forgetting costs no scan; each mailbox's
// current devices are cached until the directory changes.
//
// # Decisions not fixed by the design
//
//   - A Publish frame is accepted before authentication: certificates,
//     revocations and key updates are self-authenticating, and the relay
//     accepts only those that verify up to the scheme root. DirectoryGet
//     and ProofGet are too: the directory is public, and readers verify
//     every answer (the admin tool audits a relay without a device key).
//   - The transparency log (package crypto/translog) is the directory
//     log: every stored directory entry, in index order, is a record, even
//     one that fails verification when the relay reloads it (it is logged
//     and not trusted, but still served and hashed, so that clients see
//     what the relay serves). The tree lives in memory, rebuilt from the
//     store at start; Directory frames carry the checkpoint for their
//     Size, and the relay catches up with entries other nodes appended
//     before answering DirectoryGet or ProofGet. Checkpoints are signed by
//     Config.LogSigner, which is required (New refuses to start without
//     it, since devices pin the key).
//   - The sending device is not left out of the deliveries of its own
//     organisation's copy, though it already has the packet: leaving it
//     out would record in the store who sent the envelope
//     (TestRelayDoesNotRecordSender). Acknowledging that copy earns no
//     send credit (TestOwnCopyEarnsNoSendCredit).
//   - An envelope's expiry is clamped to the relay's mailbox TTL.
//   - A second Auth frame on a connection, or an Auth whose signature the
//     relay has already accepted, is refused as a replay.
//   - An unauthenticated connection that sends nothing within AuthTimeout is
//     closed.
package server
