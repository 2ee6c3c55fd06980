// Package translog is Saferef's transparency log: a Merkle tree
// (golang.org/x/mod/sumdb/tlog) over the scheme directory, with checkpoints
// signed by the relay (golang.org/x/mod/sumdb/note), and the checks a
// client makes so that the relay cannot add, swap or hide a key without
// being caught.
//
// The relay keeps a Log; clients keep a Monitor; the admin tool's
// "log verify" calls Audit.
//
// # Records
//
// The directory log is the transparency log. Record i is entry i of the
// relay's directory (index from 0, dense, in store order): a signed
// org-cert, device-cert, revocation or key-update object, exactly as
// appended. Its record hash is tlog.RecordHash(object bytes) (SHA-256 of a
// zero byte and the object, RFC 6962). Every entry the store holds is a
// record, including one that no longer verifies: the log records what the
// relay serves, and verification is the reader's job.
//
// # Checkpoints
//
// A checkpoint is a note (sumdb/note) whose text is the C2SP
// tlog-checkpoint body, with no extension lines:
//
//	saferef-relay/1f2e3d4c5b6a7988
//	42
//	qUj5yRh3Bv...base64 root hash...=
//
// followed by exactly one Ed25519 note signature by the relay's log key,
// whose name is the origin (first line). OpenCheckpoint accepts nothing
// else: one canonical text, one signature, at most MaxCheckpointSize bytes.
// A checkpoint may be signed for any size up to the current one; signing
// is deterministic, so a checkpoint for a given size always has the same
// bytes.
//
// The origin is fixed when the relay first generates its key: Origin(s) is
// "saferef-relay/" and the first 16 hex digits of SHA-256 of the scheme's
// fingerprint digits. The key's name carries it from then on (so a root
// rotation does not change it), and clients check origin = key name.
//
// # The log key
//
// The relay generates an Ed25519 note key on first start and keeps the
// signer key text in its data directory (log-signing.key, mode 0600). It
// announces the verifier key text in ServerHello and logs it at start. A
// client uses the key in the scheme file (crypto.Scheme.LogKey) if there
// is one, otherwise pins the key it saw at enrolment (trust on first use);
// PinnedKey makes that choice and refuses a changed key (ErrWrongLogKey).
// Scheme.LogKey is not part of the scheme fingerprint.
//
// # What a client checks
//
//   - Every checkpoint the relay presents (in Directory and Proof frames)
//     goes through Monitor.Update with a consistency proof from the latest
//     one: a smaller size is ErrRollback (a relay restored from an old
//     backup, or hiding entries), a size that does not extend it is
//     ErrSplitView.
//   - Every certificate and key update the client uses is proved included
//     (Monitor.VerifyInclusion), or, since a client already fetches the
//     whole directory, Monitor.VerifyRecords replays every record against
//     the latest checkpoint, which proves all of them at once.
//   - A checkpoint carried in a peer's envelope (crypto.Packet.Checkpoint,
//     signed by the peer) goes through Monitor.CheckPeer, with the
//     consistency proof PeerProof names: if the two cannot both be true the
//     relay has shown the two devices different logs (ErrSplitView).
//   - A failure stops sending to the party concerned; the client tells its
//     user in plain words that the relay showed inconsistent key lists and
//     the coordinator should be told.
//
// # Decisions the specification leaves open
//
//   - Checkpoints carry exactly one signature (no witness cosignatures in
//     this version); unknown signatures are refused rather than ignored.
//   - An inclusion proof and a consistency proof carry at most
//     MaxProofHashes hashes each.
//   - Monitor.CheckPeer never changes the monitor: a newer consistent peer
//     checkpoint is a valid statement by the relay, and the client may pass
//     it to Update, but need not.
//   - Audit judges each certificate at its own issue time, since the log
//     carries no trustworthy time of its own; revocations and key updates
//     do not depend on time. An entry that fails is reported and skipped,
//     as a client's directory would skip it.
//   - Monitor state (Marshal) is JSON holding the pinned key and the latest
//     signed checkpoint; UnmarshalMonitor verifies the checkpoint again.
package translog
