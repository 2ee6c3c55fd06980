package desktop

import (
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// CaseView is one case in full as the case view shows it: what package
// client holds about it plus its workflow state from this organisation's
// point of view.
type CaseView struct {
	*client.Case
	// Stage is where the case stands for this organisation.
	Stage workflow.Stage
	// Role is the part this organisation plays in it.
	Role workflow.Role
	// WaitingOn is what the case waits on this organisation's user to do,
	// or workflow.ActionNone.
	WaitingOn workflow.Action
	// Allowed are the events the workflow allows this organisation to make
	// now (workflow.Case.Allowed): the case view offers only these.
	Allowed []workflow.EventKind
	// Timeline is every event of the case, oldest first.
	Timeline []TimelineEvent
	// Offers are the offers this organisation knows of (a candidate: its
	// own), oldest first.
	Offers []OfferView
	// Reads are the read receipts: which device opened which packet.
	Reads []ReadReceipt
	// Attachments are the files sent on the case.
	Attachments []AttachmentInfo
	// Sent are the packets this organisation sent, which it may recall.
	Sent []SentPacket
	// DetailsReaders are the devices the releasing caseworker was shown
	// as able to read the household details (known at the nominating
	// organisation only; empty elsewhere).
	DetailsReaders []Reader
	// Nominator names the nominating organisation.
	Nominator client.OrgRef
}

// allows reports whether the workflow allows this organisation one of the
// event kinds now.
func (v *CaseView) allows(kinds ...workflow.EventKind) bool {
	for _, a := range v.Allowed {
		for _, k := range kinds {
			if a == k {
				return true
			}
		}
	}
	return false
}

// TimelineEvent is one thing that happened in a case.
type TimelineEvent struct {
	Kind workflow.EventKind
	// By is who did it: organisation and device, named from their verified
	// certificates.
	By client.Party
	At time.Time
	// Sent is true for events this device's organisation sent.
	Sent bool
	// Verified is true when the event came in an envelope whose signature
	// was checked against the directory (or was made here).
	Verified bool
	// Text is a message's text, or the reason or note that came with the
	// event.
	Text string
}

// OfferView is one offer of a home, for the comparison grid.
type OfferView struct {
	Offer    *payload.Offer // Address is empty unless the core shows it here
	Landlord client.OrgRef
	State    workflow.OfferState
	Why      string // the reason given when declined
	Made     time.Time
}

// ReadReceipt says which device at which organisation opened what, when.
type ReadReceipt struct {
	Reader client.Party
	Kind   string // the packet's kind: "referral", "offer", "message", ...
	Packet crypto.EnvelopeID
	ReadAt time.Time
}

// AttachmentInfo describes a file sent on the case.
type AttachmentInfo struct {
	ID       payload.ID
	Name     string
	Size     int64
	From     client.Party
	At       time.Time
	Complete bool // every chunk has arrived (or, for a sent file, was queued)
}

// SentPacket is a packet this organisation sent on the case.
type SentPacket struct {
	Envelope crypto.EnvelopeID
	Kind     string // the packet's kind: "referral", "offer", "message", ...
	At       time.Time
	Recalled bool
}

// Reader is a device that will be able to read released household details.
type Reader struct {
	Org         crypto.OrgID
	OrgName     string
	Device      crypto.DeviceID
	DeviceName  string
	Fingerprint string
}

// DeviceStatus is where a device of the organisation stands.
type DeviceStatus int

// Device statuses.
const (
	DeviceCurrent     DeviceStatus = iota // approved and valid
	DeviceRevoked                         // revoked by the organisation admin
	DeviceExpired                         // its certificate has expired
	DeviceNotYetValid                     // its certificate is not valid yet
)

// DeviceInfo is one device of this organisation as the directory holds it.
type DeviceInfo struct {
	ID          crypto.DeviceID
	Name        string
	Fingerprint string
	Status      DeviceStatus
	NotAfter    time.Time
	KeySeq      uint64 // how many times its encryption key was rotated
	This        bool   // the device the app runs on
}

// EnrolmentRequestInfo is what an enrolment request file says, after its
// self-signature was checked.
type EnrolmentRequestInfo struct {
	Path        string
	Device      crypto.DeviceID
	Org         crypto.OrgID
	Name        string
	Fingerprint string
}
