// Package payload defines the plaintext payloads carried inside envelopes for
// the referral workflow: the referral (needs profile), the case message and
// the delivery receipt. Each is deterministic CBOR inside the envelope and
// has a JSON form for the CLI; each carries a schema version and validates
// every field, reporting all problems at once as a ValidationError.
//
// Decisions this package makes where the design leaves them open:
//
//   - Every payload type has "schema": 1; Validate rejects any other value. A
//     later incompatible change gets a new type string (e.g. "referral/v2").
//   - CBOR map keys are the JSON names (snake_case). Unmarshal accepts only the
//     exact deterministic encoding Marshal produces: every key is present, ids
//     are 16-byte byte strings, lists are arrays (never null). JSON input
//     (FromJSON) may leave keys out; they then take their zero value.
//   - Ids are 32 lowercase hex digits in JSON; a zero id means "none" and is
//     left out of JSON output (current_landlord_org).
//   - The referral's shape follows the demo households' "needs" object:
//     accessibility, pets and support_in_place are short free text (use
//     "none"), required, at most 500 characters, single line; adaptations is
//     a list of up to 20 such strings; notes is optional, at most 2000
//     characters, newlines allowed. Lengths count Unicode code points.
//   - Enumerations: age bands "0-4", "5-11", "12-17"; DASH bands "high",
//     "medium", "standard"; urgency "urgent", "within 4 weeks",
//     "within 8 weeks", "within 12 weeks"; current tenancy one of Tenancies()
//     (the demo's "secure (council)" and "assured (housing association)" plus
//     the other common UK tenure types, "refuge" and "none").
//   - Districts are the 13 Kent and Medway local authority areas, spelt
//     exactly as in the demo orgs.json; acceptable must list at least one, no
//     district twice, none both acceptable and to avoid.
//   - Limits: at most 10 adults, 12 children, 7 bedrooms; a case message is 1
//     to 4000 characters; an encoded payload is at most 64 KiB.
//   - A delivery receipt names the envelope and case; which device read it is
//     the signer of the envelope carrying the receipt.
//   - Checking free text for identifying data (the disclosure guard) is the
//     client's job, not this package's.
package payload
