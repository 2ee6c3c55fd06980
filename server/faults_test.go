package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/sqlite"
)

// faultyStore is a real SQLite store that a test can break: failing makes
// every call fail as an unreachable database would; blockDirectory makes
// directory reads wait until their context ends; cannotWrite fails the
// write probe as a full disk would.
type faultyStore struct {
	store.Store
	failing        atomic.Bool
	blockDirectory atomic.Bool
	cannotWrite    atomic.Bool
}

var errDown = errors.New("connection refused (database restarting)")

func (f *faultyStore) PutEnvelope(ctx context.Context, e store.Envelope, devices [][16]byte, q store.Quota, stored func()) error {
	if f.failing.Load() {
		return errDown
	}
	return f.Store.PutEnvelope(ctx, e, devices, q, stored)
}

func (f *faultyStore) Directory(ctx context.Context, since uint64, limit int) ([]store.DirectoryEntry, error) {
	if f.blockDirectory.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if f.failing.Load() {
		return nil, errDown
	}
	return f.Store.Directory(ctx, since, limit)
}

func (f *faultyStore) ProbeWrite(ctx context.Context) error {
	if f.cannotWrite.Load() {
		return errors.New("disk I/O error: database or disk is full")
	}
	return f.Store.(store.WriteProber).ProbeWrite(ctx)
}

func startFaultyRelay(t *testing.T, s *kentScheme, tweak func(*Config)) (*testRelay, *faultyStore) {
	t.Helper()
	st := openTestStore(t)
	f := &faultyStore{Store: st}
	return startRelayOn(t, s.Scheme, f, tweak), f
}

// TestRelayKeepAliveAfterAuth (issue 12, item 11): once a device has
// authenticated, its connection lives by the keep-alive deadline, not the
// short pre-authentication one: an idle device answering pings stays
// connected well past AuthTimeout.
func TestRelayKeepAliveAfterAuth(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, func(c *Config) {
		c.AuthTimeout = 300 * time.Millisecond
		c.PongTimeout = 1200 * time.Millisecond
	})
	r.publish(t, s.Objects...)
	c := r.dial(t)
	defer c.close()
	c.auth(r, s.wealdA)
	c.expectDrained()
	// Read (answering pings) for well over AuthTimeout: the only way this
	// read may end is our own deadline, not the relay closing.
	c.ws.SetReadDeadline(time.Now().Add(1500 * time.Millisecond))
	_, _, err := c.ws.ReadMessage()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("idle authenticated connection ended with %v; want it kept alive", err)
	}
}

// TestRelayLimitsUnauthenticatedConnections (item 12): at most
// MaxPreAuthConns unauthenticated connections are open at once; the next
// is refused before the upgrade, and counted.
func TestRelayLimitsUnauthenticatedConnections(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, func(c *Config) { c.MaxPreAuthConns = 2 })
	r.publish(t, s.Objects...)
	waitFor(t, "the publishing connection gone", func() bool {
		return strings.Contains(r.scrape(t), "saferef_relay_preauth_connections 0")
	})
	a := r.dial(t)
	defer a.close()
	b := r.dial(t)
	defer b.close()
	_, resp, err := websocket.DefaultDialer.Dial(r.url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("third unauthenticated connection: %v (%v), want HTTP 503", err, resp)
	}
	// Authenticating frees a place.
	a.auth(r, s.wealdA)
	a.expectDrained()
	waitFor(t, "a place freed", func() bool {
		return strings.Contains(r.scrape(t), "saferef_relay_preauth_connections 1")
	})
	c := r.dial(t)
	defer c.close()
	if m := r.scrape(t); !strings.Contains(m, `saferef_relay_preauth_refused_total{limit="connections"} 1`) {
		t.Fatalf("refusal not counted:\n%s", m)
	}
}

// TestRelayLimitsBytesBeforeAuth (item 12): a frame before authentication
// is at most PreAuthFrameSize, and all unauthenticated connections together
// may be reading at most PreAuthBytes: one client trickling a large frame
// leaves no room for another's, which is refused, not buffered.
func TestRelayLimitsBytesBeforeAuth(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, func(c *Config) { c.PreAuthBytes = protocol.MaxPreAuthFrameSize })
	r.publish(t, s.Objects...)

	big := r.dial(t)
	defer big.close()
	big.sendRaw(make([]byte, protocol.MaxPreAuthFrameSize+10))
	big.expectError(protocol.CodeFrameTooLarge, true)

	slow := r.dial(t)
	defer slow.close()
	w, err := slow.ws.NextWriter(websocket.BinaryMessage)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 32<<10)); err != nil { // flushed as fragments, the frame left open
		t.Fatal(err)
	}
	waitFor(t, "the slow frame's bytes reserved", func() bool {
		return strings.Contains(r.scrape(t), "saferef_relay_preauth_bytes 69632")
	})
	other := r.dial(t)
	defer other.close()
	other.send(&protocol.DirectoryGet{ReqID: 1})
	other.expectError(protocol.CodeRateLimited, true)
	if m := r.scrape(t); !strings.Contains(m, `saferef_relay_preauth_refused_total{limit="bytes"} 1`) {
		t.Fatalf("refusal not counted:\n%s", m)
	}
}

// TestRelayClientLeavingIsNotAnError (item 13): a pre-auth client that asks
// for the directory and disconnects before the answer makes no ERROR log
// line and no rejected_total{reason="internal"}.
func TestRelayClientLeavingIsNotAnError(t *testing.T) {
	s := newKentScheme(t)
	r, f := startFaultyRelay(t, s, func(c *Config) { c.PongTimeout = 200 * time.Millisecond })
	r.publish(t, s.Objects...)
	f.blockDirectory.Store(true)
	c := r.dial(t)
	c.send(&protocol.DirectoryGet{ReqID: 1})
	c.close()
	waitFor(t, "the connection gone", func() bool {
		return strings.Contains(r.scrape(t), "saferef_relay_connections 0")
	})
	f.blockDirectory.Store(false)
	if logs := r.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Fatalf("a client leaving was logged as an error:\n%s", logs)
	}
	for _, code := range []string{protocol.CodeInternal, protocol.CodeUnavailable} {
		if m := r.scrape(t); strings.Contains(m, `saferef_relay_rejected_total{reason="`+code+`"}`) ||
			strings.Contains(m, `saferef_relay_connections_dropped_total{reason="`+code+`"} 1`) {
			t.Fatalf("a client leaving was counted as %s:\n%s", code, m)
		}
	}
}

// TestRelayStoreUnavailableIsRetryable (item 8): while the store cannot be
// reached, a Send is answered with the one retryable code unavailable (not
// fatal, nothing stored), and the same envelope is stored once it is back.
func TestRelayStoreUnavailableIsRetryable(t *testing.T) {
	s := newKentScheme(t)
	r, f := startFaultyRelay(t, s, nil)
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	c := r.online(t, s.refugeLaptop)
	env := s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("1"))
	b, _ := env.Marshal()
	f.failing.Store(true)
	c.send(&protocol.Send{ReqID: 1, Envelope: b})
	e := c.expectError(protocol.CodeUnavailable, false)
	if e.ReqID != 1 || strings.Contains(e.Message, "refused") {
		t.Fatalf("unavailable answer %+v", e)
	}
	c.send(&protocol.DirectoryGet{ReqID: 2})
	c.expectError(protocol.CodeUnavailable, false)
	f.failing.Store(false)
	c.sendEnvelope(3, env)
	if m := r.scrape(t); !strings.Contains(m, "saferef_relay_store_unavailable_total 2") {
		t.Fatalf("unavailability not counted:\n%s", m)
	}
}

// TestHealthzReportsStoreCannotWrite (item 9): /healthz says unhealthy
// while the store's write probe fails, and ok again once it passes.
func TestHealthzReportsStoreCannotWrite(t *testing.T) {
	s := newKentScheme(t)
	r, f := startFaultyRelay(t, s, nil)
	health := func() (int, string) {
		resp, err := http.Get(r.hs.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	if code, body := health(); code != 200 {
		t.Fatalf("healthy relay: %d %q", code, body)
	}
	f.cannotWrite.Store(true)
	r.srv.probeNow(context.Background())
	if code, body := health(); code != http.StatusServiceUnavailable || body != "store cannot write" {
		t.Fatalf("relay that cannot write: %d %q", code, body)
	}
	f.cannotWrite.Store(false)
	r.srv.probeNow(context.Background())
	if code, body := health(); code != 200 {
		t.Fatalf("recovered relay: %d %q", code, body)
	}
}

// TestRelayRefusesRolledBackStore (item 2): a relay keeps the last
// checkpoint it signed beside its key and refuses to start on an empty or
// older store (ErrStoreRolledBack) unless AcceptEmptyStore.
func TestRelayRefusesRolledBackStore(t *testing.T) {
	s := newKentScheme(t)
	dir := t.TempDir()
	cpFile := filepath.Join(dir, "log-signing.key.checkpoint")
	signer, vkey := testLogKey(t, s.Scheme.Scheme)
	open := func(name string) store.Store {
		st, err := sqlite.Open(context.Background(), filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	cfg := func(st store.Store) Config {
		return Config{Scheme: s.Scheme.Scheme, Store: st, Origin: "ws://127.0.0.1:1", LogSigner: signer, LogVerifierKey: vkey,
			CheckpointFile: cpFile, Logger: slog.New(slog.DiscardHandler)}
	}
	full := open("relay.db")
	r := startRelayOn(t, s.Scheme, full, func(c *Config) { c.CheckpointFile = cpFile; c.LogSigner, c.LogVerifierKey = signer, vkey })
	r.publish(t, s.Objects...)
	if _, err := os.Stat(cpFile); err != nil {
		t.Fatalf("no checkpoint kept beside the key: %v", err)
	}

	empty := open("empty.db")
	_, err := New(context.Background(), cfg(empty))
	if !errors.Is(err, ErrStoreRolledBack) || !strings.Contains(err.Error(), "holds 0 directory entries") {
		t.Fatalf("relay started on an empty store: %v", err)
	}
	// The evidence survives the refused start.
	_, err = New(context.Background(), cfg(empty))
	if !errors.Is(err, ErrStoreRolledBack) {
		t.Fatalf("second start on the empty store: %v", err)
	}
	accept := cfg(empty)
	accept.AcceptEmptyStore = true
	srv, err := New(context.Background(), accept)
	if err != nil {
		t.Fatalf("--accept-empty-store: %v", err)
	}
	srv.Shutdown(context.Background())
}

// TestRelayOversizedEnvelopeAnswered (item 14): a Send whose envelope is
// over MaxEnvelopeSize but fits in a frame is answered envelope-too-large,
// not fatal, as SPEC.md says; and a frame the relay cannot read is
// explained without Go type names.
func TestRelayOversizedEnvelopeAnswered(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	c := r.online(t, s.refugeLaptop)
	c.send(&protocol.Send{ReqID: 7, Envelope: make([]byte, protocol.MaxEnvelopeSize+1)})
	if e := c.expectError(protocol.CodeEnvelopeTooLarge, false); e.ReqID != 7 {
		t.Fatalf("envelope-too-large answers request %d", e.ReqID)
	}
	// A Send whose envelope is a text string, not bytes.
	bad := []byte{0xa3, 0x61, 'b', 0xa2, 0x61, 'e', 0x61, 'x', 0x61, 'r', 0x01, 0x61, 't', 0x10, 0x61, 'v', 0x01}
	c.sendRaw(bad)
	e := c.expectError(protocol.CodeMalformedFrame, true)
	for _, leak := range []string{"Go ", "protocol.", "[]uint8", "cbor:", "struct"} {
		if strings.Contains(e.Message, leak) {
			t.Fatalf("error message %q names Go internals (%q)", e.Message, leak)
		}
	}
}

// TestRelayRateLimitCreditsBacklog (item 3): a device that drains a backlog
// larger than its send burst can still send one receipt per envelope it
// acknowledged: the rate limit cannot lock it out of its own backlog. Acks
// for envelopes never delivered earn nothing.
func TestRelayRateLimitCreditsBacklog(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, func(c *Config) { c.SendBurst = 2; c.SendRate = 0.001 })
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	const backlog = 6 // two from each of three devices: each has a burst of 2
	for _, d := range []*schemetest.Device{s.wealdB, s.refugeLaptop, s.medwayA} {
		sender := r.online(t, d)
		for i := range 2 {
			sender.sendEnvelope(uint64(i+1), d.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("m")))
		}
	}
	c := r.dial(t)
	defer c.close()
	c.auth(r, s.wealdA)
	var ids [][16]byte
	for _, e := range c.receive(backlog) {
		ids = append(ids, [16]byte(e.ID))
	}
	c.send(&protocol.Ack{IDs: append(ids, [16]byte{1}, [16]byte{2})})
	// The burst of 2 plus one credit per delivered envelope: 8 sends, no more.
	for i := range backlog + 2 {
		c.sendEnvelope(uint64(100+i), s.wealdA.Seal(t, dir, s.refuge.ID, "delivery-receipt/v1", []byte("r")))
	}
	b, _ := s.wealdA.Seal(t, dir, s.refuge.ID, "delivery-receipt/v1", []byte("r")).Marshal()
	c.send(&protocol.Send{ReqID: 200, Envelope: b})
	c.expectError(protocol.CodeRateLimited, false)
}

// TestCloseCodesAsSpecified (item 14): the close code after each fatal
// Error frame is the one protocol/SPEC.md section 9 gives.
func TestCloseCodesAsSpecified(t *testing.T) {
	for code, want := range map[string]int{
		protocol.CodeRateLimited:    websocket.CloseNormalClosure,
		protocol.CodeUnavailable:    websocket.CloseTryAgainLater,
		protocol.CodeInternal:       websocket.CloseInternalServerErr,
		protocol.CodeAuthReplayed:   websocket.ClosePolicyViolation,
		protocol.CodeMalformedFrame: websocket.CloseProtocolError,
		protocol.CodeFrameTooLarge:  websocket.CloseMessageTooBig,
	} {
		if got := closeCodeFor(code); got != want {
			t.Errorf("%s closes with %d, SPEC.md says %d", code, got, want)
		}
	}
}

// TestOwnCopyEarnsNoSendCredit: a device's own copy of what it sends to
// its own organisation comes back to it (so that the store does not record
// the sender), and acknowledging that copy must not refill its send budget:
// otherwise every send to its own organisation would pay for itself and the
// rate limit would hold nobody.
func TestOwnCopyEarnsNoSendCredit(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, func(c *Config) { c.SendBurst = 2; c.SendRate = 0.001 })
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	c := r.dial(t)
	defer c.close()
	c.auth(r, s.wealdA)
	// sendOwn sends one envelope to the device's own organisation and
	// waits for both the SendOK and the copy delivered back.
	sendOwn := func(reqID uint64) [16]byte {
		e := s.wealdA.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("m"))
		b, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		c.send(&protocol.Send{ReqID: reqID, Envelope: b})
		stored, delivered := false, false
		for !stored || !delivered {
			switch f := c.read().(type) {
			case *protocol.SendOK:
				stored = f.ReqID == reqID
			case *protocol.Deliver:
				d, err := crypto.ParseEnvelope(f.Envelope)
				if err != nil {
					t.Fatal(err)
				}
				delivered = delivered || d.ID == e.ID
			case *protocol.Drained:
			default:
				t.Fatalf("sending to its own organisation: unexpected %T %+v", f, f)
			}
		}
		return [16]byte(e.ID)
	}
	ids := [][16]byte{sendOwn(1), sendOwn(2)} // the whole burst
	c.send(&protocol.Ack{IDs: ids})
	b, _ := s.wealdA.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("m")).Marshal()
	c.send(&protocol.Send{ReqID: 3, Envelope: b})
	c.expectError(protocol.CodeRateLimited, false)
}

// syncingStore is a real SQLite store whose puts, once committed (stored
// called), wait at gate before returning, as a put waits for its disk sync.
type syncingStore struct {
	store.Store
	gate chan struct{}
}

func (s *syncingStore) PutEnvelope(ctx context.Context, e store.Envelope, devices [][16]byte, q store.Quota, stored func()) error {
	committed := false
	err := s.Store.PutEnvelope(ctx, e, devices, q, func() {
		committed = true
		if stored != nil {
			stored()
		}
	})
	if committed {
		<-s.gate
	}
	return err
}

// TestDeliveredWhileSyncingSendOKAfter: a recipient online gets an envelope
// as soon as the store has committed it, while its sync is in flight; the
// sender's SendOK waits for the sync. The recipient's Ack in that window is
// applied (the envelope is gone once everyone has acked), not lost.
func TestDeliveredWhileSyncingSendOKAfter(t *testing.T) {
	s := newKentScheme(t)
	st := openTestStore(t)
	ss := &syncingStore{Store: st, gate: make(chan struct{})}
	r := startRelayOn(t, s.Scheme, ss, nil)
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	a, b := r.online(t, s.wealdA), r.online(t, s.wealdB)
	sender := r.online(t, s.refugeLaptop)
	env := s.refugeLaptop.Seal(t, dir, s.weald.ID, "referral/v1", []byte("needs profile"))
	raw, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sender.send(&protocol.Send{ReqID: 1, Envelope: raw})
	for _, c := range []*testClient{a, b} {
		if got := c.receive(1)[0]; got.ID != env.ID {
			t.Fatalf("delivered %v, want %v", got.ID, env.ID)
		}
		c.send(&protocol.Ack{IDs: [][16]byte{[16]byte(env.ID)}})
	}
	answer := make(chan protocol.Frame, 1)
	go func() {
		f, _ := sender.tryRead()
		answer <- f
	}()
	select {
	case f := <-answer:
		t.Fatalf("sender got %T %+v before the envelope was synced", f, f)
	case <-time.After(300 * time.Millisecond):
	}
	close(ss.gate)
	if ok, _ := (<-answer).(*protocol.SendOK); ok == nil || ok.ReqID != 1 || ok.ID != [16]byte(env.ID) {
		t.Fatal("no SendOK after the sync")
	}
	waitFor(t, "envelope deleted after both devices acked during its sync", func() bool {
		st, _ := r.store.Stats(context.Background())
		return st.Envelopes == 0
	})
}

// TestDuplicateIDNeverHandedOver: an enrolled device at another
// organisation that has seen an envelope's id sends its own envelope under
// that id while the first is still held. The relay refuses it as a
// duplicate and hands nothing to the online recipients: handing over
// before the store's checks would let it reach them first, and devices
// drop the second envelope with an id, the genuine one.
func TestDuplicateIDNeverHandedOver(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	recipient := r.online(t, s.wealdA)
	genuine := s.refugeLaptop.Seal(t, dir, s.weald.ID, "referral/v1", []byte("needs profile"))
	r.online(t, s.refugeLaptop).sendEnvelope(1, genuine)
	if got := recipient.receive(1)[0]; got.ID != genuine.ID {
		t.Fatalf("delivered %v, want %v", got.ID, genuine.ID)
	}
	// Acknowledged by this device (so its connection would take the id
	// again) but still held for its colleague, who is offline.
	recipient.send(&protocol.Ack{IDs: [][16]byte{[16]byte(genuine.ID)}})
	waitFor(t, "acknowledgement applied", func() bool {
		p, _ := r.store.Pending(context.Background(), [16]byte(s.wealdA.Secrets.Device), 0, 10, time.Now())
		return len(p) == 0
	})
	forged := s.medwayA.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("ignore the referral"))
	forged.ID = genuine.ID
	raw, err := forged.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	attacker := r.online(t, s.medwayA)
	attacker.send(&protocol.Send{ReqID: 2, Envelope: raw})
	attacker.expectError(protocol.CodeDuplicateEnvelope, false)

	got := make(chan protocol.Frame, 1)
	go func() {
		f, _ := recipient.tryRead()
		got <- f
	}()
	select {
	case f := <-got:
		t.Fatalf("the recipient was handed %T %+v for a refused duplicate", f, f)
	case <-time.After(300 * time.Millisecond):
	}
}
