package client

import (
	"context"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// CheckPeerCheckpointForTest exposes checkPeerCheckpoint to the external
// tests.
func (d *Device) CheckPeerCheckpointForTest(ctx context.Context, c *relay.Conn, raw []byte, peer string) error {
	return d.checkPeerCheckpoint(ctx, c, raw, "a device", peer)
}

// HandOverAlteredForTest hands over like HandOver, letting a test alter
// each handover before it is sealed, as a hostile colleague's device could.
func (d *Device) HandOverAlteredForTest(ctx context.Context, to crypto.DeviceID, mutate func(*payload.Handover)) (*HandoverResult, error) {
	return d.handOver(ctx, to, mutate)
}
