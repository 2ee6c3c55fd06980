package desktop

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/client/workflow"
)

// offersGrid lays the offers out side by side, one column per offer and
// one row per property detail, so they can be compared at a glance. The
// address row appears only when the core provided an address (it does so
// only at the nominating organisation).
func offersGrid(offers []OfferView, loc *time.Location) fyne.CanvasObject {
	withAddress := false
	for _, o := range offers {
		if o.Offer != nil && o.Offer.Address != "" {
			withAddress = true
		}
	}
	type row struct {
		label string
		value func(OfferView) string
	}
	rows := []row{
		{tr("Landlord"), func(o OfferView) string { return o.Landlord.Name }},
		{tr("State"), func(o OfferView) string { return offerStateLabel(o) }},
		{tr("Property type"), func(o OfferView) string { return o.Offer.PropertyType }},
		{tr("Bedrooms"), func(o OfferView) string { return bedrooms(o.Offer.Bedrooms) }},
		{tr("Floor and lift"), func(o OfferView) string { return floorLift(o.Offer.Floor, o.Offer.Lift) }},
		{tr("Adaptations"), func(o OfferView) string { return none(o.Offer.Adaptations) }},
		{tr("Weekly rent"), func(o OfferView) string { return pounds(o.Offer.WeeklyRentPence) }},
		{tr("Available from"), func(o OfferView) string { return o.Offer.AvailableFrom }},
		{tr("District"), func(o OfferView) string { return o.Offer.District }},
		{tr("Viewing"), func(o OfferView) string { return o.Offer.Viewing }},
	}
	if withAddress {
		rows = append(rows, row{tr("Address"), func(o OfferView) string { return o.Offer.Address }})
	}
	rows = append(rows,
		row{tr("Offer stands until"), func(o OfferView) string { return o.Offer.Expires }},
		row{tr("Made"), func(o OfferView) string { return when(o.Made, loc) }})
	// One grid per row, so each row is as tall as its own longest cell.
	grid := container.NewVBox()
	for _, r := range rows {
		line := container.NewGridWithColumns(len(offers) + 1)
		grid.Add(line)
		line.Add(widget.NewLabelWithStyle(r.label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, o := range offers {
			v := ""
			if o.Offer != nil || r.label == tr("Landlord") || r.label == tr("State") || r.label == tr("Made") {
				v = r.value(o)
			}
			line.Add(wrapped(v))
		}
	}
	return grid
}

// offerStateLabel says where an offer stands.
func offerStateLabel(o OfferView) string {
	switch o.State {
	case workflow.OfferPending:
		return tr("Waiting for a decision")
	case workflow.OfferAccepted:
		return tr("Accepted")
	case workflow.OfferDeclined:
		if o.Why != "" {
			return trf("Declined: {{.Why}}", map[string]any{"Why": o.Why})
		}
		return tr("Declined")
	case workflow.OfferFilled:
		return tr("Filled by another offer")
	case workflow.OfferExpired:
		if o.Offer != nil && o.Offer.Expires != "" {
			return trf("Expired on {{.Date}}: it can no longer be accepted", map[string]any{"Date": o.Offer.Expires})
		}
		return tr("Expired: it can no longer be accepted")
	}
	return string(o.State)
}

func bedrooms(n int) string {
	if n == 0 {
		return tr("Bedsit")
	}
	return fmt.Sprint(n)
}

func floorLift(floor int, lift bool) string {
	var f string
	switch {
	case floor < 0:
		f = tr("Basement")
	case floor == 0:
		f = tr("Ground floor")
	default:
		f = trf("Floor {{.N}}", map[string]any{"N": floor})
	}
	if lift {
		return f + ", " + tr("lift")
	}
	if floor > 0 {
		return f + ", " + tr("no lift")
	}
	return f
}

func pounds(pence int) string {
	return fmt.Sprintf("£%d.%02d", pence/100, pence%100)
}

// pendingOffers are the offers still waiting for a decision.
func pendingOffers(c *CaseView) []OfferView {
	var out []OfferView
	for _, o := range c.Offers {
		if o.State == workflow.OfferPending && o.Offer != nil {
			out = append(out, o)
		}
	}
	return out
}

// offerName names an offer in a choice list.
func offerName(o OfferView) string {
	parts := []string{o.Landlord.Name}
	if o.Offer != nil {
		parts = append(parts, o.Offer.PropertyType, trf("{{.N}} bedrooms", map[string]any{"N": o.Offer.Bedrooms}), o.Offer.District)
	}
	return strings.Join(parts, ", ")
}
