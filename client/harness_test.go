package client_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/enrolment"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/protocol/payload"
	"github.com/saferef/saferef/server"
	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/sqlite"
)

const testWorkFactor = 10

// world is a running relay with a test scheme.
type world struct {
	t          testing.TB
	scheme     *schemetest.Scheme
	schemeFile string
	url        string
	dir        string
	logSigner  note.Signer
	logKey     string
	dbPath     string
	stop       func() // shuts the running relay down (idempotent)
	// tweak, when set, adjusts the relay's configuration at the next start.
	tweak func(*server.Config)
	// wrap, when set, wraps the relay's store at the next start (a test's
	// faulty store).
	wrap func(store.Store) store.Store
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, scheme: schemetest.New(t, 1, 1), dir: t.TempDir()}
	b, err := w.scheme.Scheme.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	w.schemeFile = filepath.Join(w.dir, "scheme.json")
	if err := os.WriteFile(w.schemeFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	skey, _, err := translog.GenerateKey(rand.Reader, translog.Origin(w.scheme.Scheme))
	if err != nil {
		t.Fatal(err)
	}
	if w.logSigner, w.logKey, err = translog.ParseSignerKey(skey); err != nil {
		t.Fatal(err)
	}
	ln := listen(t)
	w.url = "ws://" + ln.Addr().String()
	w.dbPath = filepath.Join(w.dir, "relay.db")
	w.start(ln, w.dbPath)
	return w
}

// listen opens a loopback listener.
func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// start runs the relay of this world on ln, with the SQLite store at path
// and the world's log key.
func (w *world) start(ln net.Listener, path string) {
	w.t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		w.t.Fatal(err)
	}
	var rs store.Store = st
	if w.wrap != nil {
		rs = w.wrap(st)
	}
	cfg := server.Config{Scheme: w.scheme.Scheme, Store: rs, Origin: w.url,
		LogSigner: w.logSigner, LogVerifierKey: w.logKey, Logger: slog.New(slog.DiscardHandler)}
	if w.tweak != nil {
		w.tweak(&cfg)
	}
	srv, err := server.New(ctx, cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	var once gosync.Once
	w.stop = func() {
		once.Do(func() {
			hs.Close()
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			srv.Shutdown(sctx)
			st.Close()
		})
	}
	w.t.Cleanup(w.stop)
}

// restart stops the relay and starts it again at the same address on the
// SQLite store at path (the live one, a backup, or a tampered copy).
func (w *world) restart(path string) {
	w.t.Helper()
	w.stop()
	ln, err := net.Listen("tcp", strings.TrimPrefix(w.url, "ws://"))
	if err != nil {
		w.t.Fatalf("listen again: %v", err)
	}
	w.start(ln, path)
}

// publish publishes signed objects without authenticating, as the admin CLI does.
func (w *world) publish(objs ...[]byte) {
	w.t.Helper()
	ctx := context.Background()
	c, err := relay.Dial(ctx, w.url, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	defer c.Close()
	for _, o := range objs {
		if _, err := c.Publish(ctx, o); err != nil {
			w.t.Fatalf("publish: %v", err)
		}
	}
}

// org admits and publishes an organisation.
func (w *world) org(name string, kind crypto.OrgKind, districts ...string) *schemetest.Org {
	w.t.Helper()
	o := w.scheme.AddOrg(w.t, name, kind, districts...)
	w.publish(o.Raw)
	return o
}

// device enrols a device home for org, approves it with the org's admin key
// and publishes the certificate; it returns the unlocked device.
func (w *world) device(o *schemetest.Org, name string) *client.Device {
	w.t.Helper()
	return w.deviceWith(o, name, nil)
}

// deviceWith is device, opening the home with options (a clock, a
// publication bound).
func (w *world) deviceWith(o *schemetest.Org, name string, opt *client.Options) *client.Device {
	w.t.Helper()
	ctx := context.Background()
	home := filepath.Join(w.dir, "home-"+strings.ReplaceAll(strings.ToLower(name), " ", "-"))
	pass := "orbit lantern pebble " + name
	e, err := client.Enrol(ctx, &client.EnrolOptions{Home: home, SchemeFile: w.schemeFile, Relay: w.url,
		Org: o.ID, Name: name, Passphrase: pass, WorkFactor: testWorkFactor})
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
	cert, err := crypto.SignDeviceCert(req.DeviceCert(time.Now().Add(-time.Minute), 24*time.Hour), o.Admin)
	if err != nil {
		w.t.Fatal(err)
	}
	w.publish(cert)
	d, err := client.OpenHomeWith(ctx, home, pass, opt)
	if err != nil {
		w.t.Fatalf("open home: %v", err)
	}
	w.t.Cleanup(func() { d.Close() })
	return d
}

// newHousehold is the household details a test referral is opened with
// (the example household; a repeated reference is confirmed).
func newHousehold() client.ReferralOptions {
	return client.ReferralOptions{Household: payload.ExampleHouseholdDetails(), Again: true}
}

// testOffer is the example offer with no expiry date, so that sending it
// gives it the default expiry from the device's today.
func testOffer() *payload.Offer {
	o := payload.ExampleOffer()
	o.Expires = ""
	return o
}

// referredCase is where many client tests start: a refuge and a landlord
// (Weald Homes, Maidstone) with one device each, and a referral the
// refuge's caseworker has sent to Weald Homes (not yet synced there).
type referredCase struct {
	w                   *world
	refuge, weald       *schemetest.Org
	caseworker, officer *client.Device
	caseID              payload.ID
}

func newReferredCase(t testing.TB) *referredCase {
	t.Helper()
	w := newWorld(t)
	rc := &referredCase{w: w,
		refuge: w.org("Harbour Refuge", crypto.KindProvider),
		weald:  w.org("Weald Homes", crypto.KindLandlord, "Maidstone")}
	rc.caseworker = w.device(rc.refuge, "Refuge laptop")
	rc.officer = w.device(rc.weald, "Weald officer")
	id, err := rc.caseworker.SendReferral(context.Background(), []crypto.OrgID{rc.weald.ID}, referral(), newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	rc.caseID = id
	return rc
}
