// Package payload defines the plaintext payloads carried inside envelopes for
// the referral workflow: referral (needs profile), approval, offer, offer
// decision, household details, status update, case message, attachment
// chunk, delivery receipt, read receipt, recall, recall receipt and outcome
// statistics. Each is deterministic CBOR inside the envelope and has a JSON
// form for the CLI; each carries a schema version and validates every field,
// reporting all problems at once as a ValidationError; each lists its
// anonymous free-text fields (AnonymousFields) for the client's disclosure
// guard; each has an ExampleXxx constructor with demo Kent and Medway values.
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
//     left out of JSON output (current_landlord_org, giving_landlord). A
//     SHA-256 digest is a 32-byte byte string in CBOR and 64 lowercase hex
//     digits in JSON; attachment data is base64 in JSON.
//   - A case id is derived, never chosen: CaseIDFor(org, nonce) is the first
//     16 bytes of SHA-256("saferef/v1/case-id\x00" || nominating
//     organisation id (16 bytes) || case nonce (16 bytes)). The referral
//     carries the nonce as case_nonce (required, 16 random bytes, 32 hex
//     digits in JSON) so that every receiver can recompute the id from the
//     envelope's verified sender organisation; Validate cannot (it does not
//     know the sender) and checks only that both are set. Other payloads
//     name the case by id alone.
//   - The referral's shape follows the demo households' "needs" object:
//     accessibility, pets and support_in_place are short free text (use
//     "none"), required, at most 500 characters, single line; adaptations is
//     a list of up to 20 such strings; notes is optional, at most 2000
//     characters, newlines allowed. Lengths count Unicode code points.
//   - Household details' JSON is the demo households' "details" object
//     exactly (safe_contact.phone and .email left out when empty) plus
//     schema, case and sharing_basis. dates_of_birth[i] belongs to names[i]
//     and may be shorter than names when a date is not known. A household
//     may have neither phone nor email (contact through the support worker,
//     as safe_to_call then says). Sharing needs basis "consent" (legal_basis
//     empty) or "legal-basis" with the law named, who recorded it and when.
//   - Enumerations: age bands "0-4", "5-11", "12-17"; DASH bands "high",
//     "medium", "standard"; urgency "urgent", "within 4 weeks",
//     "within 8 weeks", "within 12 weeks"; current tenancy one of Tenancies()
//     (the demo's "secure (council)" and "assured (housing association)" plus
//     the other common UK tenure types, "refuge" and "none"); property types
//     flat, maisonette, house, bungalow, bedsit; decisions accept, decline;
//     statuses signed-up, moved-in, closed, withdrawn, filled.
//   - Districts are the 13 Kent and Medway local authority areas, spelt
//     exactly as in the demo orgs.json; acceptable must list at least one, no
//     district twice, none both acceptable and to avoid. An offer names
//     exactly one.
//   - Approval: approving requires both confirmations (no suitable home in
//     own stock, will give a home back) and a named lead; declining requires
//     a reason. An offer decision's decline and an approval's decline need a
//     reason; a "filled" status update must have no note.
//   - Offer: bedrooms 1 to 7, or 0 to 1 for a bedsit; floor -1 (basement) to
//     50; rent in pence a week, 1 to 1,000,000; expires may be before
//     available_from (the offer lapses before the home is ready). The exact
//     address is its own field, never listed as anonymous.
//   - Attachments are sent as chunks of at most 256 KiB, each repeating the
//     file's id, name, media type, size and SHA-256, so chunks may arrive or
//     be re-sent in any order; at most 256 chunks and 64 MiB per file (the
//     client sets its own lower cap); no empty chunks. The encoded size cap
//     is MaxSizeOf(pt): 300 KiB for an attachment chunk, 64 KiB for every
//     other type (FromJSON reads up to twice that for a chunk, for base64).
//   - A recall or recall receipt names 1 to 64 distinct envelopes.
//   - An outcome carries a fresh random id (never the case id), the giving
//     and receiving landlords' org ids (which must differ), the month of the
//     move, the days to rehouse and the bedrooms: no person, case or address.
//     It also says who attests the move (role "nominator" or
//     "receiving-landlord") and carries the case's OutcomeToken, the same in
//     both attestations of one move: the coordinator counts a move only
//     when both have arrived.
//   - Household details' sharing_basis may be left all empty while the
//     details are only kept by the nominating organisation (entered with
//     the first draft); ValidateForRelease requires it.
//   - Limits: at most 10 adults, 12 children, 7 bedrooms; a case message is 1
//     to 4000 characters; reasons and notes at most 2000; an encoded payload
//     is at most 64 KiB except attachment chunks.
//   - A delivery receipt ("the device received it") and a read receipt ("a
//     person opened it") name the envelope and case; which device is the
//     signer of the envelope carrying the receipt.
//   - Anonymous fields are the free text that circulates or may be read by
//     someone not entitled to know the household: the referral's
//     accessibility, adaptations, pets, support in place and notes; the
//     approval's and offer decision's reasons; the offer's adaptations and
//     viewing arrangements; the status note; the case message text; the
//     attachment's file name; the recall reason. Checking them for
//     identifying data (the disclosure guard) is the client's job, not this
//     package's.
package payload
