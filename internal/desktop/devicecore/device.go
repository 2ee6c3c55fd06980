package devicecore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/desktop"
	"github.com/saferef/saferef/protocol/payload"
)

// Device is an unlocked client.Device seen through desktop.Core.
type Device struct {
	d *client.Device
}

var _ desktop.Core = (*Device)(nil)

// New wraps an unlocked device. Close closes it.
func New(d *client.Device) *Device { return &Device{d: d} }

// Identity describes the device and its organisation.
func (c *Device) Identity() desktop.Identity {
	id := desktop.Identity{DeviceName: c.d.Name(), Org: c.d.Org(), Fingerprint: c.d.Fingerprint(), Admin: c.d.HoldsAdminKey()}
	if o, err := c.d.Directory().Org(c.d.Org()); err == nil {
		id.OrgName = o.Cert.Name
	}
	return id
}

// Sync syncs with the relay (which also sends the outbox).
func (c *Device) Sync(ctx context.Context) (desktop.SyncReport, error) {
	r, err := c.d.Sync(ctx)
	if err != nil {
		return desktop.SyncReport{}, fmt.Errorf("sync: %w", err)
	}
	rep := desktop.SyncReport{New: r.New, Rejected: r.Rejected, Sent: r.Sent, At: time.Now()}
	if alerts, err := c.d.Alerts(ctx); err == nil && len(alerts) > 0 {
		rep.Warning = alerts[len(alerts)-1].Message
	}
	return rep, nil
}

// CaseRows lists every case with its districts and what it is waiting on,
// from the summaries the case store keeps (no case is opened).
func (c *Device) CaseRows(ctx context.Context) ([]desktop.CaseRow, error) {
	sums, err := c.d.Cases(ctx)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	rows := make([]desktop.CaseRow, 0, len(sums))
	for _, s := range sums {
		rows = append(rows, Row(s))
	}
	return rows, nil
}

// Row derives a case-list row from a case summary: the workflow says what
// waits on the user; otherwise the case waits on the organisations that
// are next, or (before the referral) on the referral.
func Row(s client.CaseSummary) desktop.CaseRow {
	row := desktop.CaseRow{CaseSummary: s}
	switch {
	case s.WaitingOn != workflow.ActionNone:
		row.Waiting = desktop.Waiting{Kind: desktop.WaitingOnYou, Action: s.WaitingOn}
		row.NeedsAction = true
	case s.Stage.Final() || s.Stage == workflow.StageMoved:
	case !s.HasReferral:
		row.Waiting = desktop.Waiting{Kind: desktop.WaitingReferral}
	default:
		row.Waiting = desktop.Waiting{Kind: desktop.WaitingOnOrg, Org: orgNames(s.Next)}
	}
	return row
}

// orgNames joins the names of organisations the directory knows.
func orgNames(orgs []client.OrgRef) string {
	var names []string
	for _, o := range orgs {
		if o.Name != "" {
			names = append(names, o.Name)
		}
	}
	return strings.Join(names, ", ")
}

// Case returns one case in full with its workflow state.
func (c *Device) Case(ctx context.Context, id payload.ID) (*desktop.CaseView, error) {
	k, err := c.d.Case(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load case %s: %w", id, err)
	}
	return View(k, c.d.Org()), nil
}

// SetRelay moves the device to another relay of the same scheme.
func (c *Device) SetRelay(ctx context.Context, url string) error {
	return c.d.SetRelay(ctx, url)
}

// Queued counts the envelopes waiting in the outbox.
func (c *Device) Queued(ctx context.Context) (int, error) {
	n, err := c.d.Queued(ctx)
	if err != nil {
		return 0, fmt.Errorf("count queued sends: %w", err)
	}
	return n, nil
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
