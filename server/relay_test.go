package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/sqlite"
)

// testRelay is a real relay on a loopback port with a real SQLite store.
type testRelay struct {
	srv    *Server
	hs     *httptest.Server
	store  store.Store
	origin string
	url    string
	logs   *syncBuffer
	clock  *testClock
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startRelay(t *testing.T, sch *schemetest.Scheme, tweak func(*Config)) *testRelay {
	t.Helper()
	st := openTestStore(t)
	return startRelayOn(t, sch, st, tweak)
}

// openTestStore opens a SQLite store in a temporary directory, closed when
// the test ends.
func openTestStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "relay.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// startRelayOn starts a relay on an already open store, which the caller
// closes.
func startRelayOn(t *testing.T, sch *schemetest.Scheme, st store.Store, tweak func(*Config)) *testRelay {
	t.Helper()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &testRelay{store: st, logs: &syncBuffer{}, clock: &testClock{now: time.Now()}}
	r.origin = "ws://" + ln.Addr().String()
	r.url = r.origin + ConnectPath
	signer, vkey := testLogKey(t, sch.Scheme)
	cfg := Config{
		Scheme: sch.Scheme, Store: st, Origin: r.origin, Now: r.clock.Now,
		LogSigner: signer, LogVerifierKey: vkey,
		Logger: slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	r.srv, err = New(ctx, cfg)
	if err != nil {
		t.Fatalf("new relay: %v", err)
	}
	r.hs = httptest.NewUnstartedServer(r.srv.Handler())
	r.hs.Listener.Close()
	r.hs.Listener = ln
	r.hs.Start()
	t.Cleanup(func() {
		r.hs.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.srv.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return r
}

// publishAll publishes every object of the scheme not yet published.
func (r *testRelay) publish(t *testing.T, objs ...[]byte) {
	t.Helper()
	c := r.dial(t)
	defer c.close()
	for i, o := range objs {
		c.send(&protocol.Publish{ReqID: uint64(i + 1), Object: o})
		switch f := c.read().(type) {
		case *protocol.PublishOK:
			if f.ReqID != uint64(i+1) {
				t.Fatalf("PublishOK for request %d, want %d", f.ReqID, i+1)
			}
		default:
			t.Fatalf("publish object %d: got %T %+v", i, f, f)
		}
	}
}

// testClient speaks the wire protocol directly, frame by frame.
type testClient struct {
	t     *testing.T
	ws    *websocket.Conn
	hello *protocol.ServerHello
	// held keeps the deliveries sendEnvelope read while waiting for its
	// SendOK (a device's own copy can come first), for read to return.
	held []protocol.Frame
}

func (r *testRelay) dial(t *testing.T) *testClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(r.url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c := &testClient{t: t, ws: ws}
	h, ok := c.read().(*protocol.ServerHello)
	if !ok {
		t.Fatal("first frame is not ServerHello")
	}
	if h.Origin != r.origin {
		t.Fatalf("hello origin %q, want %q", h.Origin, r.origin)
	}
	c.hello = h
	return c
}

func (c *testClient) close() { c.ws.Close() }

// online connects device d, authenticates it and reads its (empty) backlog;
// the connection is closed when the test ends.
func (r *testRelay) online(t *testing.T, d *schemetest.Device) *testClient {
	t.Helper()
	c := r.dial(t)
	t.Cleanup(c.close)
	c.auth(r, d)
	c.expectDrained()
	return c
}

func (c *testClient) send(f protocol.Frame) {
	c.t.Helper()
	b, err := protocol.Encode(f)
	if err != nil {
		c.t.Fatalf("encode %T: %v", f, err)
	}
	c.sendRaw(b)
}

func (c *testClient) sendRaw(b []byte) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *testClient) tryRead() (protocol.Frame, error) {
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	return protocol.Decode(b)
}

// readNew reads the next frame from the socket, past any held.
func (c *testClient) readNew() protocol.Frame {
	c.t.Helper()
	f, err := c.tryRead()
	if err != nil {
		c.t.Fatalf("read frame: %v", err)
	}
	return f
}

func (c *testClient) read() protocol.Frame {
	c.t.Helper()
	if len(c.held) > 0 {
		f := c.held[0]
		c.held = c.held[1:]
		return f
	}
	f, err := c.tryRead()
	if err != nil {
		c.t.Fatalf("read frame: %v", err)
	}
	return f
}

// expectError reads until an Error frame and checks its code; if fatal, it
// also checks that the relay then closes the connection.
func (c *testClient) expectError(code string, fatal bool) *protocol.Error {
	c.t.Helper()
	for {
		f := c.read()
		e, ok := f.(*protocol.Error)
		if !ok {
			continue
		}
		if e.Code != code || e.Fatal != fatal {
			c.t.Fatalf("error %q (fatal %v: %s), want %q (fatal %v)", e.Code, e.Fatal, e.Message, code, fatal)
		}
		if fatal {
			if _, err := c.tryRead(); err == nil {
				c.t.Fatal("connection still open after a fatal error")
			}
		}
		return e
	}
}

func (c *testClient) authFrame(d *schemetest.Device, origin string, at time.Time) *protocol.Auth {
	msg := protocol.AuthMessage(c.hello.Nonce, origin, at.Unix(), [16]byte(d.Secrets.Device))
	return &protocol.Auth{Device: [16]byte(d.Secrets.Device), Time: at.Unix(), Sig: ed25519.Sign(d.Keys.Signing, msg)}
}

func (c *testClient) auth(r *testRelay, d *schemetest.Device) {
	c.t.Helper()
	c.send(c.authFrame(d, r.origin, r.clock.Now()))
	ok, isOK := c.read().(*protocol.AuthOK)
	if !isOK {
		c.t.Fatal("no AuthOK")
	}
	if ok.Device != [16]byte(d.Secrets.Device) || ok.Org != [16]byte(d.Org.ID) {
		c.t.Fatalf("AuthOK for %x/%x", ok.Device, ok.Org)
	}
}

// receive reads frames until n Deliver frames have arrived (skipping
// Drained), returning their envelopes.
func (c *testClient) receive(n int) []*crypto.Envelope {
	c.t.Helper()
	var out []*crypto.Envelope
	for len(out) < n {
		switch f := c.read().(type) {
		case *protocol.Deliver:
			e, err := crypto.ParseEnvelope(f.Envelope)
			if err != nil {
				c.t.Fatalf("parse delivered envelope: %v", err)
			}
			out = append(out, e)
		case *protocol.Drained:
		default:
			c.t.Fatalf("unexpected %T %+v while waiting for deliveries", f, f)
		}
	}
	return out
}

func (c *testClient) expectDrained() {
	c.t.Helper()
	if _, ok := c.read().(*protocol.Drained); !ok {
		c.t.Fatal("expected Drained")
	}
}

func (c *testClient) sendEnvelope(reqID uint64, e *crypto.Envelope) {
	c.t.Helper()
	b, err := e.Marshal()
	if err != nil {
		c.t.Fatal(err)
	}
	c.send(&protocol.Send{ReqID: reqID, Envelope: b})
	for {
		switch f := c.readNew().(type) {
		case *protocol.Deliver, *protocol.Drained:
			c.held = append(c.held, f) // mail for this device, not the answer
		case *protocol.SendOK:
			if f.ReqID != reqID || f.ID != [16]byte(e.ID) {
				c.t.Fatalf("SendOK for request %d envelope %x, want %d %v", f.ReqID, f.ID, reqID, e.ID)
			}
			return
		default:
			c.t.Fatalf("no SendOK for request %d: got %T %+v", reqID, f, f)
		}
	}
}

// kentScheme is a refuge and two landlords, each with devices.
type kentScheme struct {
	*schemetest.Scheme
	refuge, weald, medway *schemetest.Org
	refugeLaptop          *schemetest.Device
	wealdA, wealdB        *schemetest.Device
	medwayA               *schemetest.Device
}

func newKentScheme(t *testing.T) *kentScheme {
	s := &kentScheme{Scheme: schemetest.New(t, 1, 1)}
	s.refuge = s.AddOrg(t, "Harbour Refuge", crypto.KindProvider)
	s.weald = s.AddOrg(t, "Weald Homes", crypto.KindLandlord, "Maidstone", "Tonbridge and Malling", "Tunbridge Wells", "Sevenoaks")
	s.medway = s.AddOrg(t, "Medway Valley Housing", crypto.KindLandlord, "Medway", "Swale", "Gravesham", "Dartford")
	s.refugeLaptop = s.refuge.AddDevice(t, "Refuge caseworker laptop")
	s.wealdA = s.weald.AddDevice(t, "Weald liaison officer")
	s.wealdB = s.weald.AddDevice(t, "Weald housing officer")
	s.medwayA = s.medway.AddDevice(t, "Medway liaison officer")
	return s
}

func TestRelayStoresAndForwards(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	dir := s.Directory(t)

	// Weald's first device is online; the second is not.
	a := r.online(t, s.wealdA)

	sender := r.online(t, s.refugeLaptop)
	env := s.refugeLaptop.Seal(t, dir, s.weald.ID, "referral/v1", []byte("needs profile"))
	sender.sendEnvelope(1, env)

	got := a.receive(1)[0]
	opened, err := crypto.Open(got, s.wealdA.Secrets.Device, s.wealdA.Keys.Identities(), dir)
	if err != nil {
		t.Fatalf("open delivered envelope: %v", err)
	}
	if string(opened.Payload) != "needs profile" || opened.Sender.Device != s.refugeLaptop.Secrets.Device {
		t.Fatalf("opened %q from %v", opened.Payload, opened.Sender.Device)
	}
	a.send(&protocol.Ack{IDs: [][16]byte{[16]byte(env.ID)}})

	// The envelope stays until the offline device has it too.
	waitFor(t, "first ack recorded", func() bool {
		p, _ := r.store.Pending(context.Background(), [16]byte(s.wealdA.Secrets.Device), 0, 10, time.Now())
		return len(p) == 0
	})
	if st, _ := r.store.Stats(context.Background()); st.Envelopes != 1 {
		t.Fatalf("envelopes held after one of two acks = %d, want 1", st.Envelopes)
	}
	b := r.dial(t)
	defer b.close()
	b.auth(r, s.wealdB)
	if got := b.receive(1)[0]; got.ID != env.ID {
		t.Fatalf("offline device got %v, want %v", got.ID, env.ID)
	}
	b.expectDrained()
	b.send(&protocol.Ack{IDs: [][16]byte{[16]byte(env.ID)}})
	waitFor(t, "envelope deleted after every device acked", func() bool {
		st, _ := r.store.Stats(context.Background())
		return st.Envelopes == 0
	})
	// Another landlord's device never received it: Drained comes first.
	r.online(t, s.medwayA)
}

func TestRelayDeliversBacklogInOrder(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	sender := r.online(t, s.refugeLaptop)
	var want []crypto.EnvelopeID
	for i := range 70 { // more than one delivery batch
		env := s.refugeLaptop.Seal(t, dir, s.medway.ID, "case-message/v1", []byte{byte(i)})
		sender.sendEnvelope(uint64(i+1), env)
		want = append(want, env.ID)
	}
	m := r.dial(t)
	defer m.close()
	m.auth(r, s.medwayA)
	got := m.receive(len(want))
	for i := range want {
		if got[i].ID != want[i] {
			t.Fatalf("delivery %d is %v, want %v", i, got[i].ID, want[i])
		}
	}
	m.expectDrained()

	// Unacknowledged envelopes come again on the next connection.
	m.close()
	m2 := r.dial(t)
	defer m2.close()
	m2.auth(r, s.medwayA)
	if again := m2.receive(len(want)); again[0].ID != want[0] {
		t.Fatal("redelivery does not start from the oldest unacknowledged envelope")
	}
}

// TestRelayDoesNotRecordSender: an organisation's own copy of an
// envelope is pending for every current device of the organisation, the
// sender's included, so the store does not single out who sent it; the
// sender receives it like its colleagues (and acknowledges it at once).
func TestRelayDoesNotRecordSender(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	a := r.online(t, s.wealdA)
	env := s.wealdA.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("for my colleague"))
	a.sendEnvelope(1, env)
	for _, d := range []*schemetest.Device{s.wealdA, s.wealdB} {
		p, err := r.store.Pending(context.Background(), [16]byte(d.Secrets.Device), 0, 10, time.Now())
		if err != nil || len(p) != 1 || p[0].ID != [16]byte(env.ID) {
			t.Fatalf("%s: %d pending deliveries (%v); want the envelope pending for every device alike", d.Secrets.Name, len(p), err)
		}
	}
	b := r.dial(t)
	defer b.close()
	b.auth(r, s.wealdB)
	if got := b.receive(1)[0]; got.ID != env.ID {
		t.Fatal("colleague did not receive the organisation's copy")
	}
	if got := a.receive(1)[0]; got.ID != env.ID {
		t.Fatal("sender did not receive the organisation's copy")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	resp, err := http.Get(r.hs.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "ok" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	c := r.dial(t)
	c.sendRaw([]byte{0xff, 0x00})
	c.expectError(protocol.CodeMalformedFrame, true)
	metrics := r.scrape(t)
	for _, want := range []string{
		"saferef_relay_connections_total 2",
		`saferef_relay_rejected_total{reason="malformed-frame"} 1`,
		"saferef_relay_directory_published_total 7",
		"saferef_relay_envelopes_held 0",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q:\n%s", want, metrics)
		}
	}
}

func (r *testRelay) scrape(t *testing.T) string {
	t.Helper()
	// Metrics are on the admin handler only (TestPublicPortServesOnlyConnectAndHealthz).
	rec := httptest.NewRecorder()
	r.srv.AdminHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("admin /metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

func TestRelayExpiresUndelivered(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, func(c *Config) { c.MailboxTTL = time.Hour })
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	c := r.online(t, s.refugeLaptop)
	c.sendEnvelope(1, s.refugeLaptop.Seal(t, dir, s.medway.ID, "case-message/v1", []byte("x")))
	r.clock.Advance(2 * time.Hour)
	r.srv.expireNow(context.Background())
	if st, _ := r.store.Stats(context.Background()); st.Envelopes != 0 {
		t.Fatalf("%d envelopes held after the TTL", st.Envelopes)
	}
	if m := r.scrape(t); !strings.Contains(m, "saferef_relay_envelopes_expired_total 1") {
		t.Fatalf("expiry not counted:\n%s", m)
	}
}

func TestRelayLogsNoClientIP(t *testing.T) {
	for _, logIP := range []bool{false, true} {
		s := newKentScheme(t)
		r := startRelay(t, s.Scheme, func(c *Config) { c.LogIP = logIP })
		r.publish(t, s.Objects...)
		c := r.dial(t)
		c.auth(r, s.wealdA)
		c.expectDrained()
		c.close()
		waitFor(t, "close logged", func() bool { return strings.Contains(r.logs.String(), "connection closed") })
		if got := strings.Contains(r.logs.String(), "127.0.0.1"); got != logIP {
			t.Errorf("LogIP=%v: logs contain the client address = %v:\n%s", logIP, got, r.logs.String())
		}
	}
}

func TestRelayRefusesUnverifiedCertificates(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	// A device certificate before its organisation, and an organisation
	// signed by a root outside the scheme.
	other := schemetest.New(t, 1, 1)
	rogue := other.AddOrg(t, "Rogue Homes", crypto.KindLandlord, "Medway")
	c := r.dial(t)
	defer c.close()
	c.send(&protocol.Publish{ReqID: 7, Object: s.refugeLaptop.Raw})
	if e := c.expectError(protocol.CodeBadCertificate, false); e.ReqID != 7 {
		t.Fatalf("error for request %d, want 7", e.ReqID)
	}
	c.send(&protocol.Publish{ReqID: 8, Object: rogue.Raw})
	c.expectError(protocol.CodeBadCertificate, false)
	c.send(&protocol.Publish{ReqID: 9, Object: []byte("not a certificate")})
	c.expectError(protocol.CodeBadCertificate, false)
	if n, _ := r.store.DirectorySize(context.Background()); n != 0 {
		t.Fatalf("directory holds %d entries after only bad publishes", n)
	}
}
