package storetest

import (
	"testing"

	"github.com/saferef/saferef/server/store"
)

// Option configures Run.
type Option func(*config)

type config struct {
	reopen func(t *testing.T, closed store.Store) store.Store
}

// WithReopen lets Run check durability: reopen is given a store the suite
// has closed and must return a new Store over the same data.
func WithReopen(reopen func(t *testing.T, closed store.Store) store.Store) Option {
	return func(c *config) { c.reopen = reopen }
}

// Run runs the Store conformance suite. open must return a new, empty store
// for each call.
func Run(t *testing.T, open func(t *testing.T) store.Store, opts ...Option) {
	var c config
	for _, opt := range opts {
		opt(&c)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"DirectoryEmpty", testDirectoryEmpty},
		{"DirectoryDenseIndexes", testDirectoryDenseIndexes},
		{"DirectoryIdempotent", testDirectoryIdempotent},
		{"DirectoryConflict", testDirectoryConflict},
		{"DirectoryLargeObject", testDirectoryLargeObject},
		{"DirectoryInvalid", testDirectoryInvalid},
		{"PutPendingRoundTrip", testPutPendingRoundTrip},
		{"PendingOrderAndCursor", testPendingOrderAndCursor},
		{"PendingSkipsExpired", testPendingSkipsExpired},
		{"ExpiryRoundsUp", testExpiryRoundsUp},
		{"PutDuplicate", testPutDuplicate},
		{"PutDuplicateDevices", testPutDuplicateDevices},
		{"PutWithoutDevices", testPutWithoutDevices},
		{"PutInvalid", testPutInvalid},
		{"PutStoredReadableBeforeReturn", testPutStoredReadableBeforeReturn},
		{"PutStoredNotForRefused", testPutStoredNotForRefused},
		{"QuotaEnvelopes", testQuotaEnvelopes},
		{"QuotaBytes", testQuotaBytes},
		{"QuotaUnlimited", testQuotaUnlimited},
		{"AckDeletesWhenAllDevicesAcked", testAckDeletesWhenAllAcked},
		{"AckUnknownIgnored", testAckUnknownIgnored},
		{"AckMany", testAckMany},
		{"AckBatch", testAckBatch},
		{"AckBatchWholeOrganisation", testAckBatchWholeOrganisation},
		{"Expire", testExpire},
		{"DropDevice", testDropDevice},
		{"Stats", testStats},
		{"SeqNeverReused", testSeqNeverReused},
		{"ConcurrentPut", testConcurrentPut},
		{"ConcurrentAck", testConcurrentAck},
		{"ConcurrentDuplicatePut", testConcurrentDuplicatePut},
		{"CanceledContext", testCanceledContext},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
	t.Run("Reopen", func(t *testing.T) {
		if c.reopen == nil {
			t.Log("no reopen function given: durability across reopen not checked")
			return
		}
		testReopen(t, open(t), c.reopen)
	})
}
