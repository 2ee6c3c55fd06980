// Package hometest enrols real device homes for tests: a scheme with
// organisations (internal/schemetest), a real loopback relay
// (internal/relaytest), and device homes created by client.Enrol with real
// keys and vaults, approved with the organisation's admin key and published
// to the relay, then opened with client.OpenHomeWith. It is the one
// harness for enrolled homes: tests of the client core (as package
// client_test), the desktop adapter, the admin toolkit and the commands use
// it instead of enrolling by hand.
//
// It imports package client, so package client's own internal tests
// (package client) cannot use it; see docs/ARCHITECTURE.md, "Testing".
package hometest

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/relaytest"
	"github.com/saferef/saferef/internal/schemetest"
)

// WorkFactor is the vault scrypt work factor of test homes: low, so that
// tests unlock quickly.
const WorkFactor = 10

// Unreachable is the relay URL of an offline world: nothing listens there.
const Unreachable = "ws://127.0.0.1:1"

// World is a test scheme, its scheme file, and (unless offline) a running
// relay, in which a test admits organisations and enrols device homes.
type World struct {
	// T is the test the world belongs to.
	T testing.TB
	// Scheme holds the scheme, its root keys and every object signed so far.
	Scheme *schemetest.Scheme
	// SchemeFile is the scheme.json handed to enrolling devices; a test
	// may point it at another file (a rotated scheme) for later homes.
	SchemeFile string
	// Dir holds the scheme file and the homes enrolled in this world.
	Dir string
	// Relay is the world's relay; nil in an offline world.
	Relay *relaytest.Relay
	// URL is the relay's URL (Unreachable in an offline world).
	URL string
}

// Options tune NewWith.
type Options struct {
	// Scheme is the world's scheme; nil means a fresh one with one root.
	// A test that signs a witness set into the scheme passes it here.
	Scheme *schemetest.Scheme
	// Relay tunes the relay (its log key, witnesses, a hostile Hook, a
	// configuration).
	Relay relaytest.Options
}

// New returns a world with a fresh one-root scheme and a running relay.
func New(t testing.TB) *World {
	t.Helper()
	return NewWith(t, Options{})
}

// NewWith returns a world with a running relay, tuned by opt.
func NewWith(t testing.TB, opt Options) *World {
	t.Helper()
	w := newWorld(t, opt.Scheme)
	w.Relay = relaytest.RunWith(t, w.Scheme.Scheme, opt.Relay)
	w.URL = w.Relay.URL
	return w
}

// Offline returns a world with a fresh one-root scheme and no relay: homes
// are enrolled offline (their relay is Unreachable) and cannot be approved.
func Offline(t testing.TB) *World {
	t.Helper()
	w := newWorld(t, nil)
	w.URL = Unreachable
	return w
}

// newWorld writes scheme s (a fresh one if nil) into a new directory.
func newWorld(t testing.TB, s *schemetest.Scheme) *World {
	t.Helper()
	if s == nil {
		s = schemetest.New(t, 1, 1)
	}
	w := &World{T: t, Scheme: s, Dir: t.TempDir()}
	w.SchemeFile = filepath.Join(w.Dir, "scheme.json")
	s.WriteFile(t, w.SchemeFile)
	return w
}

// Fork returns a world on a second relay of w's scheme with the same log
// key and its own store (one dishonest relay showing two views), with its
// own directory for homes.
func (w *World) Fork() *World {
	w.T.Helper()
	r := w.Relay.Fork()
	return &World{T: w.T, Scheme: w.Scheme, SchemeFile: w.SchemeFile, Dir: w.T.TempDir(), Relay: r, URL: r.URL}
}

// Node returns w as seen through a second node of its relay (same store
// and log key, another address), sharing w's directory and homes.
func (w *World) Node() *World {
	w.T.Helper()
	r := w.Relay.Node()
	return &World{T: w.T, Scheme: w.Scheme, SchemeFile: w.SchemeFile, Dir: w.Dir, Relay: r, URL: r.URL}
}

// Publish publishes signed directory objects to the relay without
// authenticating, as the admin command does.
func (w *World) Publish(objs ...[]byte) {
	w.T.Helper()
	for _, o := range objs {
		if err := w.TryPublish(o); err != nil {
			w.T.Fatalf("publish: %v", err)
		}
	}
}

// Org admits an organisation (signed by the roots) and publishes it, unless
// the world is offline.
func (w *World) Org(name string, kind crypto.OrgKind, districts ...string) *schemetest.Org {
	w.T.Helper()
	o := w.Scheme.AddOrg(w.T, name, kind, districts...)
	if w.Relay != nil {
		w.Publish(o.Raw)
	}
	return o
}

// DeviceOptions tune DeviceWith, Enrol and Approve.
type DeviceOptions struct {
	// Now is the device's clock, for enrolment and once opened; nil means
	// time.Now.
	Now func() time.Time
	// Admin approves the device; nil means the organisation's admin key.
	Admin ed25519.PrivateKey
	// Valid is how long the device certificate is valid from a minute ago;
	// 0 means a day. A test whose clock runs months ahead wants more.
	Valid time.Duration
	// Also lists other worlds (relays of the same scheme) the certificate
	// is published to as well.
	Also []*World
	// Open is passed to client.OpenHomeWith; its Now, when nil, is set
	// to the Now above.
	Open *client.Options
	// Passphrase is the vault passphrase; empty means Passphrase(name).
	Passphrase string
}

// Device enrols a device home for o, approves it with o's admin key,
// publishes the certificate and returns the unlocked device, closed when
// the test ends.
func (w *World) Device(o *schemetest.Org, name string) *client.Device {
	w.T.Helper()
	return w.DeviceWith(o, name, DeviceOptions{})
}

// DeviceWith is Device with options.
func (w *World) DeviceWith(o *schemetest.Org, name string, opt DeviceOptions) *client.Device {
	w.T.Helper()
	h := w.Enrol(o, name, opt)
	w.Approve(h, o, opt)
	var open client.Options
	if opt.Open != nil {
		open = *opt.Open
	}
	if open.Now == nil {
		open.Now = opt.Now
	}
	return h.Open(w.T, &open)
}

// Enrol enrols a device home for o in w.HomePath(name) against the world's
// relay; nothing is approved.
func (w *World) Enrol(o *schemetest.Org, name string, opt DeviceOptions) *Home {
	w.T.Helper()
	eo := client.EnrolOptions{Home: w.HomePath(name), SchemeFile: w.SchemeFile, Relay: w.URL, Org: o.ID, Name: name,
		Passphrase: opt.Passphrase}
	if opt.Now != nil {
		eo.Now = opt.Now()
	}
	return Enrol(w.T, eo)
}

// Approve signs h's enrolment request with opt.Admin (o's admin key if nil)
// and publishes the certificate to w and to every world in opt.Also.
func (w *World) Approve(h *Home, o *schemetest.Org, opt DeviceOptions) {
	w.T.Helper()
	admin, valid := opt.Admin, opt.Valid
	if admin == nil {
		admin = o.Admin
	}
	if valid == 0 {
		valid = 24 * time.Hour
	}
	cert, err := crypto.SignDeviceCert(h.Request.DeviceCert(time.Now().Add(-time.Minute), valid), admin)
	if err != nil {
		w.T.Fatalf("approve %s: %v", h.Path, err)
	}
	for _, r := range append([]*World{w}, opt.Also...) {
		r.Publish(cert)
	}
}

// HomePath is where Enrol puts the home of the device called name.
func (w *World) HomePath(name string) string {
	return filepath.Join(w.Dir, "home-"+strings.ReplaceAll(strings.ToLower(name), " ", "-"))
}

// Passphrase is the vault passphrase of the test device called name.
func Passphrase(name string) string { return "orbit lantern pebble " + name }

// Home is an enrolled device home.
type Home struct {
	// Path is the home directory.
	Path string
	// Passphrase unlocks its vault.
	Passphrase string
	// Enrolment is what client.Enrol returned: the device id, the request
	// and its fingerprint.
	*client.Enrolment
}

// Enrol runs client.Enrol with o; an empty Home means a fresh directory,
// an empty Passphrase means Passphrase(o.Name), a zero WorkFactor means
// WorkFactor.
func Enrol(t testing.TB, o client.EnrolOptions) *Home {
	t.Helper()
	if o.Home == "" {
		o.Home = filepath.Join(t.TempDir(), "home")
	}
	if o.Passphrase == "" {
		o.Passphrase = Passphrase(o.Name)
	}
	if o.WorkFactor == 0 {
		o.WorkFactor = WorkFactor
	}
	e, err := client.Enrol(context.Background(), &o)
	if err != nil {
		t.Fatalf("enrol %s: %v", o.Name, err)
	}
	return &Home{Path: o.Home, Passphrase: o.Passphrase, Enrolment: e}
}

// Open unlocks the home with options (nil for defaults) and closes it when
// the test ends.
func (h *Home) Open(t testing.TB, opt *client.Options) *client.Device {
	t.Helper()
	d, err := client.OpenHomeWith(context.Background(), h.Path, h.Passphrase, opt)
	if err != nil {
		t.Fatalf("open home %s: %v", h.Path, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TryPublish publishes one signed object and returns the relay's answer.
func (w *World) TryPublish(obj []byte) error {
	w.T.Helper()
	ctx := context.Background()
	c, err := relay.Dial(ctx, w.URL, nil)
	if err != nil {
		w.T.Fatalf("dial relay to publish: %v", err)
	}
	defer c.Close()
	_, err = c.Publish(ctx, obj)
	return err
}

// SendRaw sends an encoded envelope through the relay as from, a device of
// the scheme that is not a client home: how a test delivers what no honest
// client would send.
func (w *World) SendRaw(from *schemetest.Device, env []byte) {
	w.T.Helper()
	ctx := context.Background()
	c, err := relay.Dial(ctx, w.URL, nil)
	if err != nil {
		w.T.Fatalf("dial relay: %v", err)
	}
	defer c.Close()
	if _, err := c.Authenticate(ctx, from.Secrets.Device, from.Keys.Signing); err != nil {
		w.T.Fatalf("authenticate: %v", err)
	}
	if _, err := c.Send(ctx, env); err != nil {
		w.T.Fatalf("send: %v", err)
	}
}
