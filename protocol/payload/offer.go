package payload

import "fmt"

// Property types of an offered home.
const (
	PropertyFlat       = "flat"
	PropertyMaisonette = "maisonette"
	PropertyHouse      = "house"
	PropertyBungalow   = "bungalow"
	PropertyBedsit     = "bedsit"
)

// PropertyTypes returns the property types of an offered home.
func PropertyTypes() []string {
	return []string{PropertyFlat, PropertyMaisonette, PropertyHouse, PropertyBungalow, PropertyBedsit}
}

// Limits on an offer's fields.
const (
	MinFloor           = -1 // basement
	MaxFloor           = 50
	MaxWeeklyRentPence = 1_000_000 // £10,000 a week: a typo guard, not a policy
	MaxViewingChars    = 1000
	MaxAddressChars    = 300
)

// Offer is a candidate landlord's offer of a home for a referral, sent to
// the nominating organisation only. Everything except Address describes the
// home without locating it; Address, the exact address, is a separate field
// so that the client can refuse to put it anywhere else.
type Offer struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Case is the referral's case.
	Case ID `json:"case" cbor:"case"`
	// Offer is the offer's id, chosen by the offering landlord's device.
	Offer ID `json:"offer" cbor:"offer"`
	// PropertyType is one of PropertyTypes().
	PropertyType string `json:"property_type" cbor:"property_type"`
	// Bedrooms is 1 to MaxBedrooms, or 0 for a bedsit.
	Bedrooms int `json:"bedrooms" cbor:"bedrooms"`
	// Floor is the floor of the front door: 0 ground, -1 basement, up to MaxFloor.
	Floor int `json:"floor" cbor:"floor"`
	// Lift is true when the home is reached by a lift.
	Lift bool `json:"lift" cbor:"lift"`
	// Adaptations lists the home's adaptations (may be empty).
	Adaptations []string `json:"adaptations" cbor:"adaptations"`
	// WeeklyRentPence is the weekly rent including service charges, in
	// pence, 1 to MaxWeeklyRentPence.
	WeeklyRentPence int `json:"weekly_rent_pence" cbor:"weekly_rent_pence"`
	// AvailableFrom is the date the home is available, YYYY-MM-DD.
	AvailableFrom string `json:"available_from" cbor:"available_from"`
	// District is the district the home is in, one of Districts().
	District string `json:"district" cbor:"district"`
	// Viewing describes the viewing arrangements, 1 to MaxViewingChars
	// characters, newlines allowed. It must not locate the home.
	Viewing string `json:"viewing" cbor:"viewing"`
	// Address is the home's exact address, 1 to MaxAddressChars characters,
	// single line. Only ever sent to the nominating organisation.
	Address string `json:"address" cbor:"address"`
	// Expires is the last day the offer stands, YYYY-MM-DD, or empty.
	Expires string `json:"expires,omitempty" cbor:"expires"`
}

// PayloadType returns TypeOffer.
func (*Offer) PayloadType() string { return TypeOffer }

// MarshalJSON writes the offer with an empty adaptations list as [].
func (o Offer) MarshalJSON() ([]byte, error) {
	type plain Offer
	p := plain(o)
	if p.Adaptations == nil {
		p.Adaptations = []string{}
	}
	return marshalJSON("offer", p)
}

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (o *Offer) Validate() error {
	p := &problems{prefix: "offer"}
	p.schema(o.Schema)
	p.required("case", o.Case)
	p.required("offer", o.Offer)
	p.oneOf("property_type", o.PropertyType, PropertyTypes())
	switch {
	case o.PropertyType == PropertyBedsit:
		p.intRange("bedrooms", o.Bedrooms, 0, 1)
	default:
		p.intRange("bedrooms", o.Bedrooms, 1, MaxBedrooms)
	}
	p.intRange("floor", o.Floor, MinFloor, MaxFloor)
	if len(o.Adaptations) > MaxAdaptations {
		p.add("adaptations", "must list at most %d adaptations", MaxAdaptations)
	}
	for i, a := range o.Adaptations {
		p.line(fmt.Sprintf("adaptations[%d]", i), a, 1, MaxNeedChars)
	}
	p.intRange("weekly_rent_pence", o.WeeklyRentPence, 1, MaxWeeklyRentPence)
	p.date("available_from", o.AvailableFrom, true)
	if !KnownDistrict(o.District) {
		if o.District == "" {
			p.add("district", "must be set (a district of the scheme)")
		} else {
			p.add("district", "%q is not a district of the scheme", o.District)
		}
	}
	p.text("viewing", o.Viewing, 1, MaxViewingChars, true)
	p.line("address", o.Address, 1, MaxAddressChars)
	p.date("expires", o.Expires, false)
	return p.err()
}

// AnonymousFields returns each adaptation and the viewing arrangements, not
// the address (which identifies the home by design).
func (o *Offer) AnonymousFields() []Field {
	a := &anonymous{prefix: "offer"}
	a.addList("adaptations", o.Adaptations)
	a.add("viewing", o.Viewing)
	return a.list
}

// ExampleOffer returns a complete, valid offer for ExampleReferral's case
// from a Maidstone landlord (the CLI prints it as a template). Its offer id
// is a fixed placeholder and its address is invented.
func ExampleOffer() *Offer {
	return &Offer{
		Schema:          SchemaVersion,
		Case:            ExampleReferral().Case,
		Offer:           ID{0x0f, 0xfe, 0x20, 0x26, 0x00, 0x00, 0x40, 0x01, 0xa7, 0x13, 0x5c, 0x90, 0x4e, 0x21, 0x88, 0x01},
		PropertyType:    PropertyFlat,
		Bedrooms:        2,
		Floor:           0,
		Lift:            false,
		Adaptations:     []string{"level access shower", "grab rails in bathroom"},
		WeeklyRentPence: 11240,
		AvailableFrom:   "2026-06-15",
		District:        DistrictMaidstone,
		Viewing:         "Accompanied viewing with the lettings officer, weekday mornings; meet at the scheme office, not at the property.",
		Address:         "Flat 1, 9 Hazel Court, Shepway, Maidstone, ME15 9ZZ",
		Expires:         "2026-06-05",
	}
}
