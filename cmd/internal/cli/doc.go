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
// SAFEREF_VAULT_WORK_FACTOR, meant for tests only, lowers (or raises) it; it
// is clamped to 10..vault.MaxWorkFactor so that it can never produce a
// trivially weak vault.
package cli
