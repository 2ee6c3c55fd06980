package crypto

import "errors"

// Errors returned by certificate, directory and envelope functions. They are
// always wrapped with context; test for them with errors.Is.
var (
	// ErrUnknownRoot means an object carries no signature from any root key
	// of the scheme.
	ErrUnknownRoot = errors.New("not signed by a scheme root")
	// ErrBadSignature means a signature does not verify, or the object is not
	// signed by a key entitled to sign it.
	ErrBadSignature = errors.New("bad signature")
	// ErrExpired means a certificate's not-after time has passed.
	ErrExpired = errors.New("certificate expired")
	// ErrNotYetValid means a certificate's not-before time is in the future.
	ErrNotYetValid = errors.New("certificate not yet valid")
	// ErrWrongOrg means an object names a different organisation from the
	// one it was checked against.
	ErrWrongOrg = errors.New("wrong organisation")
	// ErrRevoked means the device or organisation has been revoked.
	ErrRevoked = errors.New("revoked")
	// ErrBelowThreshold means fewer distinct scheme roots signed an object
	// than the scheme's threshold requires.
	ErrBelowThreshold = errors.New("fewer root signatures than the scheme threshold")
	// ErrUnknownOrg means the organisation is not in the directory.
	ErrUnknownOrg = errors.New("unknown organisation")
	// ErrUnknownDevice means the device is not in the directory.
	ErrUnknownDevice = errors.New("unknown device")
	// ErrMalformed means bytes could not be decoded, are not in the canonical
	// encoding, or hold out-of-range values.
	ErrMalformed = errors.New("malformed")

	// ErrTooLarge means an envelope exceeds MaxEnvelopeSize.
	ErrTooLarge = errors.New("envelope too large")
	// ErrTooManyRecipients means an envelope has more than MaxRecipients
	// recipient stanzas (or Seal was asked for more).
	ErrTooManyRecipients = errors.New("too many recipients")
	// ErrNotForMe means none of the identities given to Open can decrypt the
	// envelope.
	ErrNotForMe = errors.New("envelope not encrypted to this device")
	// ErrMismatchedOuter means the signed inner envelope names a different
	// envelope id, mailbox or expiry from the outer envelope it arrived in.
	ErrMismatchedOuter = errors.New("inner envelope does not match outer envelope")
	// ErrUnknownSender means the sender could not be found in (or is not
	// currently valid in) the directory; it wraps the directory's error.
	ErrUnknownSender = errors.New("unknown sender")
	// ErrSenderRevoked means the sender device or its organisation was
	// revoked at or before the envelope's creation time.
	ErrSenderRevoked = errors.New("sender revoked")
	// ErrNotARecipient means the envelope's signed recipient list does not
	// include the opening device.
	ErrNotARecipient = errors.New("device not in the signed recipient list")
	// ErrInvalidRecipients means Seal was given no recipients, a duplicate
	// device or a recipient key that does not parse.
	ErrInvalidRecipients = errors.New("invalid recipient list")
)
