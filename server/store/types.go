package store

import "time"

// DirectoryEntry is one immutable entry of the directory log.
type DirectoryEntry struct {
	// Index is the entry's position in the log, 0-based and dense.
	Index uint64
	// Kind is the kind of signed object: org-cert, device-cert, revocation
	// or key-update.
	Kind string
	// Object is the signed object exactly as appended.
	Object []byte
	// Added is when the store appended the entry, in whole seconds, UTC.
	Added time.Time
}

// Envelope is one stored envelope: opaque outer bytes addressed to an
// organisation's mailbox.
type Envelope struct {
	// ID is the envelope's random 128-bit id.
	ID [16]byte
	// Mailbox is the recipient organisation's id.
	Mailbox [16]byte
	// Expiry is when the relay may delete the envelope unacknowledged.
	Expiry time.Time
	// Body is the outer envelope encoding (ciphertext), opaque to the store.
	Body []byte
	// Seq is assigned by the store, strictly increasing across the store.
	Seq uint64
	// Received is when the store accepted the envelope, in whole seconds.
	Received time.Time
}

// Quota bounds one mailbox. Zero (or negative) fields are unlimited.
type Quota struct {
	// MaxEnvelopes is how many envelopes the mailbox may hold.
	MaxEnvelopes int
	// MaxBytes is how many Body bytes the mailbox may hold in total.
	MaxBytes int64
}

// Stats describes what a store currently holds.
type Stats struct {
	// Envelopes is the number of stored envelopes, expired or not.
	Envelopes int64
	// Bytes is the total size of the stored envelopes' bodies.
	Bytes int64
	// Deliveries is the number of pending (device, envelope) deliveries.
	Deliveries int64
	// DirectoryEntries is the size of the directory log.
	DirectoryEntries int64
}

// Acks is one device's acknowledgements, an element of a Store.AckBatch.
type Acks struct {
	// Device is the acknowledging device.
	Device [16]byte
	// IDs are the envelopes it has processed.
	IDs [][16]byte
}
