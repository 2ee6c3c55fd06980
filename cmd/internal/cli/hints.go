package cli

import (
	"errors"
	"strings"

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
