package server

import (
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/server/store"
)

// Config configures a relay. Scheme, Store, Origin, LogSigner and
// LogVerifierKey are required; every other field has a default.
type Config struct {
	// Scheme is the scheme whose root keys the directory is verified against.
	Scheme *crypto.Scheme
	// Store holds the directory log, envelopes and pending deliveries.
	Store store.Store
	// Origin is the relay's public origin as clients dial it, for example
	// "wss://relay.example.org" or "ws://127.0.0.1:8443". Devices sign it
	// into their authentication, so a signature made for one relay is
	// worthless at another.
	Origin string
	// LogSigner signs the transparency log's checkpoints (a note signer
	// whose name is the log origin; see crypto/translog). Every relay node
	// sharing a store must use the same key, and it must survive restarts:
	// devices pin it. Required.
	LogSigner note.Signer
	// LogVerifierKey is LogSigner's verifier key text, announced in every
	// ServerHello; New checks that the two match.
	LogVerifierKey string
	// Logger receives structured logs. It never receives payloads, keys or,
	// unless LogIP is set, client addresses. Nil discards logs.
	Logger *slog.Logger
	// LogIP adds the client's remote address to connection logs.
	LogIP bool
	// MailboxTTL is how long an undelivered envelope is kept (default 30 days).
	MailboxTTL time.Duration
	// MailboxQuota caps what one organisation's mailbox may hold
	// (default 10,000 envelopes or 1 GiB).
	MailboxQuota store.Quota
	// SendRate and SendBurst limit the envelopes one device may send: a token
	// bucket refilled at SendRate per second (default 20 per second, burst 100).
	SendRate  float64
	SendBurst int
	// QueueLength is the number of frames that may wait to be written to one
	// connection before it is dropped as too slow (default 256).
	QueueLength int
	// WriteTimeout is how long one frame may take to write (default 10 s).
	WriteTimeout time.Duration
	// PongTimeout is how long the relay waits for any traffic, including a
	// pong, before closing a connection (default 60 s); pings go out at
	// half of it.
	PongTimeout time.Duration
	// PreAuthFrames is how many frames (publishes, directory and proof
	// requests) a connection may send before it authenticates; the next one
	// closes it with rate-limited (default 1024: enough to read a directory
	// of about a million entries a page at a time).
	PreAuthFrames int
	// AuthTimeout is how long an unauthenticated connection may stay idle
	// (default 30 s).
	AuthTimeout time.Duration
	// ClockSkew is how far a device's auth timestamp may be from the relay's
	// clock (default 2 minutes).
	ClockSkew time.Duration
	// ExpireEvery is how often expired envelopes are deleted (default 1 minute).
	ExpireEvery time.Duration
	// Now returns the current time; nil means time.Now. Tests set it.
	Now func() time.Time
	// Witnesses are the base URLs of the scheme's witnesses (C2SP
	// tlog-witness, for example litewitness at "http://127.0.0.1:7380").
	// The relay submits every new checkpoint to each, and the current one
	// again every WitnessEvery, and serves its checkpoints with the
	// cosignatures they return. With none, checkpoints carry none, and
	// devices of a scheme that names witnesses will report the view as
	// unwitnessed.
	Witnesses []string
	// WitnessEvery is how often the current checkpoint is witnessed again
	// while the log does not change, so that cosignatures stay fresh
	// (default 10 minutes; devices accept ones up to the scheme's
	// freshness window old, 1 hour before a release by default).
	WitnessEvery time.Duration
	// WitnessTimeout bounds one request to a witness (default 10 s).
	WitnessTimeout time.Duration
	// WitnessClient makes the requests to witnesses (default http.DefaultClient).
	WitnessClient *http.Client
}

func (c *Config) setDefaults() {
	if c.MailboxTTL == 0 {
		c.MailboxTTL = 30 * 24 * time.Hour
	}
	if c.MailboxQuota == (store.Quota{}) {
		c.MailboxQuota = store.Quota{MaxEnvelopes: 10000, MaxBytes: 1 << 30}
	}
	if c.SendRate == 0 {
		c.SendRate = 20
	}
	if c.SendBurst == 0 {
		c.SendBurst = 100
	}
	if c.QueueLength == 0 {
		c.QueueLength = 256
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.PongTimeout == 0 {
		c.PongTimeout = 60 * time.Second
	}
	if c.PreAuthFrames == 0 {
		c.PreAuthFrames = 1024
	}
	if c.AuthTimeout == 0 {
		c.AuthTimeout = 30 * time.Second
	}
	if c.ClockSkew == 0 {
		c.ClockSkew = 2 * time.Minute
	}
	if c.ExpireEvery == 0 {
		c.ExpireEvery = time.Minute
	}
	if c.WitnessEvery == 0 {
		c.WitnessEvery = 10 * time.Minute
	}
	if c.WitnessTimeout == 0 {
		c.WitnessTimeout = 10 * time.Second
	}
	if c.WitnessClient == nil {
		c.WitnessClient = http.DefaultClient
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}
