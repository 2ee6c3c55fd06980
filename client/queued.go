package client

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// QueuedEntries returns the entries of a case (CaseEntry.Envelope) that
// were sent from this device but are still in the outbox, waiting for the
// relay: front ends mark them "queued".
func (d *Device) QueuedEntries(ctx context.Context, id payload.ID) (map[crypto.EnvelopeID]bool, error) {
	items, err := d.store.Outbox(ctx)
	if err != nil {
		return nil, fmt.Errorf("queued entries: %w", err)
	}
	waiting := map[[16]byte]bool{}
	for _, it := range items {
		waiting[it.Envelope] = true
	}
	sent, err := d.store.SentEnvelopes(ctx, [16]byte(id))
	if err != nil {
		return nil, fmt.Errorf("queued entries: %w", err)
	}
	out := map[crypto.EnvelopeID]bool{}
	for _, s := range sent {
		if waiting[s.Envelope] {
			out[crypto.EnvelopeID(s.Entry)] = true
		}
	}
	return out, nil
}
