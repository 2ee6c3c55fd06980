// Package cli holds what the saferef and saferef-admin commands share:
// the process environment as a value (so commands are testable), flag
// parsing that allows flags after positional arguments, age-style error
// reporting, and passphrase handling.
//
// # Messages and exit codes
//
// Errors are printed as "PROG: error: message" followed by
// "PROG: hint: what to do next", both lowercase, on standard error. A usage
// error exits with code 2, any other error with 1; -h prints a command's
// usage on standard output and exits 0.
//
// # Passphrases
//
// Passphrases are never taken from a flag. They come from the environment
// variable SAFEREF_PASSPHRASE when it is set (for scripts: then the same
// passphrase serves every vault a command opens or creates), or else from
// a prompt on the terminal without echo, asked twice when a vault is
// created. Without either, a command fails with a hint.
//
// # Vault work factor
//
// New vaults use vault.DefaultWorkFactor. The environment variable
// SAFEREF_VAULT_WORK_FACTOR exists only in test builds (go test binaries,
// and binaries built with -tags saferef_testvault, as e2e builds them; see
// vault.TestHooks): there it lowers (or raises) the factor, clamped to
// 10..vault.MaxWorkFactor. Release builds ignore it.
//
// # Passphrase strength
//
// NewPassphrase applies the one strength rule (package client/passphrase)
// to every new passphrase, typed or from SAFEREF_PASSPHRASE, and explains a
// refusal with a hint.
package cli
