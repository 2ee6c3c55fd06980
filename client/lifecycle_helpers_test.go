package client_test

import (
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/enrolment"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/sqlite"
)

// clock is a controllable device clock (client.Options.Now).
type clock struct {
	mu gosync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const days = 24 * time.Hour

// enrol enrols a device home for org on w's relay, with its own clock,
// approves it with admin (a certificate valid for 400 days, so that the
// clock may run months ahead) and publishes the certificate to w and to
// each relay in also. It returns the unlocked device and its home.
func (w *world) enrol(o *schemetest.Org, admin ed25519.PrivateKey, name string, clk *clock, also ...*world) (*client.Device, string) {
	w.t.Helper()
	ctx := context.Background()
	home := filepath.Join(w.dir, "home-"+strings.ReplaceAll(strings.ToLower(name), " ", "-"))
	pass := "orbit lantern pebble " + name
	e, err := client.Enrol(ctx, &client.EnrolOptions{Home: home, SchemeFile: w.schemeFile, Relay: w.url,
		Org: o.ID, Name: name, Passphrase: pass, WorkFactor: testWorkFactor, Now: clk.Now()})
	if err != nil {
		w.t.Fatalf("enrol: %v", err)
	}
	b, err := os.ReadFile(e.RequestPath)
	if err != nil {
		w.t.Fatal(err)
	}
	req, err := enrolment.Parse(b)
	if err != nil {
		w.t.Fatalf("parse own request: %v", err)
	}
	cert, err := crypto.SignDeviceCert(req.DeviceCert(time.Now().Add(-time.Minute), 400*days), admin)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, r := range append([]*world{w}, also...) {
		r.publish(cert)
	}
	d, err := client.OpenHomeWith(ctx, home, pass, &client.Options{Now: clk.Now})
	if err != nil {
		w.t.Fatalf("open home: %v", err)
	}
	w.t.Cleanup(func() { d.Close() })
	return d, home
}

// fork starts a second relay for w's scheme with the same log key (one
// dishonest relay showing two views), on its own store.
func (w *world) fork() *world {
	w.t.Helper()
	f := &world{t: w.t, scheme: w.scheme, schemeFile: w.schemeFile, dir: w.t.TempDir(), logSigner: w.logSigner, logKey: w.logKey}
	ln := listen(w.t)
	f.url = "ws://" + ln.Addr().String()
	f.dbPath = filepath.Join(f.dir, "relay.db")
	f.start(ln, f.dbPath)
	return f
}

// admitBoth admits an organisation and publishes it to every relay given.
func admitBoth(t testing.TB, s *schemetest.Scheme, name string, kind crypto.OrgKind, district string, relays ...*world) *schemetest.Org {
	t.Helper()
	var o *schemetest.Org
	if district != "" {
		o = s.AddOrg(t, name, kind, district)
	} else {
		o = s.AddOrg(t, name, kind)
	}
	for _, r := range relays {
		r.publish(o.Raw)
	}
	return o
}

// relayEnvelopes returns the envelopes w's relay holds for device (read
// from its store file, as someone with the relay's disk could).
func (w *world) relayEnvelopes(device crypto.DeviceID) []store.Envelope {
	w.t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, w.dbPath)
	if err != nil {
		w.t.Fatal(err)
	}
	defer st.Close()
	envs, err := st.Pending(ctx, device, 0, 100, time.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return envs
}

// inject stores a captured envelope in w's relay for device, as a relay
// forwarding it (or replaying it) would.
func (w *world) inject(e store.Envelope, device crypto.DeviceID) {
	w.t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, w.dbPath)
	if err != nil {
		w.t.Fatal(err)
	}
	defer st.Close()
	e.Seq = 0
	if err := st.PutEnvelope(ctx, e, [][16]byte{device}, store.Quota{MaxEnvelopes: 1000, MaxBytes: 1 << 30}); err != nil {
		w.t.Fatalf("inject envelope: %v", err)
	}
}

// sendRaw sends an encoded envelope through w's relay as a schemetest device.
func (w *world) sendRaw(from *schemetest.Device, env []byte) {
	w.t.Helper()
	ctx := context.Background()
	c, err := relay.Dial(ctx, w.url, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Authenticate(ctx, from.Secrets.Device, from.Keys.Signing); err != nil {
		w.t.Fatalf("authenticate: %v", err)
	}
	if _, err := c.Send(ctx, env); err != nil {
		w.t.Fatalf("send: %v", err)
	}
}
