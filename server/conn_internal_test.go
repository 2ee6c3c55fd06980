package server

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/server/store"
)

// TestAuthOKBeforeDrainedWhenBothReady holds each connection's writer until
// AuthOK is queued and deliveries (a backlog, then Drained) are due at the
// same moment, the race once seen about once in 40,000 handshakes, and
// checks that the device always reads AuthOK first, then its backlog, then
// Drained.
func TestAuthOKBeforeDrainedWhenBothReady(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	sender := r.online(t, s.refugeLaptop)
	env := s.refugeLaptop.Seal(t, dir, s.medway.ID, "case-message/v1", []byte("waiting"))
	sender.sendEnvelope(1, env)

	var held atomic.Int32
	r.srv.setTestBeforeWork(func(c *conn) {
		// Authentication queues AuthOK and starts deliveries in one step;
		// hold the writer there a moment, with a backlog waiting too.
		c.mu.Lock()
		ready := c.delivering && len(c.outbox) > 0 && !c.drained
		c.mu.Unlock()
		if ready {
			held.Add(1)
			time.Sleep(5 * time.Millisecond)
		}
	})
	for i := range 20 {
		m := r.dial(t)
		m.send(m.authFrame(s.medwayA, r.origin, r.clock.Now()))
		if f, ok := m.read().(*protocol.AuthOK); !ok {
			t.Fatalf("round %d: first frame after Auth is %T, want AuthOK", i, f)
		}
		if got := m.receive(1)[0]; got.ID != env.ID {
			t.Fatalf("round %d: delivered %v, want %v", i, got.ID, env.ID)
		}
		m.expectDrained()
		m.close()
	}
	if held.Load() == 0 {
		t.Fatal("the writer was never held with AuthOK and deliveries both ready")
	}
}

// TestDeliveredFromMemory: an envelope stored for a connected device reaches
// it without the writer reading the store again, and one handed over twice
// (from memory, then by a read of the store before its acknowledgement was
// applied) is sent once.
func TestDeliveredFromMemory(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	m := r.online(t, s.medwayA)
	sender := r.online(t, s.refugeLaptop)

	var reads atomic.Int32
	var mc *conn
	r.srv.mu.Lock()
	for c := range r.srv.byOrg[s.medway.ID] {
		mc = c
	}
	r.srv.mu.Unlock()
	r.srv.setTestBeforeWork(func(c *conn) {
		if c == mc {
			c.mu.Lock()
			if c.catchUp {
				reads.Add(1)
			}
			c.mu.Unlock()
		}
	})
	env := s.refugeLaptop.Seal(t, dir, s.medway.ID, "case-message/v1", []byte("live"))
	sender.sendEnvelope(1, env)
	if got := m.receive(1)[0]; got.ID != env.ID {
		t.Fatalf("delivered %v, want %v", got.ID, env.ID)
	}
	if n := reads.Load(); n != 0 {
		t.Fatalf("the writer read the store %d times for a live delivery", n)
	}
	// A wake-up (as from another node) reads the store, which still holds
	// the unacknowledged envelope: it is not sent again.
	mc.wake()
	second := s.refugeLaptop.Seal(t, dir, s.medway.ID, "case-message/v1", []byte("next"))
	sender.sendEnvelope(2, second)
	if got := m.receive(1)[0]; got.ID != second.ID {
		t.Fatalf("after a store read, delivered %v, want the next envelope %v", got.ID, second.ID)
	}
	if p, err := r.store.Pending(context.Background(), [16]byte(s.medwayA.Secrets.Device), 0, 10, time.Now()); err != nil || len(p) != 2 {
		t.Fatalf("pending = %d, %v; want both envelopes still pending", len(p), err)
	}
}

func (s *Server) setTestBeforeWork(h func(c *conn)) { s.testBeforeWork.Store(&h) }

// TestNothingWrittenAfterFatalError: a fatal error that comes while the
// writer is reading the device's backlog from the store (as a second Auth
// can) is the last frame the device reads: the writer does not go on to
// deliver the backlog or write Drained after it.
func TestNothingWrittenAfterFatalError(t *testing.T) {
	s := newKentScheme(t)
	var failed atomic.Bool
	readBacklog := make(chan struct{})
	r, _ := startRelayWithBacklog(t, s, func(ctx context.Context, envs []store.Envelope) []store.Envelope {
		// The backlog has been read; a second Auth arrives now, and the
		// reader answers it with a fatal error before the writer goes on.
		failed.Store(true)
		close(readBacklog)
		select {
		case <-ctx.Done(): // the connection is closing
		case <-time.After(10 * time.Second):
		}
		return envs
	})

	m := r.dial(t)
	m.send(m.authFrame(s.medwayA, r.origin, r.clock.Now()))
	select {
	case <-readBacklog:
	case <-time.After(10 * time.Second):
		t.Fatal("the relay never read the device's backlog")
	}
	m.send(m.authFrame(s.medwayA, r.origin, r.clock.Now()))
	for {
		f, err := m.tryRead()
		if err != nil {
			t.Fatalf("connection ended without the fatal Error: %v", err)
		}
		if e, ok := f.(*protocol.Error); ok {
			if !e.Fatal || e.Code != protocol.CodeAuthReplayed {
				t.Fatalf("error %#v, want the fatal %s", e, protocol.CodeAuthReplayed)
			}
			break
		}
	}
	if f, err := m.tryRead(); err == nil {
		t.Fatalf("read a %T after the fatal Error", f)
	}
	if !failed.Load() {
		t.Fatal("the second Auth was never sent while the backlog was read")
	}
}

// pendingHook is a store whose Pending passes what it read through after.
type pendingHook struct {
	store.Store
	after func(ctx context.Context, device [16]byte, envs []store.Envelope) []store.Envelope
}

func (p *pendingHook) Pending(ctx context.Context, device [16]byte, after uint64, limit int, now time.Time) ([]store.Envelope, error) {
	envs, err := p.Store.Pending(ctx, device, after, limit, now)
	if err != nil {
		return nil, err
	}
	return p.after(ctx, device, envs), nil
}

// startRelayWithBacklog starts a relay on which the refuge has sent the
// medway organisation one envelope (returned), and whose store passes the
// first read of medwayA's backlog through after, in the writer that reads
// it.
func startRelayWithBacklog(t *testing.T, s *kentScheme, after func(ctx context.Context, envs []store.Envelope) []store.Envelope) (*testRelay, *crypto.Envelope) {
	t.Helper()
	target := [16]byte(s.medwayA.Secrets.Device)
	var once atomic.Bool
	hooked := &pendingHook{Store: openTestStore(t), after: func(ctx context.Context, device [16]byte, envs []store.Envelope) []store.Envelope {
		if device != target || len(envs) == 0 || !once.CompareAndSwap(false, true) {
			return envs
		}
		return after(ctx, envs)
	}}
	r := startRelayOn(t, s.Scheme, hooked, nil)
	r.publish(t, s.Objects...)
	sender := r.online(t, s.refugeLaptop)
	env := s.refugeLaptop.Seal(t, s.Directory(t), s.medway.ID, "case-message/v1", []byte("waiting"))
	sender.sendEnvelope(1, env)
	return r, env
}

// TestUndeliverableBodySkipped: an envelope the store returns that no
// Deliver frame can carry (empty, or over the size limit: a damaged or
// foreign store) is skipped and logged; the device gets the rest of its
// backlog and Drained on a connection that stays open, rather than a frame
// it would refuse (and drop the connection for) on every reconnect.
func TestUndeliverableBodySkipped(t *testing.T) {
	s := newKentScheme(t)
	var added atomic.Bool
	r, env := startRelayWithBacklog(t, s, func(_ context.Context, envs []store.Envelope) []store.Envelope {
		added.Store(true)
		bad := []store.Envelope{
			{ID: [16]byte{0xe0}, Seq: envs[0].Seq, Body: nil},
			{ID: [16]byte{0xe1}, Seq: envs[0].Seq, Body: make([]byte, protocol.MaxEnvelopeSize+1)},
		}
		return append(bad, envs...)
	})

	m := r.dial(t)
	m.auth(r, s.medwayA)
	if got := m.receive(1)[0]; got.ID != env.ID {
		t.Fatalf("delivered %v, want %v", got.ID, env.ID)
	}
	m.expectDrained()
	if !added.Load() {
		t.Fatal("the store never returned the undeliverable envelopes")
	}
	if logs := r.logs.String(); !strings.Contains(logs, "skip an envelope no Deliver frame can carry") || !strings.Contains(logs, "e1000000") {
		t.Fatalf("no log line for the skipped envelopes:\n%s", logs)
	}
}

// TestReplayGuardForgetsOnlyExpired: a signature is refused while inside the
// window and forgotten after it, oldest first, with no scan of the others.
func TestReplayGuardForgetsOnlyExpired(t *testing.T) {
	var g replayGuard
	start := time.Unix(1_800_000_000, 0)
	const window = 4 * time.Minute
	for i := range 200 {
		sig := []byte{byte(i), byte(i >> 8)}
		if !g.accept(sig, start.Add(time.Duration(i)*time.Second), window) {
			t.Fatalf("signature %d refused the first time", i)
		}
	}
	later := start.Add(199*time.Second + window)
	if g.accept([]byte{5, 0}, later, window) != true {
		t.Fatal("a signature accepted more than the window ago is still refused")
	}
	if g.accept([]byte{199, 0}, later, window) {
		t.Fatal("a signature accepted inside the window was accepted again")
	}
	if !g.seen([]byte{199, 0}) || g.seen([]byte{0, 0}) || g.seen([]byte{150, 0}) {
		t.Fatal("seen disagrees with the window")
	}
	if n := len(g.order) - g.head; n != len(g.accepted) {
		t.Fatalf("FIFO holds %d live entries, map %d", n, len(g.accepted))
	}
}

// TestMailboxDevicesFollowDirectory: the cached list of a mailbox's devices
// changes as soon as the directory does, so an envelope sent after a
// revocation is not pending for the revoked device.
func TestMailboxDevicesFollowDirectory(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	sender := r.online(t, s.refugeLaptop)
	first := s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("before"))
	sender.sendEnvelope(1, first)
	r.publish(t, s.wealdB.Revoke(t, r.clock.Now(), "laptop lost"))
	second := s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("after"))
	sender.sendEnvelope(2, second)
	for _, d := range []struct {
		dev  [16]byte
		want int
	}{{[16]byte(s.wealdA.Secrets.Device), 2}, {[16]byte(s.wealdB.Secrets.Device), 0}} {
		p, err := r.store.Pending(context.Background(), d.dev, 0, 10, r.clock.Now())
		if err != nil || len(p) != d.want {
			t.Fatalf("device %x has %d pending (%v), want %d", d.dev, len(p), err, d.want)
		}
	}
}

// TestSharedReadBuffersKeepFramesApart: every connection's frames are read
// into buffers the relay reuses across connections. A hostile enrolled
// device floods the relay with large frames full of a marker while an
// honest device sends envelopes of many sizes: each envelope reaches its
// recipient byte for byte as sent, and no byte run of the hostile frames
// appears in any delivery. (A decoded Send still pointing into the buffer
// it was read into fails this: the buffer is refilled with the hostile
// device's frames before the envelope is delivered.)
func TestSharedReadBuffersKeepFramesApart(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	dir := s.Directory(t)
	recipient := r.online(t, s.wealdA)
	sender := r.online(t, s.refugeLaptop)
	hostile := r.online(t, s.medwayA)

	marker := bytes.Repeat([]byte{0xa5}, 64)
	flood, err := protocol.Encode(&protocol.Send{ReqID: 1, Envelope: bytes.Repeat(marker, 3000)}) // 192 KiB
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var flooding sync.WaitGroup
	flooding.Add(2)
	go func() { // the hostile device writes as fast as the relay reads
		defer flooding.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			hostile.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if hostile.ws.WriteMessage(websocket.BinaryMessage, flood) != nil {
				return
			}
		}
	}()
	go func() { // and reads its refusals, so that it is not dropped as slow
		defer flooding.Done()
		for {
			hostile.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, _, err := hostile.ws.ReadMessage(); err != nil {
				return
			}
		}
	}()

	sent := make(map[crypto.EnvelopeID][]byte)
	for i := range 40 {
		env := s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", bytes.Repeat([]byte{byte(i)}, 1+i*1700))
		b, err := env.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		sent[env.ID] = b
		sender.sendEnvelope(uint64(i+1), env)
	}
	for range sent {
		f, err := recipient.tryRead()
		if err != nil {
			t.Fatalf("recipient: %v", err)
		}
		d, ok := f.(*protocol.Deliver)
		if !ok {
			t.Fatalf("recipient got a %T, want Deliver", f)
		}
		env, err := crypto.ParseEnvelope(d.Envelope)
		if err != nil {
			t.Fatalf("delivered envelope does not parse: %v", err)
		}
		if want, ok := sent[env.ID]; !ok || !bytes.Equal(d.Envelope, want) {
			t.Fatalf("envelope %s delivered with bytes other than those sent", env.ID)
		}
		if bytes.Contains(d.Envelope, marker) {
			t.Fatalf("envelope %s carries bytes of the hostile device's frames", env.ID)
		}
	}
	close(stop)
	hostile.close()
	flooding.Wait()
}
