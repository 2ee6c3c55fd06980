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
// Each websocket connection has exactly one writer goroutine (conn.writeLoop)
// fed by a bounded queue, one reader goroutine (conn.readLoop), and, once
// authenticated, one delivery goroutine (conn.deliverLoop) that pages pending
// envelopes out of the store. A client whose queue fills, or whose socket
// does not take a write within WriteTimeout, is dropped rather than allowed
// to stall anyone else; drops are counted by reason in
// saferef_relay_connections_dropped_total.
//
// # Delivery
//
// Sending is acknowledged (SendOK) only after the store has made the
// envelope durable. One pending delivery is recorded for every device of the
// recipient organisation that is current when the envelope arrives (except
// the sending device itself); the envelope is deleted once all of them have
// acknowledged it, or when it expires. A device that reconnects is sent
// everything still pending for it, in arrival order, followed by Drained.
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
//   - The sending device is left out of the deliveries of its own
//     organisation's copy: it already has the packet.
//   - An envelope's expiry is clamped to the relay's mailbox TTL.
//   - A second Auth frame on a connection, or an Auth whose signature the
//     relay has already accepted, is refused as a replay.
//   - An unauthenticated connection that sends nothing within AuthTimeout is
//     closed.
package server
