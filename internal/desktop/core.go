package desktop

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// Homes opens and creates device homes. It is the only way the app reaches
// the headless client core; devicecore.Homes implements it over package
// client.
type Homes interface {
	// Enrolled reports whether home already holds an enrolled device.
	Enrolled(home string) (bool, error)
	// Open unlocks the device in home with the passphrase.
	Open(ctx context.Context, home, passphrase string) (Core, error)
	// Enrol creates a device home and its enrolment request.
	Enrol(ctx context.Context, o *client.EnrolOptions) (*client.Enrolment, error)
	// IsWrongPassphrase reports whether err from Open means the passphrase
	// did not open the vault.
	IsWrongPassphrase(err error) bool
}

// Core is the unlocked device as the desktop app uses it: exactly the calls
// the screens make. Its methods may block (disk, relay) and are called off
// the UI goroutine (Identity and Organisations excepted: they read memory);
// implementations must be safe for concurrent use.
//
// Sends return an error wrapping client.ErrNotSent when they were recorded
// and queued but did not reach the relay (the next sync sends them), a
// *guard.Error when the disclosure guard refused them, a
// payload.ValidationError for field problems, and a *workflow.TransitionError
// when the case's state does not allow them.
type Core interface {
	// Identity describes this device and its organisation.
	Identity() Identity
	// Sync exchanges envelopes with the relay.
	Sync(ctx context.Context) (SyncReport, error)
	// Queued counts the sends recorded but not yet confirmed by the relay
	// (the outbox).
	Queued(ctx context.Context) (int, error)
	// SetRelay moves the device to another relay of the same scheme after
	// checking its log (client.Device.SetRelay); the relay is unchanged on
	// error (wrapping client.ErrNotSameLog for a relay of another log).
	SetRelay(ctx context.Context, url string) error
	// CaseRows lists every case on the device, one row each.
	CaseRows(ctx context.Context) ([]CaseRow, error)
	// Case returns one case in full with its workflow state. It wraps
	// client.ErrNotInCase for a case the device does not hold.
	Case(ctx context.Context, id payload.ID) (*CaseView, error)
	// Organisations lists the scheme's organisations from the verified
	// directory, by name.
	Organisations() []Organisation
	// Close locks the device: it closes the case store and drops the keys.
	Close() error

	Workflow
	Admin
	Drafts
}

// Drafts keeps the user's unsent forms, sealed in the case store, so that
// a half-written referral survives another case being opened, the
// organisation screen, an auto-lock or a crash. A draft is named by its
// case (zero for a new referral) and its form ("referral", "offer", ...);
// its bytes are the form's fields as the app encodes them.
type Drafts interface {
	// SaveDraft stores (replacing) a draft.
	SaveDraft(ctx context.Context, id payload.ID, form string, draft []byte) error
	// Draft returns a draft, or nil when there is none.
	Draft(ctx context.Context, id payload.ID, form string) ([]byte, error)
	// DeleteDraft forgets a draft (sent or discarded).
	DeleteDraft(ctx context.Context, id payload.ID, form string) error
}

// Workflow is every step of a referral, as package client offers it.
type Workflow interface {
	// SendReferral sends a referral: to the household's current landlord
	// for approval when r names one (to is then empty), else to the
	// landlords in to. opt carries the household's details (kept on the
	// device, never sent until release) and the confirmation of a repeated
	// reference. It returns the case id.
	SendReferral(ctx context.Context, to []crypto.OrgID, r *payload.Referral, opt client.ReferralOptions) (payload.ID, error)
	// CirculationCandidates lists the landlords a circulation of the case
	// would go to, by district.
	CirculationCandidates(ctx context.Context, id payload.ID) ([]client.OrgRef, error)
	// Approve answers a referral sent for approval (current landlord).
	Approve(ctx context.Context, id payload.ID, a *payload.Approval) error
	// Circulate sends the referral to the landlords in to (nominator).
	Circulate(ctx context.Context, id payload.ID, to []crypto.OrgID) error
	// NoSuitableHome answers a circulated referral, as a candidate
	// landlord, that it has no suitable home: the ask is closed for this
	// landlord and the nominator is told only that it declined.
	NoSuitableHome(ctx context.Context, id payload.ID) error
	// SendOffer offers a home (candidate landlord) and returns its id.
	SendOffer(ctx context.Context, id payload.ID, o *payload.Offer) (payload.ID, error)
	// DecideOffer accepts or declines an offer (nominator).
	DecideOffer(ctx context.Context, id payload.ID, offer payload.ID, accept bool, reason string) error
	// DetailsReaders lists every device that will be able to read household
	// details released now, and a digest of that list.
	DetailsReaders(ctx context.Context, id payload.ID) ([]Reader, string, error)
	// ReleaseDetails sends household details to the accepted landlord; the
	// digest must be the one DetailsReaders returned with the list the
	// user confirmed.
	ReleaseDetails(ctx context.Context, id payload.ID, h *payload.HouseholdDetails, readersDigest string) error
	// SetStatus reports signed-up, moved-in, closed or withdrawn.
	SetStatus(ctx context.Context, id payload.ID, status, effective, note string) error
	// SendMessage adds a message to a case.
	SendMessage(ctx context.Context, id payload.ID, text string) error
	// Attach sends a file to the case, calling progress as chunks go.
	Attach(ctx context.Context, id payload.ID, name string, r io.Reader, size int64, progress func(sent, total int64)) (payload.ID, error)
	// Attachment returns a received attachment, checked.
	Attachment(ctx context.Context, id payload.ID, att payload.ID) (name string, data []byte, err error)
	// MarkRead sends read receipts for everything received on the case.
	MarkRead(ctx context.Context, id payload.ID) error
	// Recall asks the recipients of envelopes this organisation sent to
	// shred them.
	Recall(ctx context.Context, id payload.ID, envelopes []crypto.EnvelopeID, reason string) error
}

// Admin is what the organisation screen needs.
type Admin interface {
	// Devices lists this organisation's devices from the verified directory.
	Devices() []DeviceInfo
	// RotateKeys replaces this device's encryption key now.
	RotateKeys(ctx context.Context) error
	// BackUp writes an encrypted backup of this device to w under a new
	// recovery key, which it returns for the user to write down (it is
	// shown once and kept nowhere). saferef restore brings it back.
	BackUp(ctx context.Context, w io.Writer) (recoveryKey string, err error)
	// Verified returns the organisations whose fingerprints the user
	// checked in person (a local, sealed mark).
	Verified(ctx context.Context) (map[crypto.OrgID]bool, error)
	// SetVerified records or clears that mark.
	SetVerified(ctx context.Context, org crypto.OrgID, verified bool) error
	// EnrolmentRequest reads an enrolment request file and checks its
	// self-signature.
	EnrolmentRequest(path string) (*EnrolmentRequestInfo, error)
	// Relay is the relay URL the device uses.
	Relay() string
	// ApproveRequest approves the enrolment request at requestPath with the
	// organisation's admin key in adminDir (the folder holding
	// orgs/ORG_ID/admin.key), unlocked with passphrase, after auditing the
	// relay's log, and publishes the device certificate. fingerprint is
	// what the user read out; it must match the request's. It returns the
	// approved device. Errors wrap ErrAdminWrongPassphrase,
	// ErrFingerprintMismatch, ErrAdminKeyMissing or ErrAdminRelay where
	// those apply.
	ApproveRequest(ctx context.Context, adminDir, requestPath, fingerprint, passphrase string) (*EnrolmentRequestInfo, error)
	// RevokeDevice revokes one of the organisation's devices, dated now,
	// with the admin key in adminDir unlocked with passphrase, and
	// publishes the revocation. reason goes in the public log. Errors wrap
	// the same sentinels as ApproveRequest's.
	RevokeDevice(ctx context.Context, adminDir string, id crypto.DeviceID, reason, passphrase string) error
}

// Errors Admin implementations wrap, for the organisation screen to explain.
var (
	// ErrAdminWrongPassphrase means the passphrase did not open the admin key.
	ErrAdminWrongPassphrase = errors.New("wrong admin key passphrase")
	// ErrAdminKeyMissing means the admin key folder holds no admin key for
	// the organisation.
	ErrAdminKeyMissing = errors.New("no admin key for the organisation in that folder")
	// ErrFingerprintMismatch means the fingerprint read out is not the
	// request's.
	ErrFingerprintMismatch = errors.New("fingerprint mismatch")
	// ErrAdminRelay means the relay could not be reached or refused what
	// was published.
	ErrAdminRelay = errors.New("relay unreachable or refused")
)

// Identity describes the unlocked device. Nothing in it is secret.
type Identity struct {
	DeviceName  string
	Org         crypto.OrgID
	OrgName     string
	Fingerprint string // the device's safety number
	// Admin is true when the device's home holds the organisation's admin
	// key: the organisation screen then shows device approval and
	// revocation (the settings screen can show them too, for an admin
	// whose key is kept elsewhere).
	Admin bool
}

// Organisation is one organisation of the scheme, as the verified directory
// holds it.
type Organisation struct {
	ID          crypto.OrgID
	Name        string
	Kind        crypto.OrgKind
	Districts   []string
	Fingerprint string
	Revoked     bool
}

// SyncReport summarises a sync for the connection bar.
type SyncReport struct {
	New      int // envelopes applied
	Rejected int // envelopes that will never open
	Sent     int // queued envelopes sent
	At       time.Time
	// Warning is the newest unresolved warning this device raised about
	// the relay or its witnessed view of the keys (a stale view, a split
	// view, an unpublished key), in plain words; "" when there is none.
	Warning string
}

// CaseRow is one line of the case list: the case summary (with the
// referral's districts, urgency and date, and the search text) plus what
// the case waits on.
type CaseRow struct {
	client.CaseSummary
	// Waiting says, in a few words, what the case is waiting for.
	Waiting Waiting
	// NeedsAction is true when the user has something to do on the case.
	NeedsAction bool
}

// Waiting is what a case waits on, for the "waiting on" column.
type Waiting struct {
	Kind WaitingKind
	Org  string // the organisation's name, when Kind names one
	// Action is what the workflow waits on the user to do, with
	// WaitingOnYou (workflow.ActionNone when only something new arrived).
	Action workflow.Action
}

// WaitingKind classifies what a case waits on.
type WaitingKind int

// What a case can wait on.
const (
	WaitingNothing  WaitingKind = iota // closed, or nothing pending
	WaitingOnYou                       // something arrived that the user should read or answer
	WaitingOnOrg                       // the user replied last; the other organisation is next
	WaitingReferral                    // a message arrived before its referral
)
