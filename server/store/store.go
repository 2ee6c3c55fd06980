package store

import (
	"context"
	"time"
)

// Store is the relay's durable state. Implementations are safe for
// concurrent use.
type Store interface {
	// AppendDirectory appends one signed directory object of the given kind
	// (org-cert, device-cert, revocation, key-update) and returns its index,
	// 0-based and dense. Appending bytes identical to an existing entry
	// returns the existing index and a nil error.
	AppendDirectory(ctx context.Context, kind string, object []byte) (index uint64, err error)
	// Directory returns the entries with index >= since, in index order, at
	// most limit of them.
	Directory(ctx context.Context, since uint64, limit int) ([]DirectoryEntry, error)
	// DirectorySize returns the number of directory entries, which is also
	// the index the next new entry will get.
	DirectorySize(ctx context.Context) (uint64, error)

	// PutEnvelope stores an envelope for its mailbox and one pending delivery
	// for each listed device, in one transaction, and returns only once that
	// is durable. It fails with ErrDuplicate if the id is already stored and
	// with ErrMailboxFull if quota refuses it. Seq and Received of e are
	// ignored: the store assigns them.
	//
	// If stored is not nil, PutEnvelope calls it from its own goroutine, at
	// most once and before returning, as soon as the envelope is committed
	// and Pending returns it, which may be before it is durable: the relay
	// hands the envelope to its recipients then, while the disk syncs. It
	// is never called for a put refused with ErrDuplicate or
	// ErrMailboxFull. A put that fails after stored was called (its sync
	// failed, or the relay died) may or may not survive a crash; the
	// sender, never told SendOK, sends it again, and recipients drop the
	// second copy by id (protocol/SPEC.md, "Delivery").
	PutEnvelope(ctx context.Context, e Envelope, devices [][16]byte, quota Quota, stored func()) error
	// Pending returns the envelopes waiting for device with Seq > after, in
	// arrival order (Seq ascending), at most limit of them, skipping expired
	// ones (Expiry <= now).
	Pending(ctx context.Context, device [16]byte, after uint64, limit int, now time.Time) ([]Envelope, error)
	// Ack removes the pending deliveries of ids for device; an envelope with
	// no pending delivery left is deleted. Unknown ids are ignored. It
	// returns how many envelopes were deleted.
	Ack(ctx context.Context, device [16]byte, ids [][16]byte) (deleted int, err error)
	// AckBatch applies the acknowledgements of many devices in one
	// transaction, as Ack would one by one, and returns how many envelopes
	// were deleted. The relay gathers acknowledgements from every
	// connection for a few milliseconds and applies them with one commit.
	// Acknowledgements need not be synced to disk before returning (a
	// power failure may undo the last ones: a redelivery, not a loss).
	AckBatch(ctx context.Context, acks []Acks) (deleted int, err error)
	// Expire deletes every envelope (and its deliveries) with Expiry <= now
	// and returns how many.
	Expire(ctx context.Context, now time.Time) (int, error)
	// DropDevice removes all pending deliveries of a (revoked) device,
	// deleting the envelopes left with none, and returns how many envelopes
	// were deleted.
	DropDevice(ctx context.Context, device [16]byte) (int, error)
	// Stats returns what is currently stored, for metrics.
	Stats(ctx context.Context) (Stats, error)
	// Close releases the store's resources. Later calls fail with ErrClosed.
	Close() error
}

// Notifier is implemented by stores shared between relay nodes
// (PostgreSQL). Listen calls fn with the mailbox id of every envelope stored
// by any node until ctx ends; own is true when the envelope was stored
// through this very Store value (this relay node), which has already handed
// it to its local connections and need not wake them again. Notification is
// at-most-once, so callers must also catch up from Pending after
// (re)connecting. Listen returns nil when ctx is done, or a wrapped error on a
// connection failure, after which the caller may call it again. fn is called
// from Listen's goroutine, one call at a time.
type Notifier interface {
	Listen(ctx context.Context, fn func(mailbox [16]byte, own bool)) error
}

// WriteProber is implemented by stores that can check cheaply that they
// can still commit a write (both implementations do). The relay probes
// periodically and reports unhealthy on /healthz while the probe fails.
type WriteProber interface {
	// ProbeWrite commits one tiny write and reports any failure.
	ProbeWrite(ctx context.Context) error
}
