package admin

import (
	"errors"
	"fmt"

	"github.com/saferef/saferef/crypto/vault"
)

// Sentinel errors callers branch on. Errors returned by this package wrap
// them without changing their message.
var (
	// ErrUnknownOrg means the organisation is not in the relay's directory.
	ErrUnknownOrg = errors.New("organisation not in the directory")
	// ErrUnknownDevice means the device is not in the relay's directory.
	ErrUnknownDevice = errors.New("device not in the directory")
	// ErrFingerprintMismatch means the fingerprint the user read out is not
	// the enrolment request's: the request did not come from their device.
	ErrFingerprintMismatch = errors.New("fingerprint mismatch")
	// ErrRelay means the relay could not be reached, or refused what was
	// published.
	ErrRelay = errors.New("relay unreachable or refused")
	// ErrLogKey means the relay signs its log with a key other than the
	// one to trust.
	ErrLogKey = errors.New("unexpected relay log key")
	// ErrAuditFailed means the relay's log could not be audited as a whole.
	ErrAuditFailed = errors.New("relay log audit failed")
	// ErrSchemeMismatch means the relay's log has rotated the roots away
	// from the scheme in the admin directory.
	ErrSchemeMismatch = errors.New("scheme differs from the relay's log")
	// ErrLogRolledBack means the relay's log is smaller than, or differs
	// from, the one this admin directory verified before (log verify keeps
	// the last checkpoint it verified in DIR/log-verified.checkpoint).
	ErrLogRolledBack = errors.New("the relay's log went back to an older state than this admin directory verified")
	// ErrExists means a file that is created once already exists.
	ErrExists = errors.New("already exists")
	// ErrFutureRevocation means a revocation was dated in the future.
	ErrFutureRevocation = errors.New("revocation dated in the future")
	// ErrBadRetention means a retention period out of range.
	ErrBadRetention = errors.New("retention period out of range")
	// ErrBadOrgName means an organisation name that is empty or too long.
	ErrBadOrgName = errors.New("bad organisation name")
	// ErrUnknownKind means an organisation kind other than landlord,
	// provider or coordinator.
	ErrUnknownKind = errors.New("unknown organisation kind")
	// ErrUnknownDistrict means a district outside the scheme's list.
	ErrUnknownDistrict = errors.New("unknown district")
	// ErrNoDistrict means a landlord without districts.
	ErrNoDistrict = errors.New("a landlord needs at least one district")
	// ErrWrongPassphrase means a passphrase did not open a key vault (it is
	// vault.ErrWrongPassphrase).
	ErrWrongPassphrase = vault.ErrWrongPassphrase
)

// marked is err, with the same message, that also matches kind.
type marked struct{ kind, err error }

func (m *marked) Error() string   { return m.err.Error() }
func (m *marked) Unwrap() []error { return []error{m.err, m.kind} }

// mark makes err match kind under errors.Is without changing its message.
func mark(kind, err error) error { return &marked{kind: kind, err: err} }

// markf is mark(kind, fmt.Errorf(format, args...)).
func markf(kind error, format string, args ...any) error {
	return mark(kind, fmt.Errorf(format, args...))
}

// BadRootsError is a root count N or threshold K out of range for a scheme
// whose current threshold is Threshold (0 when creating one).
type BadRootsError struct {
	N, K, Threshold int
}

func (e *BadRootsError) Error() string {
	return fmt.Sprintf("bad number of roots %d / threshold %d", e.N, e.K)
}

// StagingError is a root rotation that failed around its staging directory
// Path: before publishing (Published false: the directory was left from an
// earlier, interrupted rotation), or after (Published true: the update is
// in the log but the key files were not all moved into place).
type StagingError struct {
	Path      string
	Published bool
	Err       error
}

func (e *StagingError) Error() string { return e.Err.Error() }
func (e *StagingError) Unwrap() error { return e.Err }
