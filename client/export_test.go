package client

import (
	"context"

	"github.com/saferef/saferef/client/relay"
)

// CheckPeerCheckpointForTest exposes checkPeerCheckpoint to the external
// tests.
func (d *Device) CheckPeerCheckpointForTest(ctx context.Context, c *relay.Conn, raw []byte, peer string) error {
	return d.checkPeerCheckpoint(ctx, c, raw, "a device", peer)
}
