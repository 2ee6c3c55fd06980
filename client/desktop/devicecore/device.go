package devicecore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/desktop"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// Device is an unlocked client.Device seen through desktop.Core.
type Device struct {
	d *client.Device

	mu     sync.Mutex
	queued int // sends that returned client.ErrNotSent since the last good sync
}

var _ desktop.Core = (*Device)(nil)

// New wraps an unlocked device. Close closes it.
func New(d *client.Device) *Device { return &Device{d: d} }

// Identity describes the device and its organisation.
func (c *Device) Identity() desktop.Identity {
	id := desktop.Identity{DeviceName: c.d.Name(), Org: c.d.Org(), Fingerprint: c.d.Fingerprint()}
	if o, err := c.d.Directory().Org(c.d.Org()); err == nil {
		id.OrgName = o.Cert.Name
	}
	return id
}

// Sync syncs with the relay. A sync that completes sends the whole outbox,
// so it clears the queued count.
func (c *Device) Sync(ctx context.Context) (desktop.SyncReport, error) {
	r, err := c.d.Sync(ctx)
	if err != nil {
		return desktop.SyncReport{}, fmt.Errorf("sync: %w", err)
	}
	c.mu.Lock()
	c.queued = 0
	c.mu.Unlock()
	return desktop.SyncReport{New: r.New, Rejected: r.Rejected, Sent: r.Sent, At: time.Now()}, nil
}

// CaseRows lists every case with its districts and what it waits on.
func (c *Device) CaseRows(ctx context.Context) ([]desktop.CaseRow, error) {
	sums, err := c.d.Cases(ctx)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	rows := make([]desktop.CaseRow, 0, len(sums))
	for _, s := range sums {
		k, err := c.d.Case(ctx, s.ID)
		if err != nil {
			return nil, fmt.Errorf("load case %s: %w", s.ID, err)
		}
		rows = append(rows, Row(k, c.d.Org()))
	}
	return rows, nil
}

// finished reports whether nothing can wait on a case in this status.
func finished(status string) bool {
	switch strings.ToLower(status) {
	case "closed", "withdrawn", "moved":
		return true
	}
	return false
}

// Row derives a case-list row from a full case, for the organisation me.
func Row(k *client.Case, me crypto.OrgID) desktop.CaseRow {
	row := desktop.CaseRow{CaseSummary: k.CaseSummary}
	if k.Referral != nil {
		row.Districts = slices.Clone(k.Referral.DistrictsAcceptable)
	}
	switch {
	case finished(k.Status):
	case len(k.Entries) == 0 || k.Referral == nil:
		row.Waiting = desktop.Waiting{Kind: desktop.WaitingReferral}
	default:
		last := k.Entries[len(k.Entries)-1]
		if last.Direction == casestore.DirectionReceived && last.From.Org != me {
			row.Waiting = desktop.Waiting{Kind: desktop.WaitingOnYou, Org: last.From.OrgName}
			row.NeedsAction = true
		} else {
			row.Waiting = desktop.Waiting{Kind: desktop.WaitingOnOrg, Org: otherOrg(k.Organisations, me)}
		}
	}
	return row
}

// otherOrg names the first organisation in the case that is not me.
func otherOrg(orgs []client.OrgRef, me crypto.OrgID) string {
	for _, o := range orgs {
		if o.ID != me {
			return o.Name
		}
	}
	return ""
}

// Case returns one case in full.
func (c *Device) Case(ctx context.Context, id crypto.CaseID) (*client.Case, error) {
	k, err := c.d.Case(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load case %s: %w", id, err)
	}
	return k, nil
}

// SendMessage adds a message to a case.
func (c *Device) SendMessage(ctx context.Context, id crypto.CaseID, text string) error {
	_, err := c.d.SendMessage(ctx, id, text)
	c.countQueued(err)
	if err != nil {
		return fmt.Errorf("send message on case %s: %w", id, err)
	}
	return nil
}

// SendReferral circulates a referral.
func (c *Device) SendReferral(ctx context.Context, to []crypto.OrgID, r *payload.Referral) (crypto.CaseID, error) {
	id, err := c.d.SendReferral(ctx, to, r)
	c.countQueued(err)
	if err != nil {
		return id, fmt.Errorf("send referral: %w", err)
	}
	return id, nil
}

func (c *Device) countQueued(err error) {
	if errors.Is(err, client.ErrNotSent) {
		c.mu.Lock()
		c.queued++
		c.mu.Unlock()
	}
}

// Queued returns the number of sends waiting for the relay.
func (c *Device) Queued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queued
}

// Organisations lists the scheme's organisations by name.
func (c *Device) Organisations() []desktop.Organisation {
	var out []desktop.Organisation
	for _, e := range c.d.Directory().Orgs() {
		out = append(out, desktop.Organisation{
			ID: e.Cert.Org, Name: e.Cert.Name, Kind: e.Cert.Kind,
			Districts: slices.Clone(e.Cert.Districts), Fingerprint: crypto.OrgFingerprint(e.Cert),
			Revoked: e.Revoked != nil,
		})
	}
	slices.SortFunc(out, func(a, b desktop.Organisation) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Close closes the device's case store.
func (c *Device) Close() error {
	if err := c.d.Close(); err != nil {
		return fmt.Errorf("close device: %w", err)
	}
	return nil
}
