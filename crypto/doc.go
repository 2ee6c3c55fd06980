// Package crypto is Saferef's cryptographic core: identifiers, device and
// organisation keys, certificates chained to the scheme roots, encryption
// key updates, revocations, the verified Directory, sealed envelopes with
// Padmé padding, safety-number fingerprints and the device secrets kept in
// the vault (package crypto/vault).
//
// Cryptography comes only from filippo.io/age (age hybrid post-quantum
// ML-KEM-768 + X25519 recipients, scrypt), golang.org/x/crypto and the
// standard library (Ed25519, SHA-256).
//
// # Encodings
//
// Signed objects are deterministic CBOR {"t": type, "body": bstr, "sigs":
// [{"k": key id, "s": signature}]} where each signature is Ed25519 over
// "saferef/v1/" + type + "\x00" + body, as docs/ARCHITECTURE.md describes.
// Every decoder in this package is strict: besides the limits in
// ARCHITECTURE.md it re-encodes what it decoded and rejects the input
// unless it is byte-for-byte the deterministic encoding, so every accepted
// object (and every outer envelope) has exactly one byte form and every
// field is present. Byte formats are pinned by the vectors in testdata/
// (regenerate with go test -run TestVectors -update; *.diag files show
// them in CBOR diagnostic notation).
//
// Body field keys: org-cert {org, name, kind, dist, admin, nbf, naf, iat};
// device-cert {dev, org, name, sig, rcpt, nbf, naf, iat}; revocation {org,
// dev, at, why}; key-update {dev, seq, rcpt, at}; envelope (inner) {v, id,
// to, exp, from, cert, rcpt: [{d, k}], at, cp, pt, p}; outer envelope {v,
// id, to, exp, ct}; scheme-update {seq, prev, pk, roots, k, iat} (prev and
// roots are lists of raw Ed25519 keys, pk and k their thresholds);
// org-policy {org, seq, ret (seconds), iat}. Times are Unix seconds.
//
// # Decisions the specification leaves open
//
//   - The inner envelope also signs the outer expiry ("exp"), and Open
//     rejects an envelope whose outer id, mailbox or expiry differs from the
//     signed one (ErrMismatchedOuter), so the relay cannot re-date an
//     envelope either. Open also rejects an age header whose stanza count
//     differs from the signed recipient list.
//   - Certificate validity bounds are inclusive. Signature checks ignore
//     signatures by keys that are not entitled to sign (so a root rotation
//     can add signatures by new roots), but a signature by an entitled key
//     that does not verify rejects the object (ErrBadSignature). An object
//     with no signature by any root is ErrUnknownRoot; one with fewer than
//     Threshold valid root signatures is ErrBelowThreshold. One key may not
//     sign an object twice.
//   - Signatures by a key not entitled to sign (a device cert signed by
//     another organisation's admin, a key update signed by another device)
//     are ErrBadSignature.
//   - Directory: a later-issued org cert replaces the current one (renewal,
//     admin key rotation); devices approved under the old admin key stay.
//     A later-issued device cert for the same device replaces it (renewal)
//     and keeps its key updates if the signing key is unchanged; a device id
//     can never move organisation (ErrWrongOrg). Stale objects are ignored
//     without error. Revocations are final: the first one stands, later
//     ones are ignored, and nothing revoked can be re-added or rotated
//     (ErrRevoked). A device revocation needs the device present.
//   - SenderAt judges the sender as of the envelope's signed creation time,
//     as DESIGN.md asks ("revoked before the creation time"). That time is
//     the sender's claim: a thief holding a revoked device's key could
//     back-date an envelope. Clients should therefore also refuse envelopes
//     that arrive long after their creation time relative to the revocation
//     (the relay's TTL bounds this), and CurrentDevices never includes a
//     revoked device, so no new envelope is sealed to one.
//   - Opened.Recipients carries, in Recipient.Key, the hex KeyHash of each
//     recipient's age key (the inner list holds only the hash).
//   - Fingerprints are SHA-256 over a domain string and the raw key bytes,
//     shown as 6 groups of 5 digits (each a 40-bit chunk mod 100000). The
//     org fingerprint covers the org id and its admin keys in byte order;
//     the scheme fingerprint covers the threshold (4 bytes, big-endian) and
//     the root keys in byte order.
//   - Envelope expiry is creation time plus SealOptions.TTL (default 30
//     days), rounded up to the hour so the relay learns no finer time.
//   - Device encryption keys: the certificate's key has sequence 0; each
//     rotation (DeviceSecrets.Rotate) signs a KeyUpdate with the next
//     sequence number; Prune erases identities retired before a cutoff,
//     which is what gives forward secrecy. age generates hybrid identities
//     from crypto/rand only, so GenerateDeviceSecrets' rand reader governs
//     only the device id, signing seed and data key.
//   - Root rotation: a SchemeUpdate names the roots and threshold it
//     replaces and the new ones, with a sequence number (1, 2, ...), and is
//     signed by the current threshold of the current roots AND by the new
//     threshold of the new roots (so nobody installs roots no one holds).
//     The Directory follows it in log order: from then on org certs and
//     org revocations are checked against the new roots. Org certs signed by
//     the old roots stay valid until they expire or are re-issued (their
//     devices are not disturbed); a re-issue needs the new roots. A device
//     that was offline for months replays the log and follows every update
//     in turn. The scheme file handed to a new member after a rotation pins
//     the new roots (its fingerprint is theirs) and carries the updates in
//     "history"; Scheme.Origin checks that chain backwards from the pinned
//     roots, and a Directory anchored on it accepts, for the sequence numbers
//     it pins, only those very updates. An existing device keeps its
//     original scheme.json as its anchor.
//   - Admin key rotation by the old key: an org cert re-issue signed by a
//     current admin key of the organisation, and by every admin key it adds
//     (proof of possession), instead of the roots, replaces the current
//     certificate when nothing but the admin keys changed and it is issued
//     later (VerifyOrgCertByAdmin; ErrAdminReissue otherwise). It cannot
//     extend the certificate's validity, change its districts or revive a
//     removed organisation: those still need the roots, which can always
//     re-issue. An admin-signed certificate does not verify on its own
//     (Scheme.VerifyOrgCert): it is only meaningful as a successor in a
//     Directory.
//   - Organisation policy: an OrgPolicy (retention of finished cases,
//     1 day to 50 years) is signed by an admin key of its organisation and
//     published in the directory log; the highest Seq wins, it survives a
//     re-issue of the org cert, and none is accepted once the organisation
//     is removed. How devices apply it is the client's decision (package
//     client).
//
// No function in this package logs; no error message includes a payload, a
// private key or a passphrase.
package crypto
