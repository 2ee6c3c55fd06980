package client

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
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
// first, then by name. Outcomes name no person. A move counts only when
// both parties attested it: a nominator's and the receiving landlord's
// outcome with the same token, naming the same landlords; it counts once
// however many copies arrive. An attestation without its pair (a move
// that never happened, or whose other side has not reported yet) moves
// nothing.
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
	type attested struct{ nominator, landlord bool }
	moves := map[[16]byte]*attested{}
	first := map[[16]byte]casestore.OutcomeRecord{}
	var order [][16]byte
	for _, o := range outs {
		if o.Token == ([16]byte{}) {
			continue
		}
		f, ok := first[o.Token]
		if !ok {
			first[o.Token], moves[o.Token] = o, &attested{}
			order = append(order, o.Token)
			f = o
		}
		if f.Giving != o.Giving || f.Receiving != o.Receiving {
			continue // the two sides disagree: not the same move
		}
		switch o.Role {
		case payload.OutcomeByNominator:
			moves[o.Token].nominator = true
		case payload.OutcomeByReceivingLandlord:
			moves[o.Token].landlord = true
		}
	}
	for _, t := range order {
		if m := moves[t]; !m.nominator || !m.landlord {
			continue
		}
		o := first[t]
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
