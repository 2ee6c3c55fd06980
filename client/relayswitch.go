package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/saferef/saferef/client/relay"
)

// ErrNotSameLog means the relay offered to SetRelay does not serve the log
// this device follows: another log key, or a log that is not an extension
// of (or equal to) the newest checkpoint this device has verified.
var ErrNotSameLog = errors.New("the new relay does not serve the same log as this device's relay")

// SetRelay moves this device to another relay of the same scheme: a second
// node of a failover pair, or the same service under a new name. Before it
// changes anything it checks, on the new relay, that
//
//   - it answers for the URL given (its ServerHello names that origin);
//   - it signs with the log key this device has pinned;
//   - its checkpoint is consistent with the newest one this device has
//     verified (a consistency proof from that size; a smaller log is a
//     rollback, raised as an alert like any other);
//   - it knows this device (authentication succeeds).
//
// Only then is the relay URL in config.json replaced. Queued envelopes are
// sent to the new relay at the next sync; nothing else changes.
func (d *Device) SetRelay(ctx context.Context, url string) error {
	d.netMu.Lock()
	defer d.netMu.Unlock()
	ep, err := relay.ParseURL(url)
	if err != nil {
		return fmt.Errorf("set relay: %w", err)
	}
	c, err := relay.Dial(ctx, url, d.ropts)
	if err != nil {
		if unreachable(ctx, err) {
			return fmt.Errorf("set relay %s: %w: %w", ep.Origin, ErrRelayUnreachable, err)
		}
		return fmt.Errorf("set relay %s: %w", ep.Origin, err)
	}
	defer c.Close()
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	if m != nil && c.Hello().LogKey != m.VerifierKey() {
		return fmt.Errorf("set relay %s: %w: it signs with log key %q, this device follows %q", ep.Origin, ErrNotSameLog, c.Hello().LogKey, m.VerifierKey())
	}
	if err := d.pinLogKey(ctx, c.Hello().LogKey); err != nil {
		return fmt.Errorf("set relay %s: %w: %w", ep.Origin, ErrNotSameLog, err)
	}
	if err := d.checkClock(c.Hello().Time); err != nil {
		return fmt.Errorf("set relay %s: %w", ep.Origin, err)
	}
	// The directory is public: read and check it before authenticating,
	// so that a relay with a different history is refused even if it
	// would accept this device.
	if _, err := d.refreshDirectory(ctx, c); err != nil {
		if errors.Is(err, ErrLogInconsistent) {
			return fmt.Errorf("set relay %s: %w: %w", ep.Origin, ErrNotSameLog, err)
		}
		return fmt.Errorf("set relay %s: %w", ep.Origin, err)
	}
	org, err := c.Authenticate(ctx, d.secrets.Device, d.keys.Signing)
	if err != nil {
		return fmt.Errorf("set relay %s: it does not accept this device: %w", ep.Origin, explainAuth(err))
	}
	if org != d.secrets.Org {
		return fmt.Errorf("set relay %s: it places this device in organisation %x, not %s", ep.Origin, org, d.secrets.Org)
	}
	d.mu.Lock()
	cfg := *d.cfg
	d.mu.Unlock()
	cfg.Relay = url
	b, err := cfg.Marshal()
	if err != nil {
		return fmt.Errorf("set relay: %w", err)
	}
	if err := writeSealedHomeFile(d.secrets.DataKey, d.home, ConfigFile, b); err != nil {
		return fmt.Errorf("set relay: %w", err)
	}
	d.mu.Lock()
	d.cfg.Relay = url
	d.mu.Unlock()
	return nil
}
