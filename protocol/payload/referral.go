package payload

import (
	"encoding/json"
	"fmt"
	"time"
)

// Limits on a referral's fields.
const (
	MaxAdults          = 10
	MaxChildren        = 12
	MaxBedrooms        = 7
	MaxAdaptations     = 20
	MaxNeedChars       = 500  // accessibility, pets, support_in_place, each adaptation
	MaxReferralNotes   = 2000 // notes
	referenceMaxDigits = 6
)

// Referral is the needs profile that circulates to landlords before anyone
// knows who the household is. It holds NO identifying data: no names, dates
// of birth, addresses or contact details (the client's disclosure guard
// checks the free-text fields before sending). Its JSON form matches the
// "needs" object of the demo households plus schema, case, reference,
// current_landlord_org, needed_by and adaptations.
type Referral struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Case is the case id: CaseIDFor(nominating organisation, CaseNonce).
	// Receivers check it against the verified sender organisation.
	Case ID `json:"case" cbor:"case"`
	// CaseNonce is the 16 random bytes the nominating device drew when it
	// created the case, from which Case is derived (see CaseIDFor).
	CaseNonce ID `json:"case_nonce" cbor:"case_nonce"`
	// Reference is the scheme reference code, e.g. "KMR-2026-0001":
	// 2 to 4 capital letters, a dash, a 4-digit year, a dash, 3 to 6 digits.
	Reference string `json:"reference" cbor:"reference"`
	// Adults is the number of adults moving, 1 to MaxAdults.
	Adults int `json:"adults" cbor:"adults"`
	// Children lists the children moving, by age band only.
	Children []Child `json:"children" cbor:"children"`
	// Pregnant is true when someone in the household is pregnant.
	Pregnant bool `json:"pregnant" cbor:"pregnant"`
	// Bedrooms is the number of bedrooms needed, 1 to MaxBedrooms.
	Bedrooms int `json:"bedrooms" cbor:"bedrooms"`
	// Accessibility describes access needs, or "none".
	Accessibility string `json:"accessibility" cbor:"accessibility"`
	// Adaptations lists adaptations the home must have (may be empty; may be
	// left out of JSON input).
	Adaptations []string `json:"adaptations" cbor:"adaptations"`
	// Pets describes pets moving with the household, or "none".
	Pets string `json:"pets" cbor:"pets"`
	// DistrictsAcceptable lists the districts the household could move to (at least one).
	DistrictsAcceptable []string `json:"districts_acceptable" cbor:"districts_acceptable"`
	// DistrictsToAvoid lists districts the household must not be offered.
	DistrictsToAvoid []string `json:"districts_to_avoid" cbor:"districts_to_avoid"`
	// Risk is the household's assessed risk.
	Risk Risk `json:"risk" cbor:"risk"`
	// Urgency is one of Urgencies().
	Urgency string `json:"urgency" cbor:"urgency"`
	// CurrentTenancy is one of Tenancies().
	CurrentTenancy string `json:"current_tenancy" cbor:"current_tenancy"`
	// CurrentLandlordOrg is the organisation id of the household's current
	// landlord when it is in the scheme, zero otherwise.
	CurrentLandlordOrg ID `json:"current_landlord_org,omitzero" cbor:"current_landlord_org"`
	// SupportInPlace describes the support the household has, or "none".
	SupportInPlace string `json:"support_in_place" cbor:"support_in_place"`
	// NeededBy is the date the home is needed by, YYYY-MM-DD, or empty.
	NeededBy string `json:"needed_by,omitempty" cbor:"needed_by"`
	// Notes is free text for landlords, at most MaxReferralNotes characters.
	Notes string `json:"notes" cbor:"notes"`
}

// Child is one child in the household, described only by age band.
type Child struct {
	// AgeBand is one of AgeBands().
	AgeBand string `json:"age_band" cbor:"age_band"`
}

// Risk is the household's assessed risk.
type Risk struct {
	// DASHBand is the DASH risk checklist band, one of DASHBands().
	DASHBand string `json:"dash_band" cbor:"dash_band"`
	// MARAC is true when the case is heard at a MARAC.
	MARAC bool `json:"marac" cbor:"marac"`
}

// PayloadType returns TypeReferral.
func (*Referral) PayloadType() string { return TypeReferral }

// MarshalJSON writes the referral with empty lists as [] rather than null,
// as in the demo data.
func (r Referral) MarshalJSON() ([]byte, error) {
	type plain Referral
	p := plain(r)
	if p.Children == nil {
		p.Children = []Child{}
	}
	if p.DistrictsAcceptable == nil {
		p.DistrictsAcceptable = []string{}
	}
	if p.Adaptations == nil {
		p.Adaptations = []string{}
	}
	if p.DistrictsToAvoid == nil {
		p.DistrictsToAvoid = []string{}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("marshal referral json: %w", err)
	}
	return b, nil
}

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (r *Referral) Validate() error {
	p := &problems{prefix: "referral"}
	p.schema(r.Schema)
	p.required("case", r.Case)
	p.required("case_nonce", r.CaseNonce)
	if !validReference(r.Reference) {
		p.add("reference", "must look like KMR-2026-0001 (2-4 capital letters, year, 3-6 digits)")
	}
	p.intRange("adults", r.Adults, 1, MaxAdults)
	if len(r.Children) > MaxChildren {
		p.add("children", "must list at most %d children", MaxChildren)
	}
	for i, c := range r.Children {
		p.oneOf(fmt.Sprintf("children[%d].age_band", i), c.AgeBand, AgeBands())
	}
	p.intRange("bedrooms", r.Bedrooms, 1, MaxBedrooms)
	p.line("accessibility", r.Accessibility, 1, MaxNeedChars)
	if len(r.Adaptations) > MaxAdaptations {
		p.add("adaptations", "must list at most %d adaptations", MaxAdaptations)
	}
	for i, a := range r.Adaptations {
		p.line(fmt.Sprintf("adaptations[%d]", i), a, 1, MaxNeedChars)
	}
	p.line("pets", r.Pets, 1, MaxNeedChars)
	if len(r.DistrictsAcceptable) == 0 {
		p.add("districts_acceptable", "must list at least one district")
	}
	acceptable := p.districts("districts_acceptable", r.DistrictsAcceptable)
	avoid := p.districts("districts_to_avoid", r.DistrictsToAvoid)
	for i, d := range r.DistrictsToAvoid {
		if acceptable[d] && avoid[d] {
			p.add(fmt.Sprintf("districts_to_avoid[%d]", i), "%q is also in districts_acceptable", d)
		}
	}
	p.oneOf("risk.dash_band", r.Risk.DASHBand, DASHBands())
	p.oneOf("urgency", r.Urgency, Urgencies())
	p.oneOf("current_tenancy", r.CurrentTenancy, Tenancies())
	p.line("support_in_place", r.SupportInPlace, 1, MaxNeedChars)
	if r.NeededBy != "" {
		if _, err := time.Parse(time.DateOnly, r.NeededBy); err != nil {
			p.add("needed_by", "must be a date as YYYY-MM-DD")
		}
	}
	p.text("notes", r.Notes, 0, MaxReferralNotes, true)
	return p.err()
}

// districts checks a list of districts (known, no repeats) and returns the
// set of those that are known.
func (p *problems) districts(field string, ds []string) map[string]bool {
	set := make(map[string]bool, len(ds))
	for i, d := range ds {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !KnownDistrict(d):
			p.add(f, "%q is not a district of the scheme", d)
		case set[d]:
			p.add(f, "%q is listed twice", d)
		}
		if KnownDistrict(d) {
			set[d] = true
		}
	}
	return set
}

// validReference reports whether s matches ^[A-Z]{2,4}-[0-9]{4}-[0-9]{3,6}$.
func validReference(s string) bool {
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	if i < 2 || i > 4 || i >= len(s) || s[i] != '-' {
		return false
	}
	rest := s[i+1:]
	if len(rest) < 5 || !allDigits(rest[:4]) || rest[4] != '-' {
		return false
	}
	tail := rest[5:]
	return len(tail) >= 3 && len(tail) <= referenceMaxDigits && allDigits(tail)
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ExampleReferral returns a complete, valid referral built from the demo
// household KMR-2026-0001 (the CLI prints it as a template). Its case id,
// case nonce and current landlord id are fixed placeholders (the case id is
// not derived from the nonce: send a copy with both zeroed to get a bound
// pair).
func ExampleReferral() *Referral {
	return &Referral{
		Schema:              SchemaVersion,
		Case:                ID{0x5a, 0x1e, 0xf0, 0x0d, 0xca, 0x5e, 0x00, 0x01, 0x8b, 0x3c, 0x44, 0x21, 0x6e, 0x90, 0x27, 0x01},
		CaseNonce:           ID{0xc0, 0xde, 0x4e, 0x0c, 0xe0, 0x00, 0x00, 0x01, 0x5e, 0xed, 0x2b, 0x7a, 0x91, 0x06, 0x3d, 0x01},
		Reference:           "KMR-2026-0001",
		Adults:              1,
		Children:            []Child{{AgeBand: AgeBand0To4}, {AgeBand: AgeBand5To11}},
		Pregnant:            false,
		Bedrooms:            2,
		Accessibility:       "none",
		Adaptations:         []string{},
		Pets:                "none",
		DistrictsAcceptable: []string{DistrictMaidstone, DistrictTunbridgeWells, DistrictAshford, DistrictCanterbury, DistrictSevenoaks},
		DistrictsToAvoid:    []string{DistrictMedway, DistrictSwale, DistrictGravesham},
		Risk:                Risk{DASHBand: DASHHigh, MARAC: true},
		Urgency:             UrgencyWithin4Weeks,
		CurrentTenancy:      TenancyAssuredHousingAssoc,
		CurrentLandlordOrg:  ID{0x0e, 0x6d, 0x3a, 0x1c, 0x00, 0x00, 0x40, 0x02, 0x9a, 0x51, 0x7b, 0x33, 0x28, 0xc4, 0x10, 0x02},
		SupportInPlace:      "refuge key worker",
		NeededBy:            "2026-06-30",
		Notes:               "Needs ground floor or lift; school places for two children needed.",
	}
}
