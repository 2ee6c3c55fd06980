package server

import (
	"context"
	"errors"

	"github.com/saferef/saferef/protocol"
)

// errStore marks a failure of the store (rather than of the request).
var errStore = errors.New("store unavailable")

// storeFailed answers a request the store could not serve. If the
// connection's context has ended, the client left (or the relay is closing)
// while the store was working: that is not a fault, nothing is logged and
// nothing is counted. Otherwise the device is told, with the one retryable
// code unavailable, that nothing was stored durably and it should try
// again; a device keeps the request queued, as when the relay itself is
// down (protocol/SPEC.md, "Errors"). fatal closes the connection (used
// where the connection cannot go on, such as authentication).
func (c *conn) storeFailed(ctx context.Context, what string, err error, reqID uint64, fatal bool) {
	if ctx.Err() != nil {
		return
	}
	c.s.cfg.Logger.Error("store unavailable", "during", what, "err", err)
	c.s.metrics.storeUnavailable.Inc()
	c.sendError(protocol.CodeUnavailable, "the relay cannot use its store just now; nothing was stored durably, send again shortly", reqID, fatal)
}
