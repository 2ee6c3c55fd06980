package main

import (
	"crypto/ed25519"
	"errors"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/admin"
)

// unlockRoots unlocks the scheme's threshold of root keys in DIR, asking
// for each passphrase on the terminal (or SAFEREF_PASSPHRASE).
func unlockRoots(env *cli.Env, dir string, s *crypto.Scheme) ([]ed25519.PrivateKey, error) {
	keys, err := admin.UnlockRoots(dir, s, env.Passphrase)
	if errors.Is(err, crypto.ErrBelowThreshold) {
		return nil, cli.WithHint(err, "gather the root key files in --dir (root-1.key ...) or sign on the machines that hold them")
	}
	return keys, err
}

// rootUnlocker is unlockRoots for DIR as an admin.RootUnlocker.
func rootUnlocker(env *cli.Env, dir string) admin.RootUnlocker {
	return func(s *crypto.Scheme) ([]ed25519.PrivateKey, error) { return unlockRoots(env, dir, s) }
}

// hinted attaches to an error from package admin the hint that tells the
// operator what to do next (the message is unchanged; an error that
// already carries a hint keeps it).
func hinted(err error) error {
	var ce *cli.Error
	if err == nil || errors.As(err, &ce) {
		return err
	}
	var se *admin.StagingError
	switch {
	case errors.Is(err, admin.ErrBadReason):
		return cli.WithHint(err, "give --reason a short phrase with nothing personal in it, e.g. \"laptop lost\" or \"member of staff left\": everyone in the scheme can read the log")
	case errors.Is(err, admin.ErrUnknownOrg):
		return cli.WithHint(err, "check the id with 'saferef-admin log show'")
	case errors.Is(err, admin.ErrUnknownDevice):
		return cli.WithHint(err, "list the organisation's devices with 'saferef-admin device list --org ORG_ID'")
	case errors.Is(err, admin.ErrFingerprintMismatch):
		return cli.WithHint(err, "do not approve this device: the request file did not come from the user's device")
	case errors.Is(err, admin.ErrLogKey):
		return cli.WithHint(err, "the relay is not signing with the key you expected: do not trust it, and tell the relay operator")
	case errors.Is(err, admin.ErrLogRolledBack):
		return cli.WithHint(err, "the relay's store was emptied or restored from an old backup: the relay operator must restore the newest data; never re-approve devices to fix it")
	case errors.Is(err, admin.ErrAuditFailed):
		return cli.WithHint(err, "the relay's log cannot be checked as a whole: the relay is faulty or tampered with; tell the relay operator and the scheme coordinator")
	case errors.Is(err, admin.ErrSchemeMismatch):
		return cli.WithHint(err, "run the rotation in the admin directory that holds the current root keys")
	case errors.Is(err, admin.ErrExists):
		return cli.WithHint(err, "choose another --dir; a scheme is created once")
	case errors.As(err, &se) && se.Published:
		return cli.WithHint(err, "move the new keys from "+se.Path+" to root-N.key by hand and write the new scheme.json with 'saferef-admin log verify' checking it")
	case errors.As(err, &se):
		return cli.WithHint(err, "remove "+se.Path+" if an earlier rotation was interrupted before publishing")
	}
	return err
}
