package client

import (
	"context"

	"github.com/saferef/saferef/client/casestore"
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

// StaleSummariesForTest counts the cases whose stored list summary is
// missing or of another version. With stale set, it first replaces every
// stored summary with one of an older version, as a store written before
// this one would hold.
func (d *Device) StaleSummariesForTest(ctx context.Context, stale bool) (int, error) {
	ss, err := d.store.Find(ctx, casestore.Filter{})
	if err != nil {
		return 0, err
	}
	if stale {
		var ids [][16]byte
		for _, s := range ss {
			ids = append(ids, s.ID)
		}
		d.store.SetSummariser(func(context.Context, *casestore.Tx, [16]byte) ([]byte, error) { return []byte(`{"v":0}`), nil })
		err := d.store.Resummarise(ctx, ids)
		d.store.SetSummariser(d.storeSummary)
		if err != nil {
			return 0, err
		}
		if ss, err = d.store.Find(ctx, casestore.Filter{}); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, s := range ss {
		if _, ok := storedSummary(s.List); !ok {
			n++
		}
	}
	return n, nil
}
