package translog

import "errors"

// Errors returned (wrapped, with context) by this package. Callers branch on
// them with errors.Is. ErrSplitView and ErrRollback mean the relay has shown
// this device a log that cannot be the one it showed before (or showed
// someone else): a client stops sending and tells its user.
var (
	// ErrMalformed means checkpoint or key text could not be parsed, or is
	// not in its one canonical form.
	ErrMalformed = errors.New("malformed transparency log data")
	// ErrBadCheckpoint means a checkpoint is not validly signed by the log
	// key the device trusts, or names another log (origin).
	ErrBadCheckpoint = errors.New("checkpoint not signed by the trusted log key")
	// ErrBadProof means an inclusion proof does not show that an object is
	// in the log at the given index.
	ErrBadProof = errors.New("inclusion proof does not verify")
	// ErrSplitView means two checkpoints signed by the log key cannot both
	// be true: the same size with different roots, or no valid consistency
	// proof from the smaller to the larger. The relay is showing different
	// logs to different devices, or rewrote its history.
	ErrSplitView = errors.New("split view: the relay's signed checkpoints contradict each other")
	// ErrRollback means the relay offered as its latest state a checkpoint
	// older (smaller) than one this device has already verified: the relay
	// was rolled back, restarted from an old backup, or is hiding entries.
	ErrRollback = errors.New("log rolled back: checkpoint is older than one already verified")
	// ErrWrongLogKey means the relay's log key differs from the one pinned
	// in the scheme file or on first contact.
	ErrWrongLogKey = errors.New("relay log key differs from the pinned one")
	// ErrTreeMismatch means the log entries a device holds do not hash to
	// the root a checkpoint signs for their number: the relay served
	// different entries from the ones it signed.
	ErrTreeMismatch = errors.New("log entries do not match the signed checkpoint")
	// ErrOutOfRange means an index or tree size is beyond the log.
	ErrOutOfRange = errors.New("index or size beyond the log")
)
