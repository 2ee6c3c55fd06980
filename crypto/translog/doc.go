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
// whose name is the origin (first line), and any witness cosignatures.
// OpenCheckpoint accepts one canonical text, one log-key signature and at
// most 2*crypto.MaxWitnesses other signature lines, at most
// MaxCheckpointSize bytes.
//
// # Witnesses
//
// The scheme's witness set (crypto.WitnessSet, signed by the roots) names
// k-of-n witnesses: C2SP tlog-witness services (litewitness from
// filippo.io/torchwood v0.6.1 in production) that cosign the relay's
// checkpoints with timestamped C2SP tlog-cosignature/v1 signatures and
// never cosign one smaller than or inconsistent with one they cosigned
// before. OpenWitnessed verifies the cosignatures of the set's witnesses
// with torchwood's CosignatureVerifier (built from the witness's public
// key) and records them; Witnesses.QuorumTime is the k-th newest
// cosignature time (ignoring any more than MaxClockSkew in the future),
// and Witnesses.CheckFresh compares it with a freshness window. A
// Monitor keeps, besides its latest checkpoint, the newest one with a
// quorum (Witnessed), and Monitor.CheckFresh is what a device asks before
// it seals or releases. The relay appends the cosignature lines it
// gathered (AddCosignatures) to the checkpoints it serves.
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
//   - Checkpoints carry one log-key signature; other signature lines are
//     ignored by OpenCheckpoint and, when they are the witnesses',
//     verified by OpenWitnessed (C2SP signed-note: unknown signatures are
//     ignored, not refused), up to 2*crypto.MaxWitnesses of them.
//   - Two checkpoints of the same tree with different cosignatures are the
//     same checkpoint for consistency (Checkpoint.SameTree); a Monitor
//     keeps the copy with the later quorum time.
//   - An inclusion proof and a consistency proof carry at most
//     MaxProofHashes hashes each.
//   - Monitor.CheckPeer never changes the monitor: a newer consistent peer
//     checkpoint is a valid statement by the relay, and the client passes
//     it to Update (the Saferef client does, and then fetches the
//     directory up to it, so that a frozen view is caught).
//   - Audit judges each certificate at its own issue time, since the log
//     carries no trustworthy time of its own; revocations and key updates
//     do not depend on time. An entry that fails is reported and skipped,
//     as a client's directory would skip it.
//   - Monitor state (Marshal) is JSON holding the pinned key and the latest
//     signed checkpoint; UnmarshalMonitor verifies the checkpoint again.
package translog
