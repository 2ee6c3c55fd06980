package payload

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Limits on household details.
const (
	MaxHouseholdNames  = MaxAdults + MaxChildren
	MaxPersonNameChars = 200
	MaxRiskNotesChars  = 4000
	MaxContactChars    = 254 // a phone number, an email address
	MaxSafeToCallChars = 200
	MaxSupportChars    = 500
	MaxLegalBasisChars = 500
	minBirthYear       = 1900
)

// Sharing bases: why household details may be shared.
const (
	// BasisConsent means the household consented to sharing.
	BasisConsent = "consent"
	// BasisLegal means sharing without consent under a recorded legal basis.
	BasisLegal = "legal-basis"
)

// SharingBases returns the possible bases for sharing household details.
func SharingBases() []string { return []string{BasisConsent, BasisLegal} }

// HouseholdDetails is who the household is: released only to the accepting
// landlord's devices, after the caseworker has recorded consent (or the
// legal basis for sharing without it). Apart from schema, case and
// sharing_basis its JSON form is exactly the demo households' "details"
// object. Every field identifies the household by design; none is offered
// to the disclosure guard.
type HouseholdDetails struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Case is the referral's case.
	Case ID `json:"case" cbor:"case"`
	// Names lists the full name of everyone moving, 1 to MaxHouseholdNames.
	Names []string `json:"names" cbor:"names"`
	// DatesOfBirth lists dates of birth as YYYY-MM-DD, in the order of Names
	// (DatesOfBirth[i] is Names[i]'s); it may be shorter than Names when
	// some are not known.
	DatesOfBirth []string `json:"dates_of_birth" cbor:"dates_of_birth"`
	// CurrentAddress is the household's current address, single line.
	CurrentAddress string `json:"current_address" cbor:"current_address"`
	// SafeContact is how and when the household may safely be contacted.
	SafeContact SafeContact `json:"safe_contact" cbor:"safe_contact"`
	// RiskNotes is free text about the risk, at most MaxRiskNotesChars
	// characters, newlines allowed; may be empty.
	RiskNotes string `json:"risk_notes" cbor:"risk_notes"`
	// SupportWorker names the household's support worker and how to reach
	// them; may be empty.
	SupportWorker string `json:"support_worker" cbor:"support_worker"`
	// SharingBasis records why these details may be shared. It is all
	// empty while the details are only kept by the nominating
	// organisation (entered with the first draft, for the disclosure
	// guard); releasing them needs it filled in (the client refuses a
	// release without it).
	SharingBasis SharingBasis `json:"sharing_basis" cbor:"sharing_basis"`
}

// SafeContact is a safe way to contact the household. Phone and email may
// both be empty (contact through the support worker); SafeToCall then says so.
type SafeContact struct {
	// Phone is a phone number safe to use, or empty.
	Phone string `json:"phone,omitempty" cbor:"phone"`
	// Email is an email address safe to use, or empty.
	Email string `json:"email,omitempty" cbor:"email"`
	// SafeToCall says when it is safe to call, e.g. "weekdays 10:00-14:00"
	// or "via IDVA only".
	SafeToCall string `json:"safe_to_call" cbor:"safe_to_call"`
	// SafeToLeaveMessage is true when a voicemail or message may be left.
	SafeToLeaveMessage bool `json:"safe_to_leave_message" cbor:"safe_to_leave_message"`
}

// SharingBasis records the consent, or the legal basis for sharing without
// consent, before household details are released.
type SharingBasis struct {
	// Basis is BasisConsent or BasisLegal.
	Basis string `json:"basis" cbor:"basis"`
	// LegalBasis names the law relied on (e.g. "Crime and Disorder Act 1998
	// s.115"); required with BasisLegal, empty with BasisConsent.
	LegalBasis string `json:"legal_basis,omitempty" cbor:"legal_basis"`
	// RecordedBy is the member of staff who recorded it.
	RecordedBy string `json:"recorded_by" cbor:"recorded_by"`
	// RecordedAt is when it was recorded, Unix seconds (UTC).
	RecordedAt int64 `json:"recorded_at" cbor:"recorded_at"`
}

// PayloadType returns TypeHouseholdDetails.
func (*HouseholdDetails) PayloadType() string { return TypeHouseholdDetails }

// MarshalJSON writes the details with empty lists as [] rather than null.
func (h HouseholdDetails) MarshalJSON() ([]byte, error) {
	type plain HouseholdDetails
	p := plain(h)
	if p.Names == nil {
		p.Names = []string{}
	}
	if p.DatesOfBirth == nil {
		p.DatesOfBirth = []string{}
	}
	return marshalJSON("household details", p)
}

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (h *HouseholdDetails) Validate() error {
	p := &problems{prefix: "household_details"}
	p.schema(h.Schema)
	p.required("case", h.Case)
	switch {
	case len(h.Names) == 0:
		p.add("names", "must list at least one name")
	case len(h.Names) > MaxHouseholdNames:
		p.add("names", "must list at most %d names", MaxHouseholdNames)
	}
	for i, n := range h.Names {
		p.line(fmt.Sprintf("names[%d]", i), n, 1, MaxPersonNameChars)
	}
	if len(h.DatesOfBirth) > len(h.Names) {
		p.add("dates_of_birth", "must not list more dates than names")
	}
	for i, d := range h.DatesOfBirth {
		f := fmt.Sprintf("dates_of_birth[%d]", i)
		t, err := time.Parse(time.DateOnly, d)
		switch {
		case err != nil:
			p.add(f, "must be a date as YYYY-MM-DD")
		case t.Year() < minBirthYear:
			p.add(f, "must be in %d or later", minBirthYear)
		}
	}
	p.line("current_address", h.CurrentAddress, 1, MaxAddressChars)
	p.safeContact(&h.SafeContact)
	p.text("risk_notes", h.RiskNotes, 0, MaxRiskNotesChars, true)
	p.line("support_worker", h.SupportWorker, 0, MaxSupportChars)
	p.sharingBasis(&h.SharingBasis)
	return p.err()
}

// ValidateForRelease is Validate, and also requires the sharing basis:
// details are released to a landlord only with the consent, or the legal
// basis for sharing without it, recorded.
func (h *HouseholdDetails) ValidateForRelease() error {
	if h.SharingBasis == (SharingBasis{}) {
		p := &problems{prefix: "household_details"}
		p.add("sharing_basis.basis", "must record the household's consent or the legal basis for sharing before release (one of %s)", strings.Join(SharingBases(), ", "))
		if err := h.Validate(); err != nil {
			var ve ValidationError
			if errors.As(err, &ve) {
				return append(ve, p.list...)
			}
		}
		return p.err()
	}
	return h.Validate()
}

func (p *problems) safeContact(c *SafeContact) {
	p.line("safe_contact.phone", c.Phone, 0, MaxContactChars)
	if c.Phone != "" && !plausiblePhone(c.Phone) {
		p.add("safe_contact.phone", "must be a phone number (digits, spaces, +, -, brackets; at least 7 digits)")
	}
	p.line("safe_contact.email", c.Email, 0, MaxContactChars)
	if c.Email != "" && !plausibleEmail(c.Email) {
		p.add("safe_contact.email", "must be an email address")
	}
	p.line("safe_contact.safe_to_call", c.SafeToCall, 1, MaxSafeToCallChars)
}

func (p *problems) sharingBasis(b *SharingBasis) {
	if *b == (SharingBasis{}) {
		return // not recorded yet: the details are not being released
	}
	p.oneOf("sharing_basis.basis", b.Basis, SharingBases())
	switch b.Basis {
	case BasisLegal:
		p.line("sharing_basis.legal_basis", b.LegalBasis, 1, MaxLegalBasisChars)
	case BasisConsent:
		if b.LegalBasis != "" {
			p.add("sharing_basis.legal_basis", "must be empty when the basis is consent")
		}
	}
	p.line("sharing_basis.recorded_by", b.RecordedBy, 1, MaxStaffNameChars)
	p.unix("sharing_basis.recorded_at", b.RecordedAt)
}

// plausiblePhone reports whether s has only digits, spaces, +, -, and
// brackets, with at least 7 digits.
func plausiblePhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '+' || r == '-' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 7
}

// plausibleEmail reports whether s is local@domain.tld without spaces.
func plausibleEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.ContainsAny(s, " \t") || strings.Contains(domain, "@") {
		return false
	}
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1
}

// AnonymousFields returns nothing: household details identify the
// household by design and go only to the accepting landlord.
func (*HouseholdDetails) AnonymousFields() []Field { return nil }

// ExampleHouseholdDetails returns complete, valid details of the demo
// household KMR-2026-0001 for ExampleReferral's case, shared with consent
// (the CLI prints it as a template). Every value is invented.
func ExampleHouseholdDetails() *HouseholdDetails {
	return &HouseholdDetails{
		Schema:         SchemaVersion,
		Case:           ExampleReferral().Case,
		Names:          []string{"Amira Haddad", "Yusuf Haddad", "Lina Haddad"},
		DatesOfBirth:   []string{"1991-03-14", "2019-07-02", "2023-01-20"},
		CurrentAddress: "14 Orchard Row, Chatham, ME4 6ZZ",
		SafeContact: SafeContact{
			Phone:              "07700 900412",
			SafeToCall:         "weekdays 10:00-14:00",
			SafeToLeaveMessage: false,
		},
		RiskNotes:     "Perpetrator known to drive a blue van; lives in Gillingham.",
		SupportWorker: "Key worker at Harbour Refuge, 01634 960000",
		SharingBasis: SharingBasis{
			Basis:      BasisConsent,
			RecordedBy: "Priya Shah, Harbour Refuge",
			RecordedAt: 1780300800,
		},
	}
}
