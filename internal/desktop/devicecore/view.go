package devicecore

import (
	"fmt"
	"strings"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/desktop"
)

// View turns a case from package client into the case view's model, for
// the organisation me.
func View(k *client.Case, me crypto.OrgID) *desktop.CaseView {
	v := &desktop.CaseView{Case: k, Stage: k.Stage, Role: k.MyRole, WaitingOn: k.WaitingOn, Allowed: k.Allowed}
	v.Timeline = timeline(k, me)
	for _, e := range k.Events {
		if e.ActorRole == workflow.RoleNominator && v.Nominator.ID == (crypto.OrgID{}) {
			v.Nominator = client.OrgRef{ID: e.Actor.Org, Name: e.Actor.OrgName}
		}
		if e.Kind == workflow.EventDetailsReleased && e.Consent != nil && len(e.Consent.Readers) > 0 {
			v.DetailsReaders = v.DetailsReaders[:0]
			for _, r := range e.Consent.Readers {
				v.DetailsReaders = append(v.DetailsReaders, desktop.Reader{Org: r.Org, OrgName: r.OrgName, Device: r.Device, DeviceName: r.DeviceName})
			}
		}
	}
	why := map[[16]byte]string{}
	recalled := map[[16]byte]bool{}
	for _, e := range k.Events {
		switch e.Kind {
		case workflow.EventOfferDeclined:
			why[e.Offer] = e.Why
		case workflow.EventRecalled:
			recalled[e.Packet] = true
		}
	}
	for _, o := range k.Offers {
		v.Offers = append(v.Offers, desktop.OfferView{Offer: o.Offer, State: o.State, Made: o.At, Why: why[o.Offer.Offer],
			Landlord: client.OrgRef{ID: o.From.Org, Name: o.From.OrgName, Kind: crypto.KindLandlord}})
	}
	kindOf := map[crypto.EnvelopeID]string{}
	for _, e := range k.Entries {
		kindOf[e.Envelope] = e.Kind
		if e.Direction == casestore.DirectionSent && e.From.Org == me {
			v.Sent = append(v.Sent, desktop.SentPacket{Envelope: e.Envelope, Kind: e.Kind, At: e.At, Recalled: recalled[e.Envelope]})
		}
	}
	for _, r := range k.Receipts {
		if r.Kind == client.ReceiptRead {
			v.Reads = append(v.Reads, desktop.ReadReceipt{Reader: r.Reader, Kind: kindOf[r.Packet], Packet: r.Packet, ReadAt: r.ReadAt})
		}
	}
	for _, a := range k.Attachments {
		v.Attachments = append(v.Attachments, desktop.AttachmentInfo{ID: a.ID, Name: a.Name, Size: a.Size, From: a.From, At: a.At,
			Complete: a.Have >= a.Chunks})
	}
	return v
}

// timelineText is what the timeline says of an event besides its kind:
// a status's effective date, an offer's expiry, the match a guard override
// let through, and the reason or note.
func timelineText(e workflow.Event) string {
	var parts []string
	switch {
	case e.Effective != "":
		parts = append(parts, "effective "+e.Effective)
	case e.Expires != "":
		parts = append(parts, "stands until "+e.Expires)
	case e.Match != "":
		parts = append(parts, fmt.Sprintf("let through %q", e.Match))
	}
	if e.Why != "" {
		parts = append(parts, e.Why)
	}
	return strings.Join(parts, ": ")
}

// RecalledText is what the timeline shows for a message event whose
// message is no longer on this device: its sender recalled it, and it was
// shredded here.
const RecalledText = "recalled by its sender: the text was shredded on this device"

// timeline lists the case's workflow events, oldest first, each message
// with its text: the message entry the event names (Event.Envelope), or,
// for an event recorded before events named their entry, the next message
// entry of the same device not named by any event. An event is shown as
// verified as the core says (client.Case.EventVerified).
func timeline(k *client.Case, me crypto.OrgID) []desktop.TimelineEvent {
	named := map[crypto.EnvelopeID]bool{}
	for _, e := range k.Events {
		if e.Kind == workflow.EventMessage && e.Envelope != ([16]byte{}) {
			named[e.Envelope] = true
		}
	}
	texts := map[crypto.EnvelopeID]string{}
	older := map[crypto.DeviceID][]string{} // messages no event names, by device, in order
	for _, e := range k.Entries {
		if e.Kind != casestore.KindMessage {
			continue
		}
		texts[e.Envelope] = e.Text
		if !named[e.Envelope] {
			older[e.From.Device] = append(older[e.From.Device], e.Text)
		}
	}
	out := make([]desktop.TimelineEvent, 0, len(k.Events))
	for i, e := range k.Events {
		by := client.Party{Org: e.Actor.Org, OrgName: e.Actor.OrgName, Device: e.Actor.Device, DeviceName: e.Actor.DeviceName}
		ev := desktop.TimelineEvent{Kind: e.Kind, By: by, At: e.At, Sent: by.Org == me, Verified: k.EventVerified(i), Text: timelineText(e)}
		if e.Kind == workflow.EventMessage {
			ev.Text = messageText(e, texts, older)
		}
		out = append(out, ev)
	}
	return out
}

// messageText is a message event's text: its entry's, RecalledText when
// the entry it names is gone, or (an event that names none) the next of
// its device's unnamed messages.
func messageText(e workflow.Event, texts map[crypto.EnvelopeID]string, older map[crypto.DeviceID][]string) string {
	if e.Envelope != ([16]byte{}) {
		if t, ok := texts[e.Envelope]; ok {
			return t
		}
		return RecalledText
	}
	q := older[e.Actor.Device]
	if len(q) == 0 {
		return ""
	}
	older[e.Actor.Device] = q[1:]
	return q[0]
}
