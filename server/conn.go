package server

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol"
)

// conn is one websocket connection. The reader goroutine (readLoop) owns the
// socket's read side and the fields marked "reader"; the writer goroutine
// (writeLoop) is the only one that writes to ws; the delivery goroutine
// (deliverLoop) runs once the device has authenticated.
type conn struct {
	s   *Server
	ws  *websocket.Conn
	log func(msg string, args ...any)

	queue   chan []byte   // replies and notices for writeLoop; bounded, full means drop
	deliver chan []byte   // Deliver and Drained frames; the delivery loop waits for room
	wakeup  chan struct{} // capacity 1: new mail may be waiting
	closed  chan struct{} // closed once, by closeWith or drop
	closeMu sync.Once
	// closeCode is the websocket close code sent on the way out; written
	// before closed is closed, read by writeLoop after.
	closeCode int

	nonce [32]byte // fixed at accept

	// Reader fields: set by readLoop, read by deliverLoop only after
	// authentication has happened-before it started.
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
	// delivery loop adds, the reader takes.
	uncredited atomic.Int64
}

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
		s:       s,
		ws:      ws,
		queue:   make(chan []byte, s.cfg.QueueLength),
		deliver: make(chan []byte, 16),
		wakeup:  make(chan struct{}, 1),
		closed:  make(chan struct{}),

		preAuthHeld: true,
	}
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
	s.connWG.Add(2)
	s.mu.Unlock()
	s.metrics.connections.Inc()
	s.metrics.connectionsTotal.Inc()
	c.log("connection opened")

	go c.writeLoop()
	c.enqueue(&protocol.ServerHello{Nonce: c.nonce, Origin: s.cfg.Origin, Time: s.cfg.Now().Unix(), LogKey: s.tlog.VerifierKey()})
	go c.readLoop()
}

// enqueue queues a frame for the writer. A connection whose queue is full is
// too slow to keep up: it is dropped, so that it cannot hold memory or
// stall the goroutine that produced the frame.
func (c *conn) enqueue(f protocol.Frame) bool {
	b, err := protocol.Encode(f)
	if err != nil {
		c.s.cfg.Logger.Error("encode frame", "type", f.FrameType(), "err", err)
		return false
	}
	select {
	case <-c.closed:
		return false
	default:
	}
	select {
	case c.queue <- b:
		return true
	default:
		c.drop("queue-full")
		return false
	}
}

// enqueueDelivery queues a frame on the delivery queue, waiting for room, so
// that a backlog is paced by the client's reading rather than dropped; it
// never takes room that replies to the client's own frames need.
func (c *conn) enqueueDelivery(ctx context.Context, f protocol.Frame) bool {
	b, err := protocol.Encode(f)
	if err != nil {
		c.s.cfg.Logger.Error("encode frame", "type", f.FrameType(), "err", err)
		return false
	}
	select {
	case c.deliver <- b:
		return true
	case <-c.closed:
		return false
	case <-ctx.Done():
		return false
	}
}

// sendError queues an Error frame and counts it. A fatal error closes the
// connection once the frame has been written.
func (c *conn) sendError(code, message string, reqID uint64, fatal bool) {
	c.s.metrics.rejected.WithLabelValues(code).Inc()
	if fatal {
		c.closeWith(code, message, code)
		return
	}
	c.enqueue(&protocol.Error{Code: code, Message: message, ReqID: reqID})
}

// closeWith writes a final Error frame (best effort, bounded by the write
// timeout) and closes the connection, counting reason.
func (c *conn) closeWith(code, message, reason string) {
	c.closeMu.Do(func() {
		b, err := protocol.Encode(&protocol.Error{Code: code, Message: message, Fatal: true})
		if err == nil {
			// Hand the frame to the writer; it writes what is queued, then
			// this frame, then a close message. If the queue is full the
			// connection is too slow to be told.
			select {
			case c.queue <- b:
			default:
			}
		}
		c.s.metrics.dropped.WithLabelValues(reason).Inc()
		c.closeCode = closeCodeFor(code)
		close(c.closed)
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
func (c *conn) drop(reason string) {
	c.closeMu.Do(func() {
		c.s.metrics.dropped.WithLabelValues(reason).Inc()
		close(c.closed)
		// Unblock a writer stuck in a write to a client that stopped
		// reading. (The net.Conn's deadlines are safe to set from any
		// goroutine; the websocket's own setter is not.)
		c.ws.NetConn().SetWriteDeadline(time.Now())
	})
}

func (c *conn) wake() {
	select {
	case c.wakeup <- struct{}{}:
	default:
	}
}

// writeLoop is the only goroutine that writes to the socket. It also sends
// pings so that a vanished client is noticed.
func (c *conn) writeLoop() {
	defer c.s.connWG.Done()
	ping := time.NewTicker(c.s.cfg.PongTimeout / 2)
	defer ping.Stop()
	defer c.ws.Close()
	write := func(b []byte) error {
		c.ws.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
		return c.ws.WriteMessage(websocket.BinaryMessage, b)
	}
	for {
		// Replies go before deliveries: AuthOK is queued before the
		// delivery loop starts, so the client always sees it first.
		select {
		case b := <-c.queue:
			if err := write(b); err != nil {
				c.drop("write-failed")
				return
			}
			continue
		default:
		}
		select {
		case b := <-c.queue:
			if err := write(b); err != nil {
				c.drop("write-failed")
				return
			}
		case b := <-c.deliver:
			if err := write(b); err != nil {
				c.drop("write-failed")
				return
			}
		case <-ping.C:
			c.ws.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
			if err := c.ws.WriteMessage(websocket.PingMessage, nil); err != nil {
				c.drop("write-failed")
				return
			}
		case <-c.closed:
			// Flush what is queued (the farewell Error frame among it),
			// then say goodbye.
		flush:
			for {
				select {
				case b := <-c.queue:
					if write(b) != nil {
						return
					}
				default:
					break flush
				}
			}
			code := c.closeCode
			if code == 0 {
				code = websocket.CloseNormalClosure
			}
			c.ws.SetWriteDeadline(time.Now().Add(time.Second))
			c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""))
			return
		}
	}
}

// readLoop reads and dispatches frames until the connection ends, then
// unregisters it.
func (c *conn) readLoop() {
	defer c.s.connWG.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer func() {
		cancel()
		c.drop("client-closed")
		c.unregister()
		c.log("connection closed")
	}()
	go func() {
		select {
		case <-c.closed:
			cancel()
			// Unblock the read below.
			c.ws.SetReadDeadline(time.Now())
		case <-ctx.Done():
		}
	}()

	// Read limit: a little above the largest frame, so that an oversized
	// frame is read far enough to be refused with its own error code.
	// Before authentication only small frames are accepted (preauth.go):
	// readFrame reads no more than limit+1 bytes of any frame.
	c.ws.SetReadLimit(protocol.MaxFrameSize + 1024)
	limit := c.s.cfg.PreAuthFrameSize
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
		typ, r, err := c.ws.NextReader()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.sendError(protocol.CodeFrameTooLarge, "frame is larger than the relay accepts", 0, true)
			}
			return
		}
		deadline()
		if !c.authed && !c.s.reservePreAuth() {
			c.sendError(protocol.CodeRateLimited, "the relay is busy with other unauthenticated connections; reconnect shortly", 0, true)
			c.s.metrics.preAuthRefused.WithLabelValues("bytes").Inc()
			return
		}
		b, ok := c.readFrame(typ, r, limit)
		if !c.authed {
			c.s.releasePreAuth()
		}
		if !ok {
			return
		}
		f, err := protocol.Decode(b)
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
		}
		deadline()
	}
}

// readFrame reads one websocket message of at most limit bytes, refusing
// anything else with the matching Error frame. It reports false when the
// connection must end.
func (c *conn) readFrame(typ int, r io.Reader, limit int) ([]byte, bool) {
	if typ != websocket.BinaryMessage {
		c.sendError(protocol.CodeMalformedFrame, "frames must be binary websocket messages", 0, true)
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			c.sendError(protocol.CodeFrameTooLarge, "frame is larger than the relay accepts", 0, true)
		}
		return nil, false
	}
	if len(b) > limit {
		// Read (without keeping) the rest of the frame, up to the socket's
		// read limit, so that the client can read the Error frame rather
		// than a connection reset.
		io.Copy(io.Discard, r)
		c.sendError(protocol.CodeFrameTooLarge, "frame is larger than the relay accepts", 0, true)
		return nil, false
	}
	return b, true
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
