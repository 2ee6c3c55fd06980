package desktop

import (
	"strings"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
)

// statusLabel is a case status in the user's words. Statuses the app does
// not know yet are shown as they are.
func statusLabel(s string) string {
	switch s {
	case "draft":
		return tr("Draft")
	case "awaiting-approval", "awaiting approval":
		return tr("Awaiting landlord approval")
	case "circulated":
		return tr("Circulated")
	case "offers-received", "offers received":
		return tr("Offers received")
	case "offer-accepted", "offer accepted":
		return tr("Offer accepted")
	case "details-released", "details released":
		return tr("Details released")
	case "moved":
		return tr("Moved")
	case "closed":
		return tr("Closed")
	case "withdrawn":
		return tr("Withdrawn")
	case "open":
		return tr("Open")
	case "filled":
		return tr("Filled by another landlord")
	case "declined":
		return tr("You declined: no suitable home")
	case "":
		return tr("Not started")
	}
	return s
}

// roleLabel is an organisation's part in a case, in the user's words.
func roleLabel(r workflow.Role) string {
	switch r {
	case workflow.RoleNominator:
		return tr("nominating organisation")
	case workflow.RoleCurrentLandlord:
		return tr("household's current landlord")
	case workflow.RoleCandidate:
		return tr("candidate landlord")
	case workflow.RoleAcceptedLandlord:
		return tr("landlord whose offer was accepted")
	case workflow.RoleCoordinator:
		return tr("scheme coordinator")
	}
	return tr("not part of the case")
}

// actionLabel says what a case waits on the user to do.
func actionLabel(a workflow.Action) string {
	switch a {
	case workflow.ActionNone:
		return tr("nothing waiting on you")
	case workflow.ActionApprove:
		return tr("waiting on you to approve or decline")
	case workflow.ActionReviewOffers:
		return tr("waiting on you to review offers")
	case workflow.ActionReleaseDetails:
		return tr("waiting on you to release household details")
	case workflow.ActionTellFilled:
		return tr("waiting on you to tell the other landlords")
	case workflow.ActionConsiderOffer:
		return tr("waiting on you to consider an offer")
	case workflow.ActionConfirmSignUp:
		return tr("waiting on you to confirm the sign-up")
	case workflow.ActionConfirmMoveIn:
		return tr("waiting on you to confirm the move-in")
	case workflow.ActionCirculate:
		return tr("waiting on you to circulate")
	case workflow.ActionSend:
		return tr("waiting on you to send the referral")
	case workflow.ActionClose:
		return tr("waiting on you to close the case")
	}
	return string(a)
}

// eventLabel names a timeline event.
func eventLabel(k workflow.EventKind) string {
	switch k {
	case workflow.EventReferralDrafted:
		return tr("Referral drafted")
	case workflow.EventApprovalRequested:
		return tr("Approval requested")
	case workflow.EventApproved:
		return tr("Approved")
	case workflow.EventApprovalDeclined:
		return tr("Approval declined")
	case workflow.EventCirculated:
		return tr("Referral circulated")
	case workflow.EventOfferMade:
		return tr("Offer made")
	case workflow.EventNoSuitableHome:
		return tr("Declined")
	case workflow.EventOfferAccepted:
		return tr("Offer accepted")
	case workflow.EventOfferDeclined:
		return tr("Offer declined")
	case workflow.EventFilled:
		return tr("Filled")
	case workflow.EventDetailsReleased:
		return tr("Household details released")
	case workflow.EventSignedUp:
		return tr("Tenancy signed")
	case workflow.EventMovedIn:
		return tr("Moved in")
	case workflow.EventClosed:
		return tr("Closed")
	case workflow.EventWithdrawn:
		return tr("Withdrawn")
	case workflow.EventMessage:
		return tr("Message")
	case workflow.EventRead:
		return tr("Read")
	case workflow.EventRecalled:
		return tr("Recalled")
	case workflow.EventAttachment:
		return tr("Attachment")
	case workflow.EventGuardOverride:
		return tr("Disclosure guard overridden")
	}
	return string(k)
}

// waitingLabel says what a case waits on.
func waitingLabel(w Waiting) string {
	switch w.Kind {
	case WaitingOnYou:
		if w.Action != workflow.ActionNone {
			return trf("You: {{.Action}}", map[string]any{"Action": shortAction(w.Action)})
		}
		if w.Org != "" {
			return trf("You: new from {{.Org}}", map[string]any{"Org": w.Org})
		}
		return tr("You")
	case WaitingOnOrg:
		if w.Org != "" {
			return w.Org
		}
		return tr("Other organisation")
	case WaitingReferral:
		return tr("The referral")
	}
	return ""
}

// orgNames joins the organisations' names.
func orgNames(orgs []client.OrgRef) string {
	names := make([]string, 0, len(orgs))
	for _, o := range orgs {
		n := o.Name
		if n == "" {
			n = tr("Unknown organisation")
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// when formats a time for the case list and timeline.
func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2 Jan 2006 15:04")
}

// packetLabel names a kind of packet (the case store's entry kinds).
func packetLabel(kind string) string {
	switch kind {
	case "referral":
		return tr("Referral")
	case "message":
		return tr("Message")
	case "approval":
		return tr("Approval")
	case "offer":
		return tr("Offer")
	case "offer-decision":
		return tr("Offer decision")
	case "household-details":
		return tr("Household details")
	case "status-update":
		return tr("Status update")
	case "attachment-chunk":
		return tr("Attachment")
	case "recall":
		return tr("Recall")
	}
	return tr("Packet")
}

// shortAction names a workflow action in a few words, for the case list.
func shortAction(a workflow.Action) string {
	switch a {
	case workflow.ActionApprove:
		return tr("approve or decline")
	case workflow.ActionReviewOffers:
		return tr("review offers")
	case workflow.ActionReleaseDetails:
		return tr("release details")
	case workflow.ActionTellFilled:
		return tr("tell other landlords")
	case workflow.ActionConsiderOffer:
		return tr("consider an offer")
	case workflow.ActionConfirmSignUp:
		return tr("confirm sign-up")
	case workflow.ActionConfirmMoveIn:
		return tr("confirm move-in")
	case workflow.ActionCirculate:
		return tr("circulate")
	case workflow.ActionSend:
		return tr("send the referral")
	case workflow.ActionClose:
		return tr("close the case")
	}
	return string(a)
}
