package desktop

import (
	"strings"
	"time"

	"github.com/saferef/saferef/client"
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
	}
	return s
}

// waitingLabel says what a case waits on.
func waitingLabel(w Waiting) string {
	switch w.Kind {
	case WaitingOnYou:
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
