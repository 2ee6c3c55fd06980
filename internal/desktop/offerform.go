package desktop

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/saferef/saferef/protocol/payload"
)

// offerForm is a candidate landlord's offer of a home. Everything but the
// address describes the home without locating it; the address goes only to
// the nominating organisation.
type offerForm struct {
	*stepPanel
	propertyType, district *focusSelect
	bedrooms, floor        *entry
	lift                   *focusCheck
	adaptations, viewing   *entry
	rent                   *entry
	available, expires     *dateField
	address                *entry
}

func newOfferForm(a *App, m *mainScreen, c *CaseView) *offerForm {
	f := &offerForm{}
	f.stepPanel = newStepPanel(a, m, c, tr("Send offer"), f.submitForm, "property_type", "bedrooms", "floor", "lift",
		"adaptations", "weekly_rent_pence", "available_from", "district", "viewing", "address", "expires")
	f.propertyType = newSelect(a, choiceLabels(payload.PropertyTypes()), nil)
	f.bedrooms = newEntry(a)
	f.bedrooms.SetPlaceHolder(tr("0 for a bedsit"))
	f.floor = newEntry(a)
	f.floor.SetText("0")
	f.lift = newCheck(a, tr("Reached by a lift"), nil)
	f.adaptations = newMultiLineEntry(a)
	f.adaptations.SetPlaceHolder(tr("One adaptation a line"))
	f.adaptations.SetMinRowsVisible(2)
	f.rent = newEntry(a)
	f.rent.SetPlaceHolder("112.50")
	f.available = newDateField(a)
	// Only the referral's acceptable districts, less those to avoid: the
	// form cannot pick a district the household must stay out of (the
	// core refuses one all the same).
	f.district = newSelect(a, offerDistricts(c), nil)
	f.viewing = newMultiLineEntry(a)
	f.viewing.SetPlaceHolder(tr("How a viewing is arranged; not where the home is"))
	f.viewing.SetMinRowsVisible(2)
	f.address = newEntry(a)
	f.address.SetPlaceHolder(tr("Full address, one line"))
	f.expires = newDateField(a)
	f.expires.entry.SetPlaceHolder(tr("e.g. 6 Dec 2026, or leave empty"))
	f.guardOnLeave(f.viewing, "viewing", "offer.viewing")
	f.guardOnLeave(f.adaptations, "adaptations", "offer.adaptations")
	f.first = f.propertyType
	r := f.errs.row
	f.build(tr("Offer a home"),
		tr("Your offer goes to the nominating organisation only. The address is shown only to them."),
		r(tr("Property type"), "property_type", f.propertyType),
		r(tr("Bedrooms"), "bedrooms", f.bedrooms),
		r(tr("Floor of the front door (0 ground, -1 basement)"), "floor", f.floor),
		r(tr("Lift"), "lift", f.lift),
		r(tr("Adaptations"), "adaptations", f.adaptations),
		r(tr("Weekly rent including service charges (£)"), "weekly_rent_pence", f.rent),
		r(tr("Available from"), "available_from", f.available.content),
		r(tr("District"), "district", f.district),
		r(tr("Viewing arrangements"), "viewing", f.viewing),
		r(tr("Address"), "address", f.address),
		r(tr("Offer stands until"), "expires", f.expires.content))
	return f
}

// offerDistricts are the districts an offer in the case may name.
func offerDistricts(c *CaseView) []string {
	var out []string
	if c == nil || c.Case == nil || c.Referral == nil {
		return out
	}
	for _, d := range c.Referral.DistrictsAcceptable {
		if !slices.Contains(c.Referral.DistrictsToAvoid, d) {
			out = append(out, d)
		}
	}
	return out
}

// offer builds the payload; number problems go under their fields.
func (f *offerForm) offer() *payload.Offer {
	num := func(e *entry, key string) int {
		n, err := strconv.Atoi(strings.TrimSpace(e.Text))
		if err != nil {
			f.errs.set(key, tr("Enter a whole number."))
		}
		return n
	}
	date := func(d *dateField, key string) string {
		s, ok := d.iso()
		if !ok {
			f.errs.set(key, tr("Enter a date, for example 6 Dec 2026."))
		}
		return s
	}
	o := &payload.Offer{Schema: payload.SchemaVersion, Case: f.c.ID, PropertyType: choiceValue(payload.PropertyTypes(), f.propertyType.Selected),
		Bedrooms: num(f.bedrooms, "bedrooms"), Floor: num(f.floor, "floor"), Lift: f.lift.Checked, Adaptations: []string{},
		AvailableFrom: date(f.available, "available_from"), District: f.district.Selected,
		Viewing: strings.TrimSpace(f.viewing.Text), Address: strings.TrimSpace(f.address.Text), Expires: date(f.expires, "expires")}
	rent, err := strconv.ParseFloat(strings.TrimPrefix(strings.TrimSpace(f.rent.Text), "£"), 64)
	if err != nil || rent <= 0 || rent > 1e6 {
		f.errs.set("weekly_rent_pence", tr("Enter the weekly rent in pounds, e.g. 112.50."))
	} else {
		o.WeeklyRentPence = int(math.Round(rent * 100))
	}
	for _, l := range strings.Split(f.adaptations.Text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			o.Adaptations = append(o.Adaptations, l)
		}
	}
	return o
}

func (f *offerForm) submitForm() {
	f.errs.clear()
	o := f.offer()
	// Fields whose numbers did not parse already say so.
	showValidation(f.errs, o.Validate(), append(f.errs.showing(), "offer")...)
	if f.errs.any() {
		f.invalid()
		return
	}
	f.send(func(ctx context.Context, core Core) error {
		_, err := core.SendOffer(ctx, f.c.ID, o)
		return err
	})
}
