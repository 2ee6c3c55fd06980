package client

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/crypto/vault"
)

// Options tune OpenHome. The zero value is what the commands use.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Relay tunes the relay connection; nil means defaults.
	Relay *relay.Options
	// MaxAttachmentBytes caps the size of a file Attach sends; 0 means
	// DefaultMaxAttachmentBytes. It cannot exceed payload.MaxAttachmentBytes.
	MaxAttachmentBytes int64
	// PublishWait bounds how long a key update may take to appear in a
	// witnessed checkpoint before the device says it was not published
	// (0 means DefaultPublishWait).
	PublishWait time.Duration
	// Getenv reads the environment for the vault's test hook (see
	// vault.UnlockFloor); nil means os.Getenv. Release builds ignore it.
	Getenv func(string) string
	// MaxCaseAttachmentBytes and MaxSenderAttachmentBytesPerHour bound
	// what other organisations can make this device store; 0 means the
	// package's MaxCaseAttachmentBytes and MaxSenderAttachmentBytesPerHour.
	MaxCaseAttachmentBytes, MaxSenderAttachmentBytesPerHour int64
}

// DefaultPublishWait is how long a publication may take to appear in a
// witnessed checkpoint before it is reported as not published.
const DefaultPublishWait = 30 * time.Second

// Device is an unlocked device home: its keys, its verified directory and
// its case store. It is the headless API the CLI and the desktop app use.
// Its methods are safe for concurrent use, but only one of them talks to
// the relay at a time.
//
// Lock order: netMu before mu; never the other way round.
type Device struct {
	// Set by OpenHome and never changed: read without a lock.
	home   string
	cfg    *Config
	scheme *crypto.Scheme
	store  *casestore.Store // safe for concurrent use itself
	now    func() time.Time
	ropts  *relay.Options
	// maxAttach caps attachments (Options.MaxAttachmentBytes).
	maxAttach int64
	// publishWait is Options.PublishWait.
	publishWait time.Duration
	// caseAttach and senderAttach are the per-case and per-sender-hour
	// limits on received attachment data.
	caseAttach, senderAttach int64

	// netMu is held for a whole relay conversation (sync, send, rotate),
	// so that only one runs at a time. It also guards secrets' encryption
	// keys and keys: only key rotation (under netMu) changes them, and
	// only sealing, opening and authenticating (under netMu) read them.
	// The ids in secrets never change.
	netMu   sync.Mutex
	secrets *crypto.DeviceSecrets
	keys    *crypto.DeviceKeys

	mu        sync.Mutex // guards the fields below; held briefly, never across I/O
	dir       *crypto.Directory
	dirSize   uint64     // next directory log index to fetch
	certIndex uint64     // log index of this device's certificate, once seen
	approved  bool       // this device's certificate is in the directory
	stale     *StaleKeys // set when a restored vault lacks published keys (keys.go)

	// Transparency log (transparency.go).
	monitor   *translog.Monitor             // pinned log key and newest verified checkpoint
	tree      *translog.Tree                // record hashes of the cached directory log
	orgRec    map[crypto.OrgID]logRecord    // log record of each organisation's current certificate
	devRec    map[crypto.DeviceID]logRecord // ... of each device's current certificate
	keyRec    map[crypto.DeviceID]logRecord // ... of each device's newest key update
	untrusted string                        // why sending is stopped; "" while the relay is trusted
	witnesses *translog.Witnesses           // the scheme's witnesses (newest set from the file or the log); nil if none
	// clockSkew is how far this computer's clock was from the relay's at
	// the last connection, when that was more than the relay accepts
	// (clock.go); zero otherwise. While it is set, nothing is sealed.
	clockSkew time.Duration

	// Key rotation (keys.go): the vault is rewritten with the passphrase
	// it was opened with, at its own work factor.
	passphrase []byte
	vaultWF    int
}

// OpenHome unlocks the device home with the passphrase: it reads the
// config and scheme, opens the vault, opens the case store and replays the
// cached directory.
func OpenHome(ctx context.Context, home, passphrase string) (*Device, error) {
	return OpenHomeWith(ctx, home, passphrase, nil)
}

// OpenHomeWith is OpenHome with options.
func OpenHomeWith(ctx context.Context, home, passphrase string, opt *Options) (*Device, error) {
	if opt == nil {
		opt = &Options{}
	}
	vfile, err := readLimited(filepath.Join(home, VaultFile), vault.MaxFileSize)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open home %s: %w (no %s)", home, ErrNoHome, VaultFile)
	}
	if err != nil {
		return nil, fmt.Errorf("open home %s: %w", home, err)
	}
	plain, err := vault.Open(vfile, passphrase)
	if err != nil {
		return nil, fmt.Errorf("open home %s: %w", home, err)
	}
	wf, err := vault.WorkFactor(vfile)
	if err != nil {
		clear(plain)
		return nil, fmt.Errorf("open home %s: %w", home, err)
	}
	secrets, err := crypto.ParseDeviceSecrets(plain)
	if err != nil {
		clear(plain)
		return nil, fmt.Errorf("open home %s: device vault: %w", home, err)
	}
	getenv := opt.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if floor := vault.UnlockFloor(getenv); wf < floor {
		// A vault made with a lower work factor (a test hook, an old
		// version) is re-saved at the release factor.
		if err := resealVault(filepath.Join(home, VaultFile), plain, passphrase, floor); err != nil {
			clear(plain)
			return nil, fmt.Errorf("open home %s: %w", home, err)
		}
		wf = floor
	}
	clear(plain)
	cfg, err := readHomeConfig(home, secrets.DataKey)
	if err != nil {
		return nil, fmt.Errorf("open home %s: %w", home, err)
	}
	scheme, _, err := ReadScheme(filepath.Join(home, SchemeFile))
	if err != nil {
		return nil, fmt.Errorf("open home %s: %w", home, err)
	}
	if secrets.Device != cfg.DeviceID() || secrets.Org != cfg.OrgID() {
		return nil, fmt.Errorf("open home %s: %w: config names device %s of %s, vault holds %s of %s",
			home, ErrBadConfig, cfg.Device, cfg.Org, secrets.Device, secrets.Org)
	}
	keys, err := secrets.Keys()
	if err != nil {
		return nil, fmt.Errorf("open home %s: device keys: %w", home, err)
	}
	store, err := casestore.Open(ctx, filepath.Join(home, CasesFile), secrets.DataKey)
	if err != nil {
		return nil, fmt.Errorf("open home %s: %w", home, err)
	}
	d := &Device{
		home: home, cfg: cfg, scheme: scheme, secrets: secrets, keys: keys, store: store,
		now: opt.Now, ropts: opt.Relay, dir: crypto.NewDirectory(scheme),
		orgRec: make(map[crypto.OrgID]logRecord), devRec: make(map[crypto.DeviceID]logRecord),
		keyRec: make(map[crypto.DeviceID]logRecord), passphrase: []byte(passphrase), vaultWF: wf,
	}
	if d.now == nil {
		d.now = time.Now
	}
	store.SetSummariser(d.storeSummary)
	d.maxAttach = attachmentCap(opt.MaxAttachmentBytes)
	d.publishWait = cmp.Or(opt.PublishWait, DefaultPublishWait)
	d.caseAttach, d.senderAttach = opt.MaxCaseAttachmentBytes, opt.MaxSenderAttachmentBytesPerHour
	if d.caseAttach <= 0 {
		d.caseAttach = MaxCaseAttachmentBytes
	}
	if d.senderAttach <= 0 {
		d.senderAttach = MaxSenderAttachmentBytesPerHour
	}
	cached, err := store.Directory(ctx)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("open home %s: %w", home, err)
	}
	d.applyDirectory(cached)
	if d.witnesses, err = translog.NewWitnesses(d.dir.WitnessSet()); err != nil {
		store.Close()
		return nil, fmt.Errorf("open home %s: %w", home, err)
	}
	if err := d.dropEnrolmentRequest(); err != nil {
		store.Close()
		return nil, fmt.Errorf("open home %s: %w", home, err)
	}
	if err := d.loadMonitor(ctx, cached); err != nil {
		store.Close()
		return nil, fmt.Errorf("open home %s: %w", home, err)
	}
	return d, nil
}

// Close closes the case store and forgets the passphrase. The device keys
// stay in memory until the Device is garbage collected; callers should drop
// it.
func (d *Device) Close() error {
	d.mu.Lock()
	clear(d.passphrase)
	d.passphrase = nil
	d.mu.Unlock()
	return d.store.Close()
}

// ID returns the device id.
func (d *Device) ID() crypto.DeviceID { return d.secrets.Device }

// Org returns the device's organisation id.
func (d *Device) Org() crypto.OrgID { return d.secrets.Org }

// Name returns the device's display name.
func (d *Device) Name() string { return d.cfg.Name }

// Relay returns the relay URL from the config.
func (d *Device) Relay() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cfg.Relay
}

// Fingerprint returns the device's safety number.
func (d *Device) Fingerprint() string { return crypto.DeviceFingerprint(d.secrets.SigningKey()) }

// Scheme returns the pinned scheme.
func (d *Device) Scheme() *crypto.Scheme { return d.scheme }

// Directory returns the verified directory (safe for concurrent use).
func (d *Device) Directory() *crypto.Directory {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dir
}

// applyDirectory verifies and adds log entries, in order, to the
// directory. Entries that fail verification are skipped (they stay in the
// log, which is the relay's, but never become trusted). It returns the
// errors it skipped.
func (d *Device) applyDirectory(objs []casestore.DirectoryObject) []error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	now := d.now()
	for _, o := range objs {
		if o.Index < d.dirSize {
			continue
		}
		d.dirSize = o.Index + 1
		kind, err := d.dir.Add(o.Object, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("directory entry %d: %w", o.Index, err))
			continue
		}
		d.recordEntry(kind, o.Index, o.Object)
		if kind == "device-cert" {
			if e, err := d.dir.Device(d.secrets.Device); err == nil && bytes.Equal(e.Raw, o.Object) {
				d.certIndex = o.Index
				d.approved = true
			}
		}
	}
	return errs
}

// refreshDirectory fetches the directory entries the device has not seen
// and the relay's checkpoint, verifies them against the transparency log
// (transparency.go), caches them, and applies them.
func (d *Device) refreshDirectory(ctx context.Context, c *relay.Conn) ([]error, error) {
	d.mu.Lock()
	since := d.dirSize
	d.mu.Unlock()
	l, err := c.DirectoryLog(ctx, since)
	if err != nil {
		return nil, err
	}
	if err := d.checkLog(ctx, c, l); err != nil {
		return nil, err
	}
	if len(l.Entries) == 0 {
		return nil, nil
	}
	objs := make([]casestore.DirectoryObject, len(l.Entries))
	for i, e := range l.Entries {
		objs[i] = casestore.DirectoryObject{Index: e.Index, Object: e.Object}
	}
	if err := d.store.AppendDirectory(ctx, objs); err != nil {
		return nil, err
	}
	skipped := d.applyDirectory(objs)
	d.followWitnessSet()
	if err := d.dropEnrolmentRequest(); err != nil {
		return skipped, err
	}
	if err := d.applyRetentionPolicy(ctx); err != nil {
		return skipped, err
	}
	return skipped, nil
}

// unreachable reports whether a failed dial means the relay is down or the
// network is away, rather than a bad relay address, a relay that is not the
// one configured, or the caller giving up.
func unreachable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	for _, e := range []error{relay.ErrBadURL, relay.ErrInsecureURL, relay.ErrOriginMismatch, relay.ErrProtocol} {
		if errors.Is(err, e) {
			return false
		}
	}
	return true
}

// connect dials the relay, checks its log key, authenticates, refreshes
// the directory, and rotates or erases encryption keys when due (keys.go).
// A relay that cannot be reached is reported as ErrRelayUnreachable.
func (d *Device) connect(ctx context.Context) (*relay.Conn, error) {
	c, err := relay.Dial(ctx, d.Relay(), d.ropts)
	if err != nil {
		if unreachable(ctx, err) {
			return nil, fmt.Errorf("%w: %w", ErrRelayUnreachable, err)
		}
		return nil, err
	}
	if err := d.pinLogKey(ctx, c.Hello().LogKey); err != nil {
		c.Close()
		return nil, err
	}
	if err := d.checkClock(c.Hello().Time); err != nil {
		c.Close()
		return nil, err
	}
	org, err := c.Authenticate(ctx, d.secrets.Device, d.keys.Signing)
	if err != nil {
		c.Close()
		if retryLater(err) {
			return nil, fmt.Errorf("%w: %w", ErrRelayUnreachable, err)
		}
		if lerr := d.checkLogUnauthenticated(ctx, err); lerr != nil {
			return nil, lerr
		}
		return nil, explainAuth(err)
	}
	if org != d.secrets.Org {
		c.Close()
		return nil, fmt.Errorf("authenticate: relay placed device in organisation %x, not %s", org, d.secrets.Org)
	}
	if _, err := d.refreshDirectory(ctx, c); err != nil {
		c.Close()
		if retryLater(err) {
			return nil, fmt.Errorf("%w: %w", ErrRelayUnreachable, err)
		}
		return nil, err
	}
	if err := d.maintainKeys(ctx, c, false); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// dropEnrolmentRequest removes enrolment-request.json once the device's
// certificate is in the directory: the admin has used it, and it names the
// organisation and the device, which a copied laptop must not show.
func (d *Device) dropEnrolmentRequest() error {
	d.mu.Lock()
	approved := d.approved
	d.mu.Unlock()
	if !approved {
		return nil
	}
	if err := os.Remove(filepath.Join(d.home, EnrolmentRequestFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove enrolment request: %w", err)
	}
	return nil
}
