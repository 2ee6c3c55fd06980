// Package admin is the organisation admin's and the scheme coordinator's
// toolkit: creating a scheme and its root keys, admitting, re-keying and
// removing organisations, approving, listing and revoking devices, setting
// an organisation's retention policy, rotating the root keys, and auditing
// the relay's transparency log against the scheme.
//
// It is headless: no UI, no flag parsing, no printing. Functions take a
// context, the admin directory, a relay URL and passphrase callbacks, and
// return results and wrapped errors. The saferef-admin command and the
// desktop app's organisation screen (through devicecore) are thin layers
// over it.
//
// The admin directory DIR holds scheme.json, the root key vaults
// DIR/root-N.key and, per organisation, DIR/orgs/ORG_ID/admin.key (the
// admin key vault) and DIR/orgs/ORG_ID/org.cert (the certificate as last
// signed here). A key vault's plaintext is the JSON
// {"type": ..., "org": org id (admin keys only), "seed": base64 Ed25519 seed}.
//
// Decisions made here, where the spec leaves things open:
//   - Every action that signs for an existing organisation first audits the
//     relay's whole directory log against DIR/scheme.json and takes the
//     organisation's certificate from the audited directory (it follows
//     admin key and root rotations, which DIR/orgs/ORG_ID/org.cert may
//     not), so nothing is signed against a directory the admin has not
//     checked.
//   - Passphrases are asked for through a Passphrase callback only when a
//     key is about to be unlocked (after the audit), naming the key ("the
//     admin key of Weald Homes", "root key 1 (DIR/root-1.key)"); a caller
//     that already holds the passphrase passes Static.
//   - Errors keep their historical wording (the CLI prints them verbatim)
//     and carry sentinels for callers that branch: ErrUnknownOrg,
//     ErrUnknownDevice, ErrFingerprintMismatch, ErrRelay, ErrLogKey, ErrAuditFailed,
//     ErrSchemeMismatch, ErrExists, ErrWrongPassphrase, ErrFutureRevocation,
//     ErrBadRetention, crypto.ErrRevoked and crypto.ErrBelowThreshold.
//   - A device certificate is valid for two years from five minutes before
//     approval; an organisation certificate for three years. A revocation
//     with a zero time is dated now, and may not be dated more than a
//     minute in the future.
package admin
