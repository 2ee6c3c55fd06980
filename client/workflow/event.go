package workflow

import (
	"fmt"
	"time"

	"github.com/saferef/saferef/crypto"
)

// EventKind says what happened in a case. Each kind maps to one thing a
// person does (or one payload that arrives).
type EventKind string

// Event kinds.
const (
	EventReferralDrafted   EventKind = "referral-drafted"
	EventApprovalRequested EventKind = "approval-requested"
	EventApproved          EventKind = "approved"
	EventApprovalDeclined  EventKind = "approval-declined"
	EventCirculated        EventKind = "circulated"
	EventOfferMade         EventKind = "offer-made"
	EventOfferAccepted     EventKind = "offer-accepted"
	EventOfferDeclined     EventKind = "offer-declined"
	// EventNoSuitableHome is a candidate landlord's answer that it has no
	// suitable home for the referral: the ask is closed for that landlord,
	// and the nominator learns only that it declined (no reason is sent: a
	// reason could identify the landlord's stock).
	EventNoSuitableHome  EventKind = "no-suitable-home"
	EventFilled          EventKind = "filled"
	EventDetailsReleased EventKind = "details-released"
	EventSignedUp        EventKind = "signed-up"
	EventMovedIn         EventKind = "moved-in"
	EventClosed          EventKind = "closed"
	EventWithdrawn       EventKind = "withdrawn"
	EventMessage         EventKind = "message"
	EventRead            EventKind = "read"
	EventRecalled        EventKind = "recalled"
	EventAttachment      EventKind = "attachment"
	// EventGuardOverride records, on this organisation's devices only, a
	// caseworker's decision that a match of the disclosure guard is not
	// identifying (Match), with the reason (Why).
	EventGuardOverride EventKind = "guard-override"
)

// EventKinds returns every event kind, in the order of the flow.
func EventKinds() []EventKind {
	return []EventKind{EventReferralDrafted, EventApprovalRequested, EventApproved, EventApprovalDeclined,
		EventCirculated, EventOfferMade, EventNoSuitableHome, EventOfferAccepted, EventOfferDeclined, EventFilled,
		EventDetailsReleased, EventSignedUp, EventMovedIn, EventClosed, EventWithdrawn,
		EventMessage, EventRead, EventRecalled, EventAttachment, EventGuardOverride}
}

// verb is what the event does, for "cannot VERB: reason".
func (k EventKind) verb() string {
	switch k {
	case EventReferralDrafted:
		return "draft the referral"
	case EventApprovalRequested:
		return "ask the current landlord for approval"
	case EventApproved:
		return "approve the referral"
	case EventApprovalDeclined:
		return "decline approval"
	case EventCirculated:
		return "circulate the referral"
	case EventOfferMade:
		return "make an offer"
	case EventNoSuitableHome:
		return "answer that there is no suitable home"
	case EventOfferAccepted:
		return "accept an offer"
	case EventOfferDeclined:
		return "decline an offer"
	case EventFilled:
		return "mark the referral filled"
	case EventDetailsReleased:
		return "release household details"
	case EventSignedUp:
		return "record the sign-up"
	case EventMovedIn:
		return "record the move-in"
	case EventClosed:
		return "close the case"
	case EventWithdrawn:
		return "withdraw the case"
	case EventMessage:
		return "send a case message"
	case EventRead:
		return "record a read receipt"
	case EventRecalled:
		return "recall a packet"
	case EventAttachment:
		return "send an attachment"
	case EventGuardOverride:
		return "override the disclosure guard"
	}
	return fmt.Sprintf("apply unknown event %q", string(k))
}

// Statuses carried by status-update/v1 payloads.
const (
	StatusFilled    = "filled"
	StatusSignedUp  = "signed-up"
	StatusMovedIn   = "moved-in"
	StatusClosed    = "closed"
	StatusWithdrawn = "withdrawn"
	// StatusNoSuitableHome is a candidate landlord's "no suitable home".
	StatusNoSuitableHome = "no-suitable-home"
)

// StatusEvent maps a status-update/v1 status to its event kind.
func StatusEvent(status string) (EventKind, error) {
	switch status {
	case StatusFilled:
		return EventFilled, nil
	case StatusSignedUp:
		return EventSignedUp, nil
	case StatusMovedIn:
		return EventMovedIn, nil
	case StatusClosed:
		return EventClosed, nil
	case StatusWithdrawn:
		return EventWithdrawn, nil
	case StatusNoSuitableHome:
		return EventNoSuitableHome, nil
	}
	return "", fmt.Errorf("status %q: %w", status, ErrUnknownStatus)
}

// Party is a verified organisation and device: who did something. The
// names are those of the verified certificates, for the case history.
type Party struct {
	Org        crypto.OrgID
	Device     crypto.DeviceID
	OrgName    string
	DeviceName string
}

// Consent is what the nominating caseworker recorded before releasing
// household details.
type Consent struct {
	// Given is true when the household consented to the release.
	Given bool
	// LegalBasis is the recorded legal basis for sharing without consent
	// (empty when Given).
	LegalBasis string
	// Readers lists every device the user was shown as able to read the
	// details (the accepted landlord's devices and the nominator's own
	// colleagues). Only the releasing device can vouch for this, so it is
	// checked only there.
	Readers []Party
}

// Event is one thing that happened in a case: who, when, why, and the
// details each kind needs.
type Event struct {
	Kind  EventKind
	Actor Party
	// ActorRole is the actor's role as the case computed it when the event
	// was applied. A caller may leave it empty; if set, it must match what
	// the case computes (a receiver never takes a sender's claimed role).
	ActorRole Role
	At        time.Time
	// Why is the reason (required to decline approval, decline an offer
	// and withdraw the case).
	Why string
	// Offer is the offer id (offer-made, offer-accepted, offer-declined).
	Offer [16]byte
	// Landlord is the landlord the event concerns: the household's current
	// landlord (referral-drafted, may be zero; approval-requested and
	// circulated, may be zero), the landlord told "filled", or the landlord
	// household details are released to.
	Landlord crypto.OrgID
	// Orgs is the organisations the event goes to: the candidates for
	// circulated (a candidate lists only itself), the recipients of a case
	// message or attachment.
	Orgs []crypto.OrgID
	// Status is the status-update/v1 status that carried the event, if
	// any; when set it must match Kind.
	Status string
	// Packet is the envelope id a read receipt or recall is about.
	Packet [16]byte
	// Envelope is the id this device keeps the event's own packet under:
	// its entry (the envelope it came in, or the first envelope it went
	// out in), so that a message event finds its text. It is zero for an
	// event without a packet of its own and in events recorded before it
	// was kept.
	Envelope [16]byte
	// NoSuitableHome and WillGiveHomeBack are the two confirmations an
	// approval needs.
	NoSuitableHome   bool
	WillGiveHomeBack bool
	// Consent is required for details-released.
	Consent *Consent
	// Effective is the date a status took effect, YYYY-MM-DD (signed-up,
	// moved-in, closed, withdrawn; empty for a local event). Dates must
	// be in order: signed-up <= moved-in <= closed, none more than a day
	// after the event, none before the case began.
	Effective string
	// Expires is the last day an offer stands, YYYY-MM-DD (offer-made).
	Expires string
	// RecalledReferral marks a recall that shredded the case's referral
	// at a candidate landlord: the case is then closed for offers.
	RecalledReferral bool
	// Match is the text a guard-override lets through.
	Match string
}
