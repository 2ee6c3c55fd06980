package cli

import (
	"errors"
	"strings"
	"syscall"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto/vault"
	"github.com/saferef/saferef/protocol"
)

// CommonHint suggests what to do next for the errors every saferef command
// can meet: a wrong passphrase, a bad relay address, a refusal from the
// relay. It returns "" for anything else. PrintError falls back to it when a
// command's own hint function has nothing to say.
func CommonHint(err error) string {
	var pe *protocol.Error
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		return "check the passphrase (and SAFEREF_PASSPHRASE, if it is set) and try again"
	case errors.Is(err, relay.ErrInsecureURL):
		return "use wss:// for a relay that is not on this machine"
	case errors.Is(err, relay.ErrBadURL):
		return "give the relay as wss://HOST[:PORT] (ws:// only for 127.0.0.1 or localhost)"
	case errors.Is(err, relay.ErrOriginMismatch):
		return "the relay answered for another address: check the relay url with your scheme coordinator"
	case errors.Is(err, vault.ErrCorrupt), errors.Is(err, vault.ErrNotVault):
		return "the device vault (vault.age in the device home) is damaged: restore the home from your backup, or ask your organisation admin to enrol this computer again"
	case errors.Is(err, casestore.ErrReadOnly), errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EROFS), hasAny(err, "disk is full", "no space left on device", "read-only file system"):
		return "this computer's disk is full or cannot be written: free some space and run the command again (cases can still be read meanwhile)"
	case hasAny(err, "database disk image is malformed", "file is not a database", "database is corrupt"):
		return "the case store (cases.db in the device home) is damaged: restore the device home from your backup; colleagues' devices still hold shared cases"
	case errors.As(err, &pe) && pe.Code == protocol.CodeUnavailable:
		return "the relay cannot reach its database just now: nothing is lost, run 'saferef sync' again in a few minutes"
	case errors.As(err, &pe) && pe.Code == protocol.CodeInternal && strings.Contains(pe.Message, "shutting down"):
		return "the relay is restarting: nothing is lost, run the command again in a minute"
	case errors.Is(err, relay.ErrClosed), hasAny(err, "read from relay", "connection reset", "broken pipe", "unexpected EOF", "close 1006"):
		return "the connection to the relay dropped: run the command again; anything not yet sent stays queued"
	case errors.As(err, &pe):
		switch pe.Code {
		case protocol.CodeAuthFailed, protocol.CodeUnauthenticated:
			return "ask your organisation admin to approve this device ('saferef-admin device approve' with your enrolment-request.json)"
		case protocol.CodeDeviceRevoked:
			return "this device was revoked: ask your organisation admin to enrol a new one"
		case protocol.CodeAuthStale:
			return "this computer's clock is wrong: set it right and try again"
		case protocol.CodeRateLimited, protocol.CodeMailboxFull:
			return "wait a little and run the command again"
		case protocol.CodeBadCertificate:
			return "the relay refused the certificate: check that it serves the same scheme.json"
		}
		return "try again; if it keeps failing, tell your relay operator the error code"
	case strings.Contains(err.Error(), "connect to relay"):
		return "check that the relay is running and that the relay url is right"
	}
	return ""
}

// hasAny reports whether err's message contains one of the phrases (errors
// from SQLite and the network carry no sentinel to test).
func hasAny(err error, phrases ...string) bool {
	msg := err.Error()
	for _, p := range phrases {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
