package client

import (
	"context"
	"fmt"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/protocol/payload"
)

// afterSync compacts the store after recalls (so that no page of a
// shredded packet lingers in the database or its WAL) and crypto-shreds
// the finished cases whose retention period has passed.
func (d *Device) afterSync(ctx context.Context, res *SyncResult) error {
	n, err := d.store.ShredExpired(ctx, d.now())
	if err != nil {
		return err
	}
	res.Shredded = n
	if res.Recalled > 0 && n == 0 { // ShredExpired compacts when it shreds
		return d.store.Compact(ctx)
	}
	return nil
}

// Retention returns how long this device keeps a closed, withdrawn or
// filled case before crypto-shredding it.
func (d *Device) Retention(ctx context.Context) (time.Duration, error) {
	return d.store.Retention(ctx)
}

// SetRetention sets the retention period on this device. Once the
// organisation admin has published a retention policy, a device may only
// shorten it: a longer period is ErrRetentionPolicy. The next policy the
// admin publishes replaces the local setting.
func (d *Device) SetRetention(ctx context.Context, period time.Duration) error {
	if p := d.RetentionPolicy(); p > 0 && period > p {
		return fmt.Errorf("set retention to %d days: %w (%d days)", period/(24*time.Hour), ErrRetentionPolicy, p/(24*time.Hour))
	}
	return d.store.SetRetention(ctx, period)
}

// ShredExpired crypto-shreds every finished case whose retention period
// has passed (by the device's clock, Options.Now) and returns how many.
// Sync runs it at its end.
func (d *Device) ShredExpired(ctx context.Context) (int, error) {
	return d.store.ShredExpired(ctx, d.now())
}

// ExportCase returns one case encrypted to a passphrase, for a records
// request (see casestore.Store.Export; read it with casestore.ReadExport).
func (d *Device) ExportCase(ctx context.Context, id payload.ID, passphrase string) ([]byte, error) {
	b, err := d.store.Export(ctx, [16]byte(id), passphrase)
	if err != nil {
		return nil, fmt.Errorf("export case %s: %w", id, err)
	}
	return b, nil
}

// FindCases lists the cases matching the filter (stage, organisation,
// district, reference, dates), most recent activity first, decrypting only
// those returned.
func (d *Device) FindCases(ctx context.Context, f casestore.Filter) ([]CaseSummary, error) {
	ss, err := d.store.Find(ctx, f)
	if err != nil {
		return nil, err
	}
	return d.summaries(ctx, ss)
}
