package client

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/saferef/saferef/crypto"
)

// BalanceRow is one landlord's line of the scheme's central pot: homes it
// gave (housed a household from elsewhere), homes it received (its tenant
// was housed by another landlord), and Net = Given - Received (positive:
// the scheme owes it homes).
type BalanceRow struct {
	Landlord crypto.OrgID
	Name     string
	Given    int
	Received int
	Net      int
}

// Balance returns the central-pot balance from the outcome statistics this
// (coordinator) device has received, one row per landlord, highest net
// first, then by name. Outcomes name no person.
func (d *Device) Balance(ctx context.Context) ([]BalanceRow, error) {
	outs, err := d.store.Outcomes(ctx)
	if err != nil {
		return nil, fmt.Errorf("balance: %w", err)
	}
	rows := map[crypto.OrgID]*BalanceRow{}
	row := func(o crypto.OrgID) *BalanceRow {
		r, ok := rows[o]
		if !ok {
			r = &BalanceRow{Landlord: o, Name: d.orgRef(o).Name}
			rows[o] = r
		}
		return r
	}
	for _, o := range outs {
		row(o.Receiving).Given++
		if o.Giving != ([16]byte{}) {
			row(o.Giving).Received++
		}
	}
	out := make([]BalanceRow, 0, len(rows))
	for _, r := range rows {
		r.Net = r.Given - r.Received
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b BalanceRow) int {
		if a.Net != b.Net {
			return b.Net - a.Net
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Landlord.String(), b.Landlord.String())
	})
	return out, nil
}
