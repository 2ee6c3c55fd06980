package client

import (
	"context"
	"errors"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/protocol"
)

// checkLogUnauthenticated runs when the relay refuses this device's
// authentication as unknown. A relay that lost its store (empty, truncated
// or restored from an old backup) does exactly that to every device, which
// would send everyone to get approved again; but its log is then smaller
// than the checkpoint this device holds, whatever its size (zero
// included). So before believing the refusal the device reads the relay's
// checkpoint on a fresh, unauthenticated connection (DirectoryGet is
// public) and checks it like any other: a rollback raises the alert and is
// returned instead. It returns nil when the log checks out (or cannot be
// read), and the refusal stands.
func (d *Device) checkLogUnauthenticated(ctx context.Context, authErr error) error {
	var pe *protocol.Error
	if !errors.As(authErr, &pe) || pe.Code != protocol.CodeAuthFailed {
		return nil
	}
	c, err := relay.Dial(ctx, d.Relay(), d.ropts)
	if err != nil {
		return nil
	}
	defer c.Close()
	d.mu.Lock()
	since := d.dirSize
	d.mu.Unlock()
	l, err := c.DirectoryLog(ctx, since)
	if err != nil {
		return nil
	}
	return d.checkLog(ctx, c, l)
}
