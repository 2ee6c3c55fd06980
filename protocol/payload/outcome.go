package payload

import (
	"crypto/sha256"
	"time"
)

// Outcome attestation roles: who in the move sends the statistic. The
// coordinator counts a move only when both attest the same move (the same
// Token) and refuses an attestation from an organisation not in that role.
const (
	// OutcomeByNominator is the nominating organisation's attestation,
	// sent when it closes the case.
	OutcomeByNominator = "nominator"
	// OutcomeByReceivingLandlord is the receiving landlord's attestation,
	// sent when it records the move-in; it must come from
	// ReceivingLandlord itself.
	OutcomeByReceivingLandlord = "receiving-landlord"
)

// OutcomeRoles returns the attestation roles.
func OutcomeRoles() []string { return []string{OutcomeByNominator, OutcomeByReceivingLandlord} }

// OutcomeToken returns the per-case token both parties to a move put in
// their outcome attestations: the first 16 bytes of SHA-256 over a domain
// separator, the case id and the case nonce. Both the nominator and the
// receiving landlord hold the referral and so can compute it; the
// coordinator, which never sees the case nonce, can match the two
// attestations without learning the case, and cannot link the token to a
// case id it might learn elsewhere without the nonce.
func OutcomeToken(caseID, caseNonce ID) ID {
	h := sha256.New()
	h.Write([]byte("saferef outcome token v1\x00"))
	h.Write(caseID[:])
	h.Write(caseNonce[:])
	var t ID
	copy(t[:], h.Sum(nil))
	return t
}

// Limits on an outcome.
const (
	MaxDaysToRehouse = 3650
	minOutcomeYear   = 2000
)

// Outcome is the statistic the nominator sends the scheme coordinator when
// a case closes with a move: which landlord gave a home and which landlord's
// tenant received it, for the central-pot balance. It names no person and
// carries no case id or address: the type has no field for them and strict
// decoding refuses unknown keys.
type Outcome struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Outcome is a random id for this statistic, chosen afresh: never the
	// case id, so that the coordinator cannot link it to a case.
	Outcome ID `json:"outcome" cbor:"outcome"`
	// GivingLandlord is the organisation id of the household's old landlord
	// (which owes the scheme a home back), zero when it had none in the scheme.
	GivingLandlord ID `json:"giving_landlord,omitzero" cbor:"giving_landlord"`
	// ReceivingLandlord is the organisation id of the landlord that housed
	// the household.
	ReceivingLandlord ID `json:"receiving_landlord" cbor:"receiving_landlord"`
	// MovedMonth is the month of the move, YYYY-MM (no day, to blur it).
	MovedMonth string `json:"moved_month" cbor:"moved_month"`
	// DaysToRehouse is the days from circulation to moving in, 0 to
	// MaxDaysToRehouse.
	DaysToRehouse int `json:"days_to_rehouse" cbor:"days_to_rehouse"`
	// Bedrooms is the size of the home given, 0 (bedsit) to MaxBedrooms.
	Bedrooms int `json:"bedrooms" cbor:"bedrooms"`
	// Role is who attests the move: one of OutcomeRoles().
	Role string `json:"role" cbor:"role"`
	// Token is the case's OutcomeToken: the same in both attestations of
	// one move, unlinkable to the case without its nonce.
	Token ID `json:"token" cbor:"token"`
}

// PayloadType returns TypeOutcome.
func (*Outcome) PayloadType() string { return TypeOutcome }

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (o *Outcome) Validate() error {
	p := &problems{prefix: "outcome"}
	p.schema(o.Schema)
	p.required("outcome", o.Outcome)
	p.required("receiving_landlord", o.ReceivingLandlord)
	if !o.GivingLandlord.IsZero() && o.GivingLandlord == o.ReceivingLandlord {
		p.add("receiving_landlord", "must differ from giving_landlord (a move within one landlord's stock is not a reciprocal)")
	}
	if t, err := time.Parse("2006-01", o.MovedMonth); err != nil || t.Year() < minOutcomeYear {
		p.add("moved_month", "must be a month as YYYY-MM, %d or later", minOutcomeYear)
	}
	p.intRange("days_to_rehouse", o.DaysToRehouse, 0, MaxDaysToRehouse)
	p.intRange("bedrooms", o.Bedrooms, 0, MaxBedrooms)
	p.oneOf("role", o.Role, OutcomeRoles())
	p.required("token", o.Token)
	return p.err()
}

// AnonymousFields returns nothing: an outcome has no free text.
func (*Outcome) AnonymousFields() []Field { return nil }

// ExampleOutcome returns a complete, valid outcome: a household of Medway
// Valley Housing rehoused by a Maidstone landlord (placeholder org ids).
func ExampleOutcome() *Outcome {
	return &Outcome{
		Schema:            SchemaVersion,
		Outcome:           ID{0x0c, 0x7c, 0x03, 0xe5, 0x20, 0x26, 0x00, 0x01, 0x91, 0x4f, 0x2a, 0x6d, 0xb0, 0x3e, 0x17, 0x01},
		GivingLandlord:    ExampleReferral().CurrentLandlordOrg,
		ReceivingLandlord: ID{0x0e, 0x6d, 0x3a, 0x1c, 0x00, 0x00, 0x40, 0x01, 0x5e, 0xa1, 0xd0, 0x0b, 0x62, 0x7f, 0x33, 0x01},
		MovedMonth:        "2026-06",
		DaysToRehouse:     41,
		Bedrooms:          2,
		Role:              OutcomeByNominator,
		Token:             OutcomeToken(ExampleReferral().Case, ExampleReferral().CaseNonce),
	}
}
