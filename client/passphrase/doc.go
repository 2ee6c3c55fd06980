// Package passphrase is Saferef's one strength rule for the passphrases
// that protect vaults on a device, used by every front end (the saferef
// and saferef-admin commands, the desktop app) and by the client core
// itself, so that no path creates a weak vault.
//
// The rule: at least MinLength characters, and at least MinGuesses
// guesses as estimated by zxcvbn (github.com/trustelem/zxcvbn v1.0.1, a
// Go port of Dropbox's estimator: dictionaries of common passwords,
// names and English words, keyboard patterns, repeats, sequences and
// dates), given also the words the user's own context suggests (the
// organisation's and device's names, "saferef"). 10^10 guesses is
// zxcvbn's top score: with the vault's scrypt cost (2^18, about a second
// and 256 MiB per guess on a laptop) it keeps a stolen laptop's vault out
// of reach of a well-funded offline attacker for years. Four or more
// random words pass easily; a word with digits and a symbol added does
// not.
//
// A refusal is a *WeakError whose Error text explains in plain words why
// and what to do instead; it never repeats the passphrase.
package passphrase
