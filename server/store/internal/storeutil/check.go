package storeutil

import (
	"fmt"
	"time"

	"github.com/saferef/saferef/server/store"
)

// CheckDirectoryEntry reports, wrapping store.ErrInvalid, a directory append that
// no store accepts.
func CheckDirectoryEntry(kind string, object []byte) error {
	if kind == "" {
		return fmt.Errorf("append directory: empty kind: %w", store.ErrInvalid)
	}
	if len(object) == 0 {
		return fmt.Errorf("append directory %s: empty object: %w", kind, store.ErrInvalid)
	}
	return nil
}

// CheckEnvelope reports, wrapping store.ErrInvalid, an envelope no store accepts.
func CheckEnvelope(e store.Envelope) error {
	if e.Expiry.IsZero() {
		return fmt.Errorf("put envelope %x: zero expiry: %w", e.ID, store.ErrInvalid)
	}
	return nil
}

// CheckLimit reports, wrapping store.ErrInvalid, a non-positive limit.
func CheckLimit(limit int) error {
	if limit <= 0 {
		return fmt.Errorf("limit %d: %w", limit, store.ErrInvalid)
	}
	return nil
}

// UnixUTC returns the UTC time of Unix seconds sec.
func UnixUTC(sec int64) time.Time {
	return time.Unix(sec, 0).UTC()
}
