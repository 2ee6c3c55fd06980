package protocol

import (
	"errors"
	"fmt"
)

// Error codes carried in Error frames. SPEC.md says when each is sent and
// whether the relay closes the connection after it.
const (
	CodeMalformedFrame     = "malformed-frame"
	CodeFrameTooLarge      = "frame-too-large"
	CodeUnknownFrame       = "unknown-frame"
	CodeUnsupportedVersion = "unsupported-version"
	CodeUnauthenticated    = "unauthenticated"
	CodeAuthFailed         = "auth-failed"
	CodeAuthStale          = "auth-stale"
	CodeAuthReplayed       = "auth-replayed"
	CodeDeviceRevoked      = "device-revoked"
	CodeUnknownMailbox     = "unknown-mailbox"
	CodeEnvelopeTooLarge   = "envelope-too-large"
	CodeMailboxFull        = "mailbox-full"
	CodeRateLimited        = "rate-limited"
	CodeDuplicateEnvelope  = "duplicate-envelope"
	CodeBadCertificate     = "bad-certificate"
	CodeBeyondLog          = "beyond-log"
	CodeInternal           = "internal"
	// CodeUnavailable means the relay cannot reach its store for the
	// moment (a shared database restarting, a full disk): nothing was
	// stored, and the device keeps the request queued and tries again.
	CodeUnavailable = "unavailable"
)

// ErrorCodes returns every error code this version defines.
func ErrorCodes() []string {
	return []string{
		CodeMalformedFrame, CodeFrameTooLarge, CodeUnknownFrame, CodeUnsupportedVersion,
		CodeUnauthenticated, CodeAuthFailed, CodeAuthStale, CodeAuthReplayed,
		CodeDeviceRevoked, CodeUnknownMailbox, CodeEnvelopeTooLarge, CodeMailboxFull,
		CodeRateLimited, CodeDuplicateEnvelope, CodeBadCertificate, CodeBeyondLog, CodeInternal, CodeUnavailable,
	}
}

// CodeFor returns the Error frame code for an error from Decode:
// CodeFrameTooLarge, CodeUnknownFrame, CodeUnsupportedVersion or, for any
// other error, CodeMalformedFrame.
func CodeFor(err error) string {
	switch {
	case errors.Is(err, ErrFrameTooLarge):
		return CodeFrameTooLarge
	case errors.Is(err, ErrUnknownFrame):
		return CodeUnknownFrame
	case errors.Is(err, ErrVersion):
		return CodeUnsupportedVersion
	}
	return CodeMalformedFrame
}

// Error (0x04, relay to device) reports a problem. Code is machine-readable
// (one of the Code constants; a device treats an unknown code like
// CodeInternal); Message is a short lowercase human explanation that never
// contains payload data; ReqID is the request it answers, or 0 when it is not
// about a request; Fatal means the relay closes the connection after sending
// it. Error also implements the error interface so a client can return it.
type Error struct {
	Code    string `cbor:"c"`
	Message string `cbor:"m"`
	ReqID   uint64 `cbor:"r"`
	Fatal   bool   `cbor:"f"`
}

// FrameType returns TypeError.
func (Error) FrameType() Type { return TypeError }

// Error returns "relay error CODE: MESSAGE".
func (f Error) Error() string {
	return fmt.Sprintf("relay error %s: %s", f.Code, f.Message)
}

func (f Error) check() error {
	if f.Code == "" || len(f.Code) > MaxErrorCodeLen {
		return fmt.Errorf("error code must be 1 to %d bytes", MaxErrorCodeLen)
	}
	for _, c := range []byte(f.Code) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return fmt.Errorf("error code %q has a character outside a-z, 0-9 and -", f.Code)
		}
	}
	if len(f.Message) > MaxErrorMessageLen {
		return fmt.Errorf("error message is %d bytes, more than %d", len(f.Message), MaxErrorMessageLen)
	}
	if !validText(f.Message) {
		return errors.New("error message is not single-line UTF-8 text")
	}
	return nil
}
