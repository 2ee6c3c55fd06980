package server

import "github.com/saferef/saferef/protocol"

// dropReason says why the relay closed a connection: the "reason" label of
// saferef_relay_connections_dropped_total (docs/OPERATIONS.md lists them).
// Every reason is a constant here or a protocol error code (errorReason);
// newMetrics creates each series up front, so that a reason that never
// happened reads 0 rather than being absent.
type dropReason string

// Reasons for closing a connection that are not a protocol error.
const (
	dropClientClosed dropReason = "client-closed" // the device hung up or stopped answering pings
	dropShutdown     dropReason = "shutdown"      // the relay is stopping
	dropQueueFull    dropReason = "queue-full"    // the device does not read its frames fast enough
	dropWriteFailed  dropReason = "write-failed"  // a write to the network failed or timed out
	dropStoreError   dropReason = "store-error"   // the store failed while the relay delivered
	dropRevoked      dropReason = "revoked"       // the device was revoked while connected
)

// errorReason is the reason for closing a connection with a fatal Error
// frame: its protocol error code.
func errorReason(code string) dropReason { return dropReason(code) }

// dropReasons returns every reason, for creating the series up front.
func dropReasons() []dropReason {
	out := []dropReason{dropClientClosed, dropShutdown, dropQueueFull, dropWriteFailed, dropStoreError, dropRevoked}
	for _, code := range protocol.ErrorCodes() {
		out = append(out, errorReason(code))
	}
	return out
}
