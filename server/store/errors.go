package store

import "errors"

// Sentinel errors; implementations wrap them with context, so test with
// errors.Is.
var (
	// ErrDuplicate reports that an envelope with the same id is already
	// stored.
	ErrDuplicate = errors.New("store: duplicate envelope id")
	// ErrMailboxFull reports that the mailbox's quota refuses the envelope.
	ErrMailboxFull = errors.New("store: mailbox full")
	// ErrClosed reports use of a closed store.
	ErrClosed = errors.New("store: closed")
	// ErrConflict reports that directory object bytes already in the log
	// were appended under a different kind.
	ErrConflict = errors.New("store: directory object already logged under another kind")
	// ErrInvalid reports an argument the store cannot accept (an empty
	// directory kind or object, a non-positive limit, a zero expiry).
	ErrInvalid = errors.New("store: invalid argument")
	// ErrSchemaNewer reports a store whose schema version is newer than
	// this binary knows: it was written by a newer relay. Opening it is
	// refused rather than risk misreading it; run the newer relay, or
	// restore a backup taken before the upgrade.
	ErrSchemaNewer = errors.New("store: schema is newer than this relay")
)
