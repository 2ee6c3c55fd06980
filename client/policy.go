package client

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrRetentionPolicy means a device-local retention period would keep
// finished cases longer than the organisation admin's signed policy allows.
var ErrRetentionPolicy = errors.New("longer than your organisation's retention policy")

// RetentionPolicy returns the retention period of this device's
// organisation's newest signed policy (crypto.OrgPolicy) as last synced,
// or 0 if its admin has published none.
func (d *Device) RetentionPolicy() time.Duration {
	if p := d.Directory().Policy(d.secrets.Org); p != nil {
		return p.Retention
	}
	return 0
}

// applyRetentionPolicy sets the case store's retention from the
// organisation's policy after a directory refresh (see the package doc,
// Retention policy).
func (d *Device) applyRetentionPolicy(ctx context.Context) error {
	p := d.Directory().Policy(d.secrets.Org)
	if p == nil {
		return nil
	}
	if _, err := d.store.ApplyRetentionPolicy(ctx, p.Seq, p.Retention); err != nil {
		return fmt.Errorf("organisation retention policy: %w", err)
	}
	return nil
}
