package client

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/protocol/payload"
)

// OverrideGuard records, in the case's timeline on this device, that a
// match the disclosure guard flagged is not identifying, with the reason
// ("Church Road Surgery" is a GP surgery, not the household's address).
// From then on that match passes in every field of that case sent from
// this device. A match that is, or contains, the household's own data
// (its names, dates of birth, address, phone, email) is never overridden
// (guard.ErrOverrideOwnData). Nothing is sent.
func (d *Device) OverrideGuard(ctx context.Context, id payload.ID, match, reason string) error {
	h, err := d.household(ctx, id)
	if err != nil {
		return fmt.Errorf("override guard in %s: %w", id, err)
	}
	now := d.now()
	if err := guard.CheckOverride(guard.Override{Match: match, Reason: reason}, h, now); err != nil {
		return fmt.Errorf("case %s: %w", id, err)
	}
	err = d.store.Update(ctx, func(tx *casestore.Tx) error {
		wc, known, err := d.loadFlow(ctx, tx, id)
		if err != nil {
			return err
		}
		if !known {
			return fmt.Errorf("case %s: %w", id, ErrNotInCase)
		}
		if err := wc.Apply(workflow.Event{Kind: workflow.EventGuardOverride, Actor: d.me(), At: now, Match: match, Why: reason}); err != nil {
			return err
		}
		return d.saveFlow(ctx, tx, wc, nil)
	})
	if err != nil {
		return fmt.Errorf("override guard in %s: %w", id, err)
	}
	return nil
}
