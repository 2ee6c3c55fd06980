package desktop

import (
	"context"
	"time"

	"github.com/saferef/saferef/client"
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
// the UI goroutine; implementations must be safe for concurrent use.
type Core interface {
	// Identity describes this device and its organisation.
	Identity() Identity
	// Sync exchanges envelopes with the relay.
	Sync(ctx context.Context) (SyncReport, error)
	// CaseRows lists every case on the device, one row each.
	CaseRows(ctx context.Context) ([]CaseRow, error)
	// Case returns one case in full. It wraps client.ErrNotInCase for a case
	// the device does not hold.
	Case(ctx context.Context, id crypto.CaseID) (*client.Case, error)
	// SendMessage adds a message to a case. An error wrapping
	// client.ErrNotSent means it is recorded and queued for the next sync.
	SendMessage(ctx context.Context, id crypto.CaseID, text string) error
	// SendReferral circulates a referral to the organisations given and
	// returns the case id. client.ErrNotSent means recorded and queued.
	SendReferral(ctx context.Context, to []crypto.OrgID, r *payload.Referral) (crypto.CaseID, error)
	// Organisations lists the scheme's organisations from the verified
	// directory, by name.
	Organisations() []Organisation
	// Queued is the number of sends recorded but not yet confirmed by the
	// relay, as far as the core knows.
	Queued() int
	// Close locks the device: it closes the case store and drops the keys.
	Close() error
}

// Identity describes the unlocked device. Nothing in it is secret.
type Identity struct {
	DeviceName  string
	Org         crypto.OrgID
	OrgName     string
	Fingerprint string // the device's safety number
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
}

// CaseRow is one line of the case list: the case summary plus what the
// list filters and sorts on.
type CaseRow struct {
	client.CaseSummary
	// Districts are the referral's acceptable districts (empty before the
	// referral arrives).
	Districts []string
	// Waiting says, in a few words, what the case is waiting for.
	Waiting Waiting
	// NeedsAction is true when the user has something to do on the case.
	NeedsAction bool
}

// Waiting is what a case waits on, for the "waiting on" column.
type Waiting struct {
	Kind WaitingKind
	Org  string // the organisation's name, when Kind names one
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
