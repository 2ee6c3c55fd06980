package relay

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/saferef/saferef/protocol"
)

// Options tune Dial. The zero value is usable.
type Options struct {
	// Dialer is the websocket dialer; nil means a default one with
	// compression off and a 10 second handshake timeout.
	Dialer *websocket.Dialer
	// Now is the clock used for Auth; nil means time.Now.
	Now func() time.Time
	// WriteTimeout bounds each frame write; zero means 30 seconds.
	WriteTimeout time.Duration
}

// Event is one thing the relay pushed: an envelope, or the Drained marker.
type Event struct {
	Envelope []byte // an encoded outer envelope; nil for Drained
	Drained  bool
}

// Conn is a connection to a relay. Its methods are safe for concurrent use.
type Conn struct {
	ws       *websocket.Conn
	endpoint *Endpoint
	hello    *protocol.ServerHello
	now      func() time.Time
	wtimeout time.Duration

	writeMu sync.Mutex // serialises writes: gorilla allows one writer

	mu       sync.Mutex // guards the fields below
	nextReq  uint64
	pending  map[uint64]chan protocol.Frame
	authWait chan protocol.Frame
	inbox    []Event
	wake     chan struct{} // closed and replaced when inbox grows
	err      error         // why the connection ended, once it has

	done chan struct{} // closed when the read loop ends
}

// Dial connects to the relay at base (see ParseURL), reads its ServerHello
// and checks that it names the origin dialled.
func Dial(ctx context.Context, base string, opt *Options) (*Conn, error) {
	if opt == nil {
		opt = &Options{}
	}
	ep, err := ParseURL(base)
	if err != nil {
		return nil, err
	}
	d := opt.Dialer
	if d == nil {
		d = &websocket.Dialer{HandshakeTimeout: 10 * time.Second, EnableCompression: false}
	}
	ws, _, err := d.DialContext(ctx, ep.Connect, nil)
	if err != nil {
		return nil, fmt.Errorf("connect to relay %s: %w", ep.Connect, err)
	}
	ws.SetReadLimit(protocol.MaxFrameSize)
	c := &Conn{
		ws: ws, endpoint: ep, now: opt.Now, wtimeout: opt.WriteTimeout,
		pending: make(map[uint64]chan protocol.Frame),
		wake:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.wtimeout == 0 {
		c.wtimeout = 30 * time.Second
	}
	if err := c.readHello(ctx); err != nil {
		ws.Close()
		return nil, err
	}
	go c.readLoop()
	return c, nil
}

func (c *Conn) readHello(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.ws.SetReadDeadline(deadline)
	defer c.ws.SetReadDeadline(time.Time{})
	f, err := c.readFrame()
	if err != nil {
		return fmt.Errorf("read server hello from %s: %w", c.endpoint.Origin, err)
	}
	h, ok := f.(*protocol.ServerHello)
	if !ok {
		return fmt.Errorf("read server hello from %s: %w: got %v first", c.endpoint.Origin, ErrProtocol, f.FrameType())
	}
	origin, err := normaliseOrigin(h.Origin)
	if err != nil || origin != c.endpoint.Origin {
		return fmt.Errorf("%w: dialled %s, relay says %q", ErrOriginMismatch, c.endpoint.Origin, h.Origin)
	}
	c.hello = h
	return nil
}

func (c *Conn) readFrame() (protocol.Frame, error) {
	mt, b, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	if mt != websocket.BinaryMessage {
		return nil, fmt.Errorf("%w: non-binary message", ErrProtocol)
	}
	f, err := protocol.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	return f, nil
}

// Hello returns the relay's ServerHello.
func (c *Conn) Hello() protocol.ServerHello { return *c.hello }

// Origin returns the checked origin of the relay.
func (c *Conn) Origin() string { return c.endpoint.Origin }

func (c *Conn) readLoop() {
	var err error
	defer func() {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		close(c.wake)
		c.mu.Unlock()
		close(c.done)
		c.ws.Close()
	}()
	for {
		var f protocol.Frame
		f, err = c.readFrame()
		if err != nil {
			if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
				err = ErrClosed
			} else {
				err = fmt.Errorf("read from relay %s: %w", c.endpoint.Origin, err)
			}
			return
		}
		if err = c.dispatch(f); err != nil {
			return
		}
	}
}

func (c *Conn) dispatch(f protocol.Frame) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var reqID uint64
	switch f := f.(type) {
	case *protocol.Deliver:
		c.push(Event{Envelope: f.Envelope})
		return nil
	case *protocol.Drained:
		c.push(Event{Drained: true})
		return nil
	case *protocol.AuthOK:
		if c.authWait == nil {
			return fmt.Errorf("%w: unexpected AuthOK", ErrProtocol)
		}
		c.authWait <- f
		c.authWait = nil
		return nil
	case *protocol.Error:
		if f.ReqID == 0 {
			if c.authWait != nil {
				c.authWait <- f
				c.authWait = nil
				return nil
			}
			if f.Fatal {
				c.err = fmt.Errorf("relay closed the connection: %w", f)
				return c.err
			}
			// A non-fatal notice not about a request: nothing waits for it.
			return nil
		}
		reqID = f.ReqID
	case *protocol.SendOK:
		reqID = f.ReqID
	case *protocol.PublishOK:
		reqID = f.ReqID
	case *protocol.Directory:
		reqID = f.ReqID
	case *protocol.Proof:
		reqID = f.ReqID
	default:
		return fmt.Errorf("%w: unexpected %v frame", ErrProtocol, f.FrameType())
	}
	ch, ok := c.pending[reqID]
	if !ok {
		return fmt.Errorf("%w: reply to unknown request %d", ErrProtocol, reqID)
	}
	delete(c.pending, reqID)
	ch <- f // buffered, one slot
	return nil
}

// push adds an event to the inbox; c.mu is held.
func (c *Conn) push(e Event) {
	c.inbox = append(c.inbox, e)
	close(c.wake)
	c.wake = make(chan struct{})
}

func (c *Conn) write(f protocol.Frame) error {
	b, err := protocol.Encode(f)
	if err != nil {
		return fmt.Errorf("encode %v: %w", f.FrameType(), err)
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(c.wtimeout))
	if err := c.ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
		return fmt.Errorf("write %v to relay: %w", f.FrameType(), err)
	}
	return nil
}

// connErr returns why the connection ended; c.mu is held.
func (c *Conn) connErr() error {
	if c.err != nil {
		return c.err
	}
	return ErrClosed
}

// request sends a frame built with a fresh request id and waits for the
// reply to it. An Error reply is returned as a *protocol.Error.
func (c *Conn) request(ctx context.Context, build func(reqID uint64) protocol.Frame) (protocol.Frame, error) {
	ch := make(chan protocol.Frame, 1)
	c.mu.Lock()
	select {
	case <-c.done:
		err := c.connErr()
		c.mu.Unlock()
		return nil, err
	default:
	}
	c.nextReq++
	id := c.nextReq
	c.pending[id] = ch
	c.mu.Unlock()
	if err := c.write(build(id)); err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return nil, err
	}
	return c.wait(ctx, ch, func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	})
}

func (c *Conn) wait(ctx context.Context, ch chan protocol.Frame, cancel func()) (protocol.Frame, error) {
	select {
	case f := <-ch:
		if e, ok := f.(*protocol.Error); ok {
			return nil, e
		}
		return f, nil
	case <-c.done:
		// The reply may have arrived just before the loop ended.
		select {
		case f := <-ch:
			if e, ok := f.(*protocol.Error); ok {
				return nil, e
			}
			return f, nil
		default:
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		return nil, c.connErr()
	case <-ctx.Done():
		cancel()
		return nil, ctx.Err()
	}
}

// Authenticate signs the relay's challenge with the device's identity key
// and waits for AuthOK. It returns the organisation the relay says the
// device belongs to. A refusal is returned as a *protocol.Error.
func (c *Conn) Authenticate(ctx context.Context, device [16]byte, key ed25519.PrivateKey) (org [16]byte, err error) {
	ch := make(chan protocol.Frame, 1)
	c.mu.Lock()
	if c.authWait != nil {
		c.mu.Unlock()
		return org, errors.New("authenticate: already in progress")
	}
	c.authWait = ch
	c.mu.Unlock()
	t := c.now().Unix()
	sig := ed25519.Sign(key, protocol.AuthMessage(c.hello.Nonce, c.endpoint.Origin, t, device))
	if err := c.write(&protocol.Auth{Device: device, Time: t, Sig: sig}); err != nil {
		return org, fmt.Errorf("authenticate: %w", err)
	}
	f, err := c.wait(ctx, ch, func() {
		c.mu.Lock()
		c.authWait = nil
		c.mu.Unlock()
	})
	if err != nil {
		return org, fmt.Errorf("authenticate device %x: %w", device, err)
	}
	ok := f.(*protocol.AuthOK)
	if ok.Device != device {
		return org, fmt.Errorf("authenticate device %x: %w: relay confirmed device %x", device, ErrProtocol, ok.Device)
	}
	return ok.Org, nil
}

// Publish appends a signed directory object and returns its log index.
func (c *Conn) Publish(ctx context.Context, object []byte) (uint64, error) {
	f, err := c.request(ctx, func(id uint64) protocol.Frame { return &protocol.Publish{ReqID: id, Object: object} })
	if err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	ok, isOK := f.(*protocol.PublishOK)
	if !isOK {
		return 0, fmt.Errorf("publish: %w: answered with %v", ErrProtocol, f.FrameType())
	}
	return ok.Index, nil
}

// Send stores an encoded envelope at the relay and returns once the relay
// has stored it durably (SendOK). A refusal is a *protocol.Error.
func (c *Conn) Send(ctx context.Context, envelope []byte) ([16]byte, error) {
	f, err := c.request(ctx, func(id uint64) protocol.Frame { return &protocol.Send{ReqID: id, Envelope: envelope} })
	if err != nil {
		return [16]byte{}, fmt.Errorf("send: %w", err)
	}
	ok, isOK := f.(*protocol.SendOK)
	if !isOK {
		return [16]byte{}, fmt.Errorf("send: %w: answered with %v", ErrProtocol, f.FrameType())
	}
	return ok.ID, nil
}

// Directory fetches every directory log entry from index since onwards,
// asking again until it has all the entries the log held. It drops the
// relay's checkpoint; DirectoryLog keeps it.
func (c *Conn) Directory(ctx context.Context, since uint64) ([]protocol.DirectoryEntry, error) {
	l, err := c.DirectoryLog(ctx, since)
	if err != nil {
		return nil, err
	}
	return l.Entries, nil
}

// Ack tells the relay these envelopes have been processed durably.
func (c *Conn) Ack(ctx context.Context, ids ...[16]byte) error {
	for len(ids) > 0 {
		n := min(len(ids), protocol.MaxAckIDs)
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := c.write(&protocol.Ack{IDs: ids[:n]}); err != nil {
			return fmt.Errorf("ack: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

// Next returns the next pushed envelope or Drained marker, waiting for one.
func (c *Conn) Next(ctx context.Context) (Event, error) {
	for {
		c.mu.Lock()
		if len(c.inbox) > 0 {
			e := c.inbox[0]
			c.inbox[0] = Event{}
			c.inbox = c.inbox[1:]
			c.mu.Unlock()
			return e, nil
		}
		select {
		case <-c.done:
			err := c.connErr()
			c.mu.Unlock()
			return Event{}, err
		default:
		}
		wake := c.wake
		c.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return Event{}, ctx.Err()
		}
	}
}

// Close closes the connection, telling the relay first.
func (c *Conn) Close() error {
	c.writeMu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.writeMu.Unlock()
	c.mu.Lock()
	if c.err == nil {
		c.err = ErrClosed
	}
	c.mu.Unlock()
	err := c.ws.Close()
	<-c.done
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("close relay connection: %w", err)
	}
	return nil
}
