package payload

import "slices"

// The districts of the Kent and Medway scheme: its thirteen local authority
// areas, in alphabetical order.
const (
	DistrictAshford             = "Ashford"
	DistrictCanterbury          = "Canterbury"
	DistrictDartford            = "Dartford"
	DistrictDover               = "Dover"
	DistrictFolkestoneAndHythe  = "Folkestone and Hythe"
	DistrictGravesham           = "Gravesham"
	DistrictMaidstone           = "Maidstone"
	DistrictMedway              = "Medway"
	DistrictSevenoaks           = "Sevenoaks"
	DistrictSwale               = "Swale"
	DistrictThanet              = "Thanet"
	DistrictTonbridgeAndMalling = "Tonbridge and Malling"
	DistrictTunbridgeWells      = "Tunbridge Wells"
)

// Districts returns a new slice of the scheme's districts in alphabetical order.
func Districts() []string {
	return []string{
		DistrictAshford, DistrictCanterbury, DistrictDartford, DistrictDover,
		DistrictFolkestoneAndHythe, DistrictGravesham, DistrictMaidstone,
		DistrictMedway, DistrictSevenoaks, DistrictSwale, DistrictThanet,
		DistrictTonbridgeAndMalling, DistrictTunbridgeWells,
	}
}

// KnownDistrict reports whether d is exactly one of Districts().
func KnownDistrict(d string) bool { return slices.Contains(Districts(), d) }

// Children's age bands.
const (
	AgeBand0To4   = "0-4"
	AgeBand5To11  = "5-11"
	AgeBand12To17 = "12-17"
)

// AgeBands returns the children's age bands, youngest first.
func AgeBands() []string { return []string{AgeBand0To4, AgeBand5To11, AgeBand12To17} }

// DASH risk checklist bands (standard, medium, high risk).
const (
	DASHHigh     = "high"
	DASHMedium   = "medium"
	DASHStandard = "standard"
)

// DASHBands returns the DASH risk bands, highest first.
func DASHBands() []string { return []string{DASHHigh, DASHMedium, DASHStandard} }

// Urgencies of a referral.
const (
	UrgencyUrgent        = "urgent"
	UrgencyWithin4Weeks  = "within 4 weeks"
	UrgencyWithin8Weeks  = "within 8 weeks"
	UrgencyWithin12Weeks = "within 12 weeks"
)

// Urgencies returns the referral urgencies, most urgent first.
func Urgencies() []string {
	return []string{UrgencyUrgent, UrgencyWithin4Weeks, UrgencyWithin8Weeks, UrgencyWithin12Weeks}
}

// Current tenancy types of the household.
const (
	TenancySecureCouncil          = "secure (council)"
	TenancyFlexibleCouncil        = "flexible (council)"
	TenancyIntroductoryCouncil    = "introductory (council)"
	TenancyAssuredHousingAssoc    = "assured (housing association)"
	TenancyFixedTermHousingAssoc  = "fixed-term (housing association)"
	TenancyStarterHousingAssoc    = "starter (housing association)"
	TenancyPrivateRented          = "private rented"
	TenancyTemporaryAccommodation = "temporary accommodation"
	TenancyRefuge                 = "refuge"
	TenancyNone                   = "none"
)

// Tenancies returns the current tenancy types, social tenancies first.
func Tenancies() []string {
	return []string{
		TenancySecureCouncil, TenancyFlexibleCouncil, TenancyIntroductoryCouncil,
		TenancyAssuredHousingAssoc, TenancyFixedTermHousingAssoc, TenancyStarterHousingAssoc,
		TenancyPrivateRented, TenancyTemporaryAccommodation, TenancyRefuge, TenancyNone,
	}
}
