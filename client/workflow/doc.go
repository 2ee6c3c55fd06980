// Package workflow is the case state machine of a reciprocal scheme
// (DESIGN.md "Referral workflow and staged disclosure"): pure, no I/O. A
// [Case] is one case from the point of view of ONE organisation, and
// [Case.Apply] is the single place where it changes stage. The client calls
// Apply before it sends (with its own organisation as the actor) and again
// on receipt (with the verified sender as the actor): a receiver computes
// the sender's role from its own case and never trusts a claimed role or
// stage.
//
// # The flow
//
//	draft → awaiting-approval → circulated → offers-received → offer-accepted
//	      → details-released → moved → closed;  withdrawn from any open stage
//
// Decisions the design leaves open, taken here:
//
//   - Views differ. The current landlord learns only the approval request
//     and, after approving, moves to "circulated" and waits for "closed" or
//     "withdrawn"; it never learns the candidates or offers. A candidate
//     knows only itself and its own offers; its stage is "offers-received"
//     while one of its offers is pending, "offer-accepted" onwards if it
//     won (its role becomes accepted-landlord), or "filled" if another
//     landlord won, after which it accepts nothing but read receipts and
//     recalls.
//   - At the nominator, approval leaves the case in "awaiting-approval"
//     with Approved set until it circulates; a declined approval returns the
//     case to "draft" at both ends (the nominator may ask again or
//     withdraw). A nominator that is itself the household's current
//     landlord approves implicitly.
//   - Circulation may be widened (more candidates) while no offer is
//     accepted. When the last pending offer is declined the case returns to
//     "circulated". Accepting an offer marks every other pending offer
//     "filled"; the nominator then sends "filled" to every other candidate
//     ([Case.ToTellFilled]).
//   - Household details go only to the accepted landlord, only with a
//     recorded consent or legal basis ([Consent]), and, on the releasing
//     device, only after the user was shown every reader device (at the
//     accepted landlord or the nominator's own colleagues). Details may be
//     re-released (corrected) until the move. The household-details payload
//     should carry the consent record so the receiver can check it too.
//   - "signed-up" does not change the stage; "moved-in" needs it first.
//     "closed" needs "moved" (at the current landlord, which cannot see the
//     move, it is accepted after its approval). "withdrawn" needs a reason.
//   - Case messages go between the nominator and each other organisation
//     in the case (hub and spoke): a landlord writes only to the nominator.
//     Messages run from approval to the move; attachments from circulation
//     to the move; read receipts and recalls at any stage after the draft,
//     so that a packet sent in error can always be recalled.
//   - The first event of a case this organisation has not seen must be a
//     referral (approval-requested addressed to it, or circulated to it);
//     anything else is refused with ErrWrongStage and can be retried once
//     the referral arrives. Event times are the sender's; they are not
//     required to be in order (clocks differ between devices).
//   - Which candidates may be circulated to (acceptable districts in their
//     signed directory entries) is checked by the client against the
//     directory, not here.
//
// # Who may do what, and when
//
// [Case.Apply] checks each event against one rule per event kind: the
// roles that may make it and the stages of the case (as this organisation
// sees it) that allow it, plus a few rules in words. Then one validator per
// event kind checks its details.
//
// Generated from the rules (go test ./client/workflow -run TestRulesDocumented -update):
//
//   - referral-drafted: nominator; at (new case), draft; a draft stays on the nominator's own devices.
//   - approval-requested: nominator; at (new case), draft; not once approved.
//   - approved: current-landlord; at awaiting-approval; once.
//   - approval-declined: current-landlord; at awaiting-approval; once.
//   - circulated: nominator; at (new case), draft, awaiting-approval, circulated, offers-received; after the current landlord's approval when the referral names one.
//   - offer-made: candidate; at circulated, offers-received.
//   - no-suitable-home: candidate; at circulated, offers-received.
//   - offer-accepted: nominator; at offers-received.
//   - offer-declined: nominator; at offers-received.
//   - filled: nominator; at offer-accepted, details-released, moved, closed; a candidate is told it at circulated or offers-received.
//   - details-released: nominator; at offer-accepted, details-released.
//   - signed-up: accepted-landlord; at details-released; signed-up once, before moved-in.
//   - moved-in: accepted-landlord; at details-released; signed-up once, before moved-in.
//   - closed: nominator; at moved; the current landlord takes it at circulated, once it has approved.
//   - withdrawn: nominator; at any open stage.
//   - message: nominator, current-landlord, candidate, accepted-landlord; at awaiting-approval, circulated, offers-received, offer-accepted, details-released, moved.
//   - read: nominator, current-landlord, candidate, accepted-landlord; at awaiting-approval, circulated, offers-received, offer-accepted, details-released, moved, closed, withdrawn, filled, declined.
//   - recalled: nominator, current-landlord, candidate, accepted-landlord; at awaiting-approval, circulated, offers-received, offer-accepted, details-released, moved, closed, withdrawn, filled, declined.
//   - attachment: nominator, current-landlord, candidate, accepted-landlord; at circulated, offers-received, offer-accepted, details-released, moved.
//   - guard-override: nominator, current-landlord, candidate, accepted-landlord; at draft, awaiting-approval, circulated, offers-received, offer-accepted, details-released, moved, closed, withdrawn, filled, declined; local to this organisation; never listed as a step.
//
// (End of the generated table.)
//
// A refusal is a [*TransitionError] wrapping [ErrNotPermitted] (the
// actor's role may not do it), [ErrWrongStage] (not now), [ErrInvalidEvent]
// (the event does not fit the case) or [ErrNoConsent].
package workflow
