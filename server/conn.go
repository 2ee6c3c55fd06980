package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol"
)

// conn is one websocket connection, served by at most two goroutines: the
// reader (readLoop) owns the
// socket's read side and the fields marked "reader"; the writer
// (writeLoop), started when there is something to write and gone again
// when there is not, is the only one that writes to ws, and once the device has
// authenticated it also delivers the device's envelopes: those handed to it
// from memory as they are stored, and those it reads from the store (the
// backlog at authentication, and after a wake-up from another relay node).
//
// An idle connection holds one goroutine (the reader) and no queue storage:
// the outbox and the hand-off list are nil slices grown on demand, gorilla's
// write buffer comes from a pool only while a message is being written, and
// pings are a timer that starts a writer when due.
type conn struct {
	s   *Server
	ws  *websocket.Conn
	log func(msg string, args ...any)

	// ctx is cancelled when the connection ends (by closeWith or drop).
	ctx    context.Context
	cancel context.CancelFunc

	mu sync.Mutex // guards the fields below it, up to the blank line
	// outbox holds encoded replies and notices for the writer, in order;
	// at most Config.QueueLength, more means the client is too slow.
	outbox [][]byte
	// delivering is set, after AuthOK has been queued in outbox, to start
	// deliveries: the writer reads it together with the outbox, so AuthOK
	// always goes before the first Deliver and before Drained.
	delivering bool
	// handed holds envelopes stored for this device since the writer last
	// looked, to deliver from memory; at most handOffLimit, beyond which
	// catchUp is set instead.
	handed []handedEnvelope
	// catchUp asks the writer to read the store from its cursor: set at
	// authentication (the backlog), by a wake-up from another node, and
	// when handed overflowed.
	catchUp bool

	// writing is set while a writer goroutine runs, and for good once the
	// final writer has said goodbye; poke starts a writer when it is unset.
	writing bool
	// pingDue asks the writer for a ping; pingTimer sets it every half
	// PongTimeout, and pings counts them.
	pingDue   bool
	pingTimer *time.Timer
	pings     int

	closed     chan struct{} // closed once, by closeWith or drop
	writerDone chan struct{} // closed by the final writer, after the farewell
	closeOnce  sync.Once
	// closeCode is the websocket close code sent on the way out; written
	// before closed is closed, read by writeLoop after.
	closeCode int

	nonce [32]byte // fixed at accept

	// Reader fields: set by readLoop; device and org are read by the
	// writer only after delivering was set (under mu) after them.
	device   crypto.DeviceID
	org      crypto.OrgID
	authed   bool
	authSeen bool // an Auth frame was already received on this connection
	preAuth  int  // frames received before authentication
	// preAuthHeld: this connection still counts against MaxPreAuthConns
	// (reader; set at accept, cleared at authentication or unregister).
	preAuthHeld bool
	// uncredited counts envelopes delivered on this connection and not yet
	// turned into send credit by an Ack (ratelimit.go); atomic: the
	// writer adds, the reader takes.
	uncredited atomic.Int64

	// recent holds the ids of envelopes delivered on this connection and
	// not yet acknowledged on it, a ring of up to recentLimit (the oldest
	// is forgotten first); zero ids are free slots. Guarded by mu.
	recent [][16]byte
	next   int // guarded by mu: where the ring's next id goes once it is full

	// Writer fields: used only by writeLoop.
	cursor  uint64 // Seq of the last envelope read from the store
	drained bool   // Drained has been sent
	settled bool   // the acker was settled before the first read of the store
}

// handedEnvelope is an envelope handed to a connection from memory: its id
// and its bytes, shared by every recipient connection and never modified.
type handedEnvelope struct {
	id   [16]byte
	body []byte
}

// handOffLimit bounds the envelopes waiting in memory for one connection;
// past it the writer reads the store instead.
const handOffLimit = 64

// recentLimit is how many delivered ids a connection remembers, so that an
// envelope handed over from memory is not sent again when a later read of
// the store returns it before its acknowledgement has been applied.
const recentLimit = 128

func (s *Server) serveConnect(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing {
		http.Error(w, "relay is shutting down", http.StatusServiceUnavailable)
		return
	}
	if !s.admitPreAuth() {
		http.Error(w, "relay is busy; try again shortly", http.StatusServiceUnavailable)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.leavePreAuth()
		return // the upgrader has already answered with an HTTP error
	}
	c := &conn{
		s:          s,
		ws:         ws,
		closed:     make(chan struct{}),
		writerDone: make(chan struct{}),

		preAuthHeld: true,
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if s.cfg.LogIP {
		addr := r.RemoteAddr
		c.log = func(msg string, args ...any) { s.cfg.Logger.Info(msg, append(args, "remote", addr)...) }
	} else {
		c.log = func(msg string, args ...any) { s.cfg.Logger.Info(msg, args...) }
	}
	if _, err := io.ReadFull(rand.Reader, c.nonce[:]); err != nil {
		s.cfg.Logger.Error("read nonce", "err", err)
		s.leavePreAuth()
		ws.Close()
		return
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		s.leavePreAuth()
		ws.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.connWG.Add(1) // the reader, which outlives every writer
	s.mu.Unlock()
	s.metrics.connections.Inc()
	s.metrics.connectionsTotal.Inc()
	c.log("connection opened")

	c.mu.Lock()
	c.pingTimer = time.AfterFunc(s.cfg.PongTimeout/2, c.pingTick)
	c.mu.Unlock()
	c.enqueue(&protocol.ServerHello{Nonce: c.nonce, Origin: s.cfg.Origin, Time: s.cfg.Now().Unix(), LogKey: s.tlog.VerifierKey()})
	// The reader gets a fresh goroutine and the handler returns, so that
	// net/http lets go of its per-connection state (request, 4 KiB read
	// and write buffers, a stack grown by the handshake): an idle
	// connection keeps only what it needs.
	go c.readLoop()
}

// enqueue queues a frame for the writer. A connection whose outbox is full
// is too slow to keep up: it is dropped, so that it cannot hold memory or
// stall the goroutine that produced the frame.
func (c *conn) enqueue(f protocol.Frame) bool {
	b, err := protocol.Encode(f)
	if err != nil {
		c.s.cfg.Logger.Error("encode frame", "type", f.FrameType(), "err", err)
		return false
	}
	c.mu.Lock()
	if c.isClosed() {
		// Checked under c.mu: nothing joins the outbox behind a fatal
		// Error (closeWith).
		c.mu.Unlock()
		return false
	}
	if len(c.outbox) >= c.s.cfg.QueueLength {
		c.mu.Unlock()
		c.drop(dropQueueFull)
		return false
	}
	c.outbox = append(c.outbox, b)
	c.mu.Unlock()
	c.poke()
	return true
}

// startDelivery queues AuthOK and, behind it, the start of deliveries.
func (c *conn) startDelivery(ok *protocol.AuthOK) {
	b, err := protocol.Encode(ok)
	if err != nil {
		c.s.cfg.Logger.Error("encode frame", "type", ok.FrameType(), "err", err)
		return
	}
	c.mu.Lock()
	if c.isClosed() {
		c.mu.Unlock()
		return
	}
	c.outbox = append(c.outbox, b)
	c.delivering = true
	c.catchUp = true
	c.mu.Unlock()
	c.poke()
}

// handOff gives the writer an envelope just stored for this device, to
// deliver from memory.
func (c *conn) handOff(h handedEnvelope) {
	c.mu.Lock()
	if len(c.handed) < handOffLimit {
		c.handed = append(c.handed, h)
	} else {
		c.handed = nil
		c.catchUp = true
	}
	c.mu.Unlock()
	c.poke()
}

// wake asks the writer to read the device's envelopes from the store:
// another relay node has stored one.
func (c *conn) wake() {
	c.mu.Lock()
	c.catchUp = true
	c.mu.Unlock()
	c.poke()
}

// poke makes sure a writer runs: it starts one unless one is running (or
// the connection's final writer has finished).
func (c *conn) poke() {
	c.mu.Lock()
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.writeLoop()
	}
}

// pingTick runs on the ping timer: it asks for a ping and re-arms.
func (c *conn) pingTick() {
	c.mu.Lock()
	if c.isClosed() {
		c.mu.Unlock()
		return
	}
	c.pingDue = true
	c.pingTimer.Reset(c.s.cfg.PongTimeout / 2)
	c.mu.Unlock()
	c.poke()
}

// sendError queues an Error frame and counts it. A fatal error closes the
// connection once the frame has been written.
func (c *conn) sendError(code, message string, reqID uint64, fatal bool) {
	c.s.metrics.rejected.WithLabelValues(code).Inc()
	if fatal {
		c.closeWith(code, message, errorReason(code))
		return
	}
	c.enqueue(&protocol.Error{Code: code, Message: message, ReqID: reqID})
}

// closeWith writes a final Error frame (best effort, bounded by the write
// timeout) and closes the connection, counting reason.
func (c *conn) closeWith(code, message string, reason dropReason) {
	c.closeOnce.Do(func() {
		b, err := protocol.Encode(&protocol.Error{Code: code, Message: message, Fatal: true})
		c.s.metrics.dropped.WithLabelValues(string(reason)).Inc()
		c.closeCode = closeCodeFor(code)
		// Hand the frame to the writer; the last writer writes what is
		// queued, then this frame, then a close message (farewell). If the
		// outbox is full the connection is too slow to be told. The frame
		// is queued and the connection marked closed in one step under
		// c.mu, so that a writer taking the outbox either takes it without
		// the Error or finds the connection closed and leaves it to
		// farewell (writeReplies), and nothing is queued behind the Error
		// (enqueue, startDelivery): it is the last frame the device reads.
		c.mu.Lock()
		if err == nil && len(c.outbox) < c.s.cfg.QueueLength+1 {
			c.outbox = append(c.outbox, b)
		}
		close(c.closed)
		c.mu.Unlock()
		c.cancel()
		c.poke() // a writer says goodbye
		// Unblock the reader. (The net.Conn's deadlines are safe to set
		// from any goroutine; the websocket's own setters are not.)
		c.ws.NetConn().SetReadDeadline(time.Now())
	})
}

// closeCodeFor maps an Error frame's code to the websocket close code that
// follows it (protocol/SPEC.md, "Errors").
func closeCodeFor(code string) int {
	switch code {
	case protocol.CodeUnauthenticated, protocol.CodeAuthFailed, protocol.CodeAuthStale,
		protocol.CodeAuthReplayed, protocol.CodeDeviceRevoked:
		return websocket.ClosePolicyViolation
	case protocol.CodeMalformedFrame, protocol.CodeUnknownFrame, protocol.CodeUnsupportedVersion:
		return websocket.CloseProtocolError
	case protocol.CodeFrameTooLarge:
		return websocket.CloseMessageTooBig
	case protocol.CodeInternal:
		return websocket.CloseInternalServerErr
	case protocol.CodeUnavailable:
		return websocket.CloseTryAgainLater
	}
	return websocket.CloseNormalClosure
}

// drop closes the connection without a farewell frame.
func (c *conn) drop(reason dropReason) {
	c.closeOnce.Do(func() {
		c.s.metrics.dropped.WithLabelValues(string(reason)).Inc()
		c.mu.Lock()
		close(c.closed)
		c.mu.Unlock()
		c.cancel()
		// Unblock a writer stuck in a write to a client that stopped
		// reading, and the reader.
		c.ws.NetConn().SetWriteDeadline(time.Now())
		c.ws.NetConn().SetReadDeadline(time.Now())
		c.poke() // a writer closes the socket
	})
}

// writeLoop is the only goroutine that writes to the socket: replies first,
// then deliveries, and pings when due. It runs while there is something to
// write and returns when there is not (poke starts it again); every
// catchUpPings pings it reads the store in case a wake-up was lost. Once
// the connection is closed, the writer running then writes what is queued
// and a close message, closes the socket and is the last.
func (c *conn) writeLoop() {
	for {
		if c.isClosed() {
			c.farewell()
			c.ws.Close()
			c.mu.Lock()
			c.pingTimer.Stop()
			c.mu.Unlock()
			close(c.writerDone)
			return // writing stays set: no writer starts again
		}
		c.mu.Lock()
		ping := c.pingDue
		c.pingDue = false
		if ping {
			c.pings++
			if c.pings%catchUpPings == 0 && c.delivering {
				c.catchUp = true
			}
		}
		c.mu.Unlock()
		if ping {
			c.ws.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
			if err := c.ws.WriteMessage(websocket.PingMessage, nil); err != nil {
				c.drop(dropWriteFailed)
				continue
			}
		}
		if h := c.s.testBeforeWork.Load(); h != nil {
			(*h)(c)
		}
		if !c.work() {
			if !c.isClosed() {
				c.drop(dropWriteFailed)
			}
			continue
		}
		c.mu.Lock()
		idle := !c.isClosed() && !c.pingDue && len(c.outbox) == 0 && len(c.handed) == 0 && !(c.catchUp && c.delivering)
		if idle {
			c.writing = false
		}
		c.mu.Unlock()
		if idle {
			return
		}
	}
}

// catchUpPings is how many ping periods pass between reads of the store
// made in case a wake-up was lost (belt and braces).
const catchUpPings = 4

func (c *conn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// write writes one frame, bounded by the write timeout.
func (c *conn) write(b []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
	return c.ws.WriteMessage(websocket.BinaryMessage, b)
}

// writeReplies writes everything in the outbox and reports whether
// deliveries have started. Once the connection is closed it writes
// nothing and fails: the final writer's farewell writes what is queued,
// the fatal Error last, and nothing may follow that Error.
func (c *conn) writeReplies() (delivering bool, err error) {
	for {
		c.mu.Lock()
		if c.isClosed() {
			c.mu.Unlock()
			return false, net.ErrClosed
		}
		out := c.outbox
		c.outbox = nil
		delivering = c.delivering
		c.mu.Unlock()
		if len(out) == 0 {
			return delivering, nil
		}
		for _, b := range out {
			if err := c.write(b); err != nil {
				return delivering, err
			}
		}
	}
}

// work writes what is waiting: replies, then (once authenticated) the
// store's backlog when a read is due, Drained after the first one, then
// envelopes handed over from memory. It returns false when the connection
// must end.
func (c *conn) work() bool {
	delivering, err := c.writeReplies()
	if err != nil || !delivering {
		return err == nil
	}
	for {
		c.mu.Lock()
		catchUp, handed := c.catchUp, c.handed
		c.catchUp, c.handed = false, nil
		c.mu.Unlock()
		if !catchUp && len(handed) == 0 {
			return true
		}
		if catchUp {
			if !c.settled {
				// Acks of this device's previous connection may still be
				// in the acker's batch: apply them before reading back.
				c.settled = true
				c.s.acker.settle(c.ctx)
			}
			if !c.readStore() {
				return false
			}
			if !c.drained {
				if c.isClosed() {
					return false
				}
				c.drained = true
				if err := c.write(drainedFrame); err != nil {
					return false
				}
			}
		}
		for _, h := range handed {
			if !c.deliver(h.id, h.body) {
				return false
			}
		}
	}
}

// readStore delivers everything pending for the device after the cursor,
// a page at a time, writing replies between pages.
func (c *conn) readStore() bool {
	for {
		envs, err := c.s.store.Pending(c.ctx, [16]byte(c.device), c.cursor, deliverBatch, c.s.cfg.Now())
		if err != nil {
			if c.ctx.Err() == nil {
				c.s.cfg.Logger.Error("read pending envelopes", "err", err)
				c.closeWith(protocol.CodeInternal, "the relay cannot read your mailbox; reconnect shortly", dropStoreError)
			}
			return false
		}
		for _, e := range envs {
			if !c.deliver(e.ID, e.Body) {
				return false
			}
			c.cursor = e.Seq
		}
		if _, err := c.writeReplies(); err != nil {
			return false
		}
		if len(envs) < deliverBatch {
			return true
		}
	}
}

// deliver writes one envelope unless it was delivered on this connection
// and not yet acknowledged (a read of the store can return an envelope
// already handed over from memory).
func (c *conn) deliver(id [16]byte, body []byte) bool {
	if c.isClosed() {
		return false // a fatal Error may be queued: it is the last frame
	}
	if err := protocol.CheckDeliver(body); err != nil {
		// Never stored by a relay that checks every Send (an empty or
		// oversized row, from a damaged or foreign store): a device would
		// refuse the frame and drop the connection, and get it again on
		// every reconnect. It stays in the store until it expires.
		c.s.cfg.Logger.Error("skip an envelope no Deliver frame can carry", "id", fmt.Sprintf("%x", id), "err", err)
		return true
	}
	if !c.remember(id) {
		return true
	}
	// Counted before the write: the device can read the frame and its Ack
	// can be handled before this goroutine runs again, and that Ack must
	// find the delivery to credit.
	c.uncredited.Add(1)
	if err := c.writeDeliver(body); err != nil {
		c.uncredited.Add(-1)
		return false
	}
	c.s.metrics.envelopesDeliver.Inc()
	return true
}

// remember records id as delivered and reports whether it was new.
func (c *conn) remember(id [16]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	free := -1
	for i, r := range c.recent {
		if r == id {
			return false
		}
		if free < 0 && r == ([16]byte{}) {
			free = i
		}
	}
	switch {
	case free >= 0:
		c.recent[free] = id
	case len(c.recent) < recentLimit:
		c.recent = append(c.recent, id)
	default:
		c.recent[c.next] = id
		c.next = (c.next + 1) % recentLimit
	}
	return true
}

// forget clears acknowledged ids from the ring: should the envelope be
// stored again (a sender retrying), it is delivered again.
func (c *conn) forget(ids [][16]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		for i, r := range c.recent {
			if r == id {
				c.recent[i] = [16]byte{}
				break
			}
		}
	}
}

// writeDeliver writes a Deliver frame of envelope, bounded by the write
// timeout: the frame's head, the envelope and its tail go straight into the
// websocket's buffer, so that the envelope is neither encoded into a new
// frame nor copied more than once (protocol.AppendEnvelopeHead).
func (c *conn) writeDeliver(envelope []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
	w, err := c.ws.NextWriter(websocket.BinaryMessage)
	if err != nil {
		return err
	}
	var frame [32]byte // head and tail, each under 16 bytes
	head := protocol.AppendEnvelopeHead(frame[:0], protocol.TypeDeliver, len(envelope))
	tail := protocol.AppendEnvelopeTail(head[len(head):], protocol.TypeDeliver, 0)
	for _, p := range [...][]byte{head, envelope, tail} {
		if _, err := w.Write(p); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// drainedFrame is the encoded Drained frame, the same for everyone.
var drainedFrame = func() []byte {
	b, err := protocol.Encode(&protocol.Drained{})
	if err != nil {
		panic(err)
	}
	return b
}()

// farewell writes what is queued (the final Error frame among it) and a
// close message.
func (c *conn) farewell() {
	c.mu.Lock()
	out := c.outbox
	c.outbox = nil
	c.mu.Unlock()
	for _, b := range out {
		if c.write(b) != nil {
			return
		}
	}
	code := c.closeCode
	if code == 0 {
		code = websocket.CloseNormalClosure
	}
	c.ws.SetWriteDeadline(time.Now().Add(time.Second))
	c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""))
}

// readLoop reads and dispatches frames until the connection ends, then
// unregisters it.
func (c *conn) readLoop() {
	ctx := c.ctx
	handedOn := false
	defer func() {
		if handedOn {
			return // a new reader goes on with the connection
		}
		c.drop(dropClientClosed)
		<-c.writerDone
		c.unregister()
		c.log("connection closed")
		c.s.connWG.Done()
	}()

	// Read limit: a little above the largest frame, so that an oversized
	// frame is read far enough to be refused with its own error code.
	// Before authentication only small frames are accepted (preauth.go):
	// readFrame reads no more than limit+1 bytes of any frame.
	c.ws.SetReadLimit(protocol.MaxFrameSize + 1024)
	limit := c.s.cfg.PreAuthFrameSize
	if c.authed {
		limit = protocol.MaxFrameSize
	}
	deadline := func() {
		d := c.s.cfg.PongTimeout
		if !c.authed {
			d = c.s.cfg.AuthTimeout
		}
		c.ws.SetReadDeadline(time.Now().Add(d))
	}
	deadline()
	c.ws.SetPongHandler(func(string) error { deadline(); return nil })
	for {
		if c.isClosed() {
			return
		}
		typ, r, err := c.ws.NextReader()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.sendError(protocol.CodeFrameTooLarge, "frame is larger than the relay accepts", 0, true)
			}
			return
		}
		deadline()
		if !c.authed && !c.s.reservePreAuth() {
			// Counted before the refusal is sent: whoever reads it finds
			// it counted.
			c.s.metrics.preAuthRefused.WithLabelValues("bytes").Inc()
			c.sendError(protocol.CodeRateLimited, "the relay is busy with other unauthenticated connections; reconnect shortly", 0, true)
			return
		}
		buf, bad := c.readFrame(typ, r, limit)
		if !c.authed {
			// Released before any error is sent: a client that reads the
			// error and dials again must find the budget free.
			c.s.releasePreAuth()
		}
		if bad != nil {
			if bad.code != "" {
				c.sendError(bad.code, bad.msg, 0, true)
			}
			return
		}
		f, err := protocol.Decode(buf.Bytes())
		c.s.putFrameBuf(buf)
		if err != nil {
			code := protocol.CodeFor(err)
			// A frame the relay cannot read is not worth a second
			// chance: the client is broken or hostile.
			c.sendError(code, "cannot read frame: "+protocol.Describe(err), 0, true)
			return
		}
		wasAuthed := c.authed
		if !c.handle(ctx, f) {
			return
		}
		if c.authed && !wasAuthed {
			// Authenticated: full-size frames, and the keep-alive
			// deadline rather than the pre-auth one.
			limit = protocol.MaxFrameSize
			c.preAuthHeld = false
			c.s.leavePreAuth()
			// Go on reading in a new goroutine. This one's stack grew
			// to verify the Auth signature and would stay that size for
			// as long as the connection is open, which for most devices
			// is all day and idle; a new goroutine starts with a stack
			// the size goroutines use on average. This about halves what
			// an idle connection holds in stacks (docs/PERFORMANCE.md).
			handedOn = true
			go c.readLoop()
			return
		}
		deadline()
	}
}

// badFrame is why a frame was not read: the Error to send (code "" sends
// none: the connection failed).
type badFrame struct{ code, msg string }

// readFrame reads one websocket message of at most limit bytes, or says
// why not; the caller sends the Error once it has released what the frame
// reserved.
//
// The frame is read into a buffer borrowed from the server, which the
// caller gives back (putFrameBuf) once it has decoded the frame: a large
// frame is read in one or two reads into a buffer that has grown to fit
// earlier frames, instead of a dozen reads into a slice grown from 512
// bytes, and is never copied whole (a decoded frame keeps nothing of the
// bytes it was decoded from: protocol's TestDecodeDoesNotAliasInput). The
// buffers are shared by every connection, so an idle connection holds none.
func (c *conn) readFrame(typ int, r io.Reader, limit int) (*bytes.Buffer, *badFrame) {
	tooLarge := &badFrame{protocol.CodeFrameTooLarge, "frame is larger than the relay accepts"}
	if typ != websocket.BinaryMessage {
		return nil, &badFrame{protocol.CodeMalformedFrame, "frames must be binary websocket messages"}
	}
	buf := c.s.getFrameBuf()
	_, err := buf.ReadFrom(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		c.s.putFrameBuf(buf)
		if errors.Is(err, websocket.ErrReadLimit) {
			return nil, tooLarge
		}
		return nil, &badFrame{}
	}
	if buf.Len() > limit {
		c.s.putFrameBuf(buf)
		// Read (without keeping) the rest of the frame, up to the socket's
		// read limit, so that the client can read the Error frame rather
		// than a connection reset.
		io.Copy(io.Discard, r)
		return nil, tooLarge
	}
	return buf, nil
}

// maxPooledBuf is the largest frame buffer kept for reuse.
const maxPooledBuf = 256 << 10

// getFrameBuf lends an empty buffer to read a frame into.
func (s *Server) getFrameBuf() *bytes.Buffer {
	buf, _ := s.frameBufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	return buf
}

// putFrameBuf takes back a buffer from getFrameBuf, unless it has grown
// past maxPooledBuf.
func (s *Server) putFrameBuf(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuf {
		s.frameBufs.Put(buf)
	}
}

func (c *conn) unregister() {
	s := c.s
	s.mu.Lock()
	delete(s.conns, c)
	if c.authed {
		if m := s.byOrg[c.org]; m != nil {
			delete(m, c)
			if len(m) == 0 {
				delete(s.byOrg, c.org)
			}
		}
		s.metrics.authenticated.Dec()
	}
	s.mu.Unlock()
	if c.preAuthHeld {
		c.preAuthHeld = false
		s.leavePreAuth()
	}
	s.metrics.connections.Dec()
}

// handle dispatches one frame. It returns false when the connection must end.
func (c *conn) handle(ctx context.Context, f protocol.Frame) bool {
	if c.authed {
		// A device revoked while connected is refused at its next frame.
		if err := c.s.checkDevice(c.device); err != nil {
			c.sendError(protocol.CodeDeviceRevoked, "this device has been revoked; ask your organisation admin", 0, true)
			return false
		}
	} else {
		// Anyone may publish and read the directory before authenticating,
		// but only so much on one connection: an anonymous client cannot
		// hold a connection open and keep the relay busy for ever.
		c.preAuth++
		if c.preAuth > c.s.cfg.PreAuthFrames {
			c.sendError(protocol.CodeRateLimited, "too many requests before authenticating; reconnect to continue", 0, true)
			return false
		}
	}
	switch f := f.(type) {
	case *protocol.Auth:
		return c.handleAuth(ctx, f)
	case *protocol.Publish:
		c.handlePublish(ctx, f)
		return true
	case *protocol.Send:
		if !c.requireAuth() {
			return false
		}
		c.handleSend(ctx, f)
		return true
	case *protocol.Ack:
		if !c.requireAuth() {
			return false
		}
		c.handleAck(ctx, f)
		return true
	case *protocol.DirectoryGet:
		// Public: allowed before authentication (protocol/SPEC.md).
		c.handleDirectoryGet(ctx, f)
		return true
	case *protocol.ProofGet:
		c.handleProofGet(ctx, f)
		return true
	default:
		c.sendError(protocol.CodeUnknownFrame, "a client may not send this frame", 0, true)
		return false
	}
}

func (c *conn) requireAuth() bool {
	if c.authed {
		return true
	}
	c.sendError(protocol.CodeUnauthenticated, "authenticate before sending this frame", 0, true)
	return false
}
