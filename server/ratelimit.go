package server

import (
	"time"

	"github.com/saferef/saferef/crypto"
)

// tokenBucket is a send-rate limiter for one device, shared by all of that
// device's connections. It is guarded by Server.mu.
type tokenBucket struct {
	tokens float64
	last   time.Time
}

// allowSend takes one token from device's bucket, reporting false if it is
// empty.
func (s *Server) allowSend(device crypto.DeviceID) bool {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.limiters[device]
	if b == nil {
		b = &tokenBucket{tokens: float64(s.cfg.SendBurst), last: now}
		s.limiters[device] = b
	}
	// Time refills the bucket up to the burst; credits from acknowledged
	// deliveries (creditSend) may take it above.
	if burst := float64(s.cfg.SendBurst); b.tokens < burst {
		b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*s.cfg.SendRate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// maxAckCredit caps the send credit a device can bank from acknowledged
// deliveries (the default mailbox quota: a full mailbox's worth of
// receipts).
const maxAckCredit = 10000

// creditSend gives device one send token per envelope it has just
// acknowledged. A device answers what it receives with at most one delivery
// receipt per envelope, so however large the backlog it drains, the
// receipts it owes can always be sent: the rate limit can slow a device
// but never lock it out of its own backlog (protocol/SPEC.md, "Rate
// limits").
func (s *Server) creditSend(device crypto.DeviceID, n int) {
	if n <= 0 {
		return
	}
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.limiters[device]
	if b == nil {
		b = &tokenBucket{tokens: float64(s.cfg.SendBurst), last: now}
		s.limiters[device] = b
	}
	b.tokens = min(b.tokens+float64(n), float64(s.cfg.SendBurst+maxAckCredit))
}

// takeDelivered returns how many of the n envelopes just acknowledged were
// delivered on this connection and not yet credited, and marks them
// credited, so that acknowledging ids the relay never sent earns nothing.
func (c *conn) takeDelivered(ids [][16]byte) int {
	n := int64(len(ids))
	for {
		have := c.uncredited.Load()
		take := max(0, min(have, n)) // below zero: own copies still to come back (handleSend)
		if c.uncredited.CompareAndSwap(have, have-take) {
			return int(take)
		}
	}
}
