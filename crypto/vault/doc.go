// Package vault keeps secrets in a local file encrypted under the user's
// passphrase: device keys and the local data key (device.vault), root keys
// and organisation admin keys.
//
// A vault file is a binary age file with a single scrypt passphrase stanza
// (age.ScryptRecipient). Real vaults use DefaultWorkFactor (2^18: about a
// second and 256 MiB, to make guessing on a stolen laptop expensive); tests
// may use less. Opening refuses a work factor above MaxWorkFactor, checked
// by reading the header before any scrypt work, so a crafted file cannot pin
// a CPU for minutes.
//
// Decisions the specification leaves open:
//
//   - A wrong passphrase and a damaged scrypt stanza cannot be told apart;
//     both are ErrWrongPassphrase. Damage found after the passphrase is
//     accepted (header MAC, payload) is ErrCorrupt.
//   - Files are capped at MaxFileSize.
//   - Writes are atomic: a temporary file in the same directory (mode 0600)
//     is written, fsynced, renamed over the target and the directory is
//     fsynced. An interrupted write leaves the old file intact and at worst
//     a stray ".NAME.tmp-*" file, which is never read. Create links the
//     temporary file into place so that it never replaces an existing file.
//   - Empty passphrases are refused (ErrEmptyPassphrase); passphrases are
//     never logged or kept beyond the call.
package vault
