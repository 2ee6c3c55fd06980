package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/saferef/saferef/protocol"
)

// load is the load generator: one authenticated websocket per device.
// Devices send envelopes sealed to the next organisation's mailbox and ack
// every Deliver at once; an envelope is complete when every device of that
// organisation has it.
type load struct {
	bs      *benchScheme
	clients []*client

	mu       sync.Mutex
	inflight map[[16]byte]*flight // guarded by mu
	byReq    map[uint64]*flight   // guarded by mu
	lat      []time.Duration      // guarded by mu: Send→Deliver, while measuring

	reqs      atomic.Uint64
	measuring atomic.Bool
	completed atomic.Int64 // envelopes delivered to every device, while measuring
	refused   atomic.Int64 // Sends answered with an Error
	// cpu are read at the start and end of a measurement: each returns
	// the CPU time a process has used so far. measure sets cpuPerMsg[i] to
	// what cpu[i] used per envelope completed meanwhile (0 if unreadable).
	cpu       []func() (time.Duration, error)
	cpuPerMsg []time.Duration
}

type client struct {
	l   *load
	dev *benchDevice
	ws  *websocket.Conn
	wmu sync.Mutex
}

type flight struct {
	env       *sealed
	pool      chan *sealed
	req       uint64
	sent      time.Time
	remaining int
	slots     chan struct{} // the sender's window; nil at a fixed rate
}

func newLoad(bs *benchScheme) *load {
	return &load{bs: bs, inflight: make(map[[16]byte]*flight), byReq: make(map[uint64]*flight)}
}

// connect authenticates every device to origin, 64 at a time, and starts
// each connection's reader unless idle.
func (l *load) connect(ctx context.Context, origin string, devices []*benchDevice, idle bool) error {
	l.clients = make([]*client, len(devices))
	errs := make([]error, len(devices))
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i, d := range devices {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := dialDevice(ctx, origin, d, idle)
			if err != nil {
				errs[i] = err
				return
			}
			c.l = l
			l.clients[i] = c
			if !idle {
				go c.read()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			l.close()
			return err
		}
	}
	return nil
}

func (l *load) close() {
	for _, c := range l.clients {
		if c != nil {
			c.ws.Close()
		}
	}
}

// idleDialer keeps an idle connection's buffers small; activeDialer reads
// through a buffer that holds a whole fan-out-10 Deliver, so that one read
// system call usually brings in a whole frame (or several Acks).
var (
	idleDialer   = &websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 32 << 10, WriteBufferPool: &sync.Pool{}, HandshakeTimeout: 30 * time.Second}
	activeDialer = &websocket.Dialer{ReadBufferSize: 32 << 10, WriteBufferSize: 32 << 10, WriteBufferPool: &sync.Pool{}, HandshakeTimeout: 30 * time.Second}
)

func dialDevice(ctx context.Context, origin string, d *benchDevice, idle bool) (*client, error) {
	dialer := activeDialer
	if idle {
		dialer = idleDialer
	}
	ws, _, err := dialer.DialContext(ctx, origin+"/v1/connect", nil)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	c := &client{dev: d, ws: ws}
	f, err := c.next()
	if err != nil {
		ws.Close()
		return nil, err
	}
	hello, ok := f.(*protocol.ServerHello)
	if !ok {
		ws.Close()
		return nil, fmt.Errorf("first frame is %T, not ServerHello", f)
	}
	now := time.Now().Unix()
	sig := ed25519.Sign(d.keys.Signing, protocol.AuthMessage(hello.Nonce, hello.Origin, now, [16]byte(d.id)))
	if err := c.send(&protocol.Auth{Device: [16]byte(d.id), Time: now, Sig: sig}); err != nil {
		ws.Close()
		return nil, err
	}
	for _, want := range []protocol.Type{protocol.TypeAuthOK, protocol.TypeDrained} {
		f, err := c.next()
		if err != nil {
			ws.Close()
			return nil, err
		}
		if f.FrameType() != want {
			ws.Close()
			if e, ok := f.(*protocol.Error); ok {
				return nil, fmt.Errorf("authenticate: %s: %s", e.Code, e.Message)
			}
			return nil, fmt.Errorf("got %v, want %v", f.FrameType(), want)
		}
	}
	return c, nil
}

func (c *client) next() (protocol.Frame, error) {
	c.ws.SetReadDeadline(time.Now().Add(60 * time.Second))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	return protocol.Decode(b)
}

func (c *client) send(f protocol.Frame) error {
	b, err := protocol.Encode(f)
	if err != nil {
		return err
	}
	return c.sendRaw(b)
}

func (c *client) sendRaw(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return c.ws.WriteMessage(websocket.BinaryMessage, b)
}

// read handles Deliver (ack at once, count) and Error frames until the
// connection closes; SendOK is not waited for (an envelope counts once
// every recipient device has it).
func (c *client) read() {
	c.ws.SetReadDeadline(time.Time{})
	r := frameReader{ws: c.ws}
	for {
		b, err := r.next()
		if err != nil {
			return
		}
		typ, body, err := frameType(b)
		if err != nil {
			return
		}
		switch typ {
		case protocol.TypeDeliver:
			_, id, _, err := frameEnvelope(body)
			if err != nil {
				return
			}
			if c.sendRaw(ackFrame(id)) != nil {
				return
			}
			c.l.delivered(id)
		case protocol.TypeError:
			if f, err := protocol.Decode(b); err == nil {
				c.l.refusedSend(f.(*protocol.Error).ReqID)
			}
		}
	}
}

func (l *load) delivered(id [16]byte) {
	now := time.Now()
	l.mu.Lock()
	fl := l.inflight[id]
	if fl == nil {
		l.mu.Unlock()
		return // a redelivery
	}
	if l.measuring.Load() {
		l.lat = append(l.lat, now.Sub(fl.sent))
	}
	fl.remaining--
	if fl.remaining > 0 {
		l.mu.Unlock()
		return
	}
	delete(l.inflight, id)
	delete(l.byReq, fl.req)
	l.mu.Unlock()
	if l.measuring.Load() {
		l.completed.Add(1)
	}
	l.finish(fl, now)
}

func (l *load) refusedSend(req uint64) {
	l.refused.Add(1)
	l.mu.Lock()
	fl := l.byReq[req]
	if fl != nil {
		delete(l.byReq, req)
		delete(l.inflight, fl.env.id)
	}
	l.mu.Unlock()
	if fl != nil {
		l.finish(fl, time.Now())
	}
}

func (l *load) finish(fl *flight, now time.Time) {
	fl.env.freeAt = now
	fl.pool <- fl.env
	if fl.slots != nil {
		fl.slots <- struct{}{}
	}
}

// sendOne takes an envelope for c's target and sends it. It returns false
// if c's connection failed.
func (l *load) sendOne(c *client, to *benchOrg, slots chan struct{}, wait bool) bool {
	var env *sealed
	if wait {
		env = <-to.pool
	} else {
		select {
		case env = <-to.pool:
		default:
			return true // none free: the offered load exceeds the pool
		}
	}
	if d := time.Until(env.freeAt.Add(reuseDelay)); d > 0 {
		time.Sleep(d)
	}
	fl := &flight{env: env, pool: to.pool, req: l.reqs.Add(1), sent: time.Now(), remaining: len(to.devices), slots: slots}
	l.mu.Lock()
	l.inflight[env.id] = fl
	l.byReq[fl.req] = fl
	l.mu.Unlock()
	return c.sendEnvelope(fl.req, env.bytes) == nil
}

// sendEnvelope writes a Send of env in pieces (the websocket copies it into
// its buffer once, masking it, rather than after a copy into a new frame).
func (c *client) sendEnvelope(req uint64, env []byte) error {
	head, tail := envelopeFrameParts(protocol.TypeSend, req, len(env))
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(30 * time.Second))
	w, err := c.ws.NextWriter(websocket.BinaryMessage)
	if err != nil {
		return err
	}
	for _, p := range [][]byte{head, env, tail} {
		if _, err := w.Write(p); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// closedLoop keeps window envelopes in flight from every device until ctx
// ends.
func (l *load) closedLoop(ctx context.Context, window int) {
	for _, c := range l.clients {
		to := l.bs.target(c.dev.org)
		slots := make(chan struct{}, window)
		for range window {
			slots <- struct{}{}
		}
		go func() {
			for {
				select {
				case <-slots:
				case <-ctx.Done():
					return
				}
				if ctx.Err() != nil || !l.sendOne(c, to, slots, true) {
					return
				}
			}
		}()
	}
}

// openLoop offers rate envelopes a second in total, round-robin over the
// devices, until ctx ends.
func (l *load) openLoop(ctx context.Context, rate float64) {
	targets := make([]*benchOrg, len(l.clients))
	for i, c := range l.clients {
		targets[i] = l.bs.target(c.dev.org)
	}
	go func() {
		start := time.Now()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var sent int64
		next := 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			due := int64(rate * time.Since(start).Seconds())
			for ; sent < due; sent++ {
				c := l.clients[next]
				l.sendOne(c, targets[next], nil, false)
				next = (next + 1) % len(l.clients)
			}
		}
	}()
}

// measure runs the loop started by start for a warm-up and then for d, and
// returns envelopes completed per second and the Send→Deliver latencies;
// see l.cpu for the CPU time it records.
func (l *load) measure(ctx context.Context, d time.Duration, start func(context.Context)) (float64, []time.Duration) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start(ctx)
	sleep(ctx, d/5)
	l.mu.Lock()
	l.lat = l.lat[:0]
	l.mu.Unlock()
	l.completed.Store(0)
	l.measuring.Store(true)
	cpu0 := readCPU(l.cpu)
	began := time.Now()
	sleep(ctx, d)
	n := l.completed.Load()
	elapsed := time.Since(began)
	l.measuring.Store(false)
	cpu1 := readCPU(l.cpu)
	l.cpuPerMsg = make([]time.Duration, len(l.cpu))
	for i := range l.cpu {
		if cpu0[i] >= 0 && cpu1[i] >= 0 && n > 0 {
			l.cpuPerMsg[i] = (cpu1[i] - cpu0[i]) / time.Duration(n)
		}
	}
	cancel()
	l.mu.Lock()
	lat := slices.Clone(l.lat)
	l.mu.Unlock()
	slices.Sort(lat)
	return float64(n) / elapsed.Seconds(), lat
}

// readCPU reads every reader, -1 for one that fails.
func readCPU(readers []func() (time.Duration, error)) []time.Duration {
	t := make([]time.Duration, len(readers))
	for i, read := range readers {
		d, err := read()
		if err != nil {
			d = -1
		}
		t[i] = d
	}
	return t
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// percentile returns the p-th percentile of sorted, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(sorted)-1))
	return float64(sorted[i].Microseconds()) / 1000
}
