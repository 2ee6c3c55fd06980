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
	b.tokens += now.Sub(b.last).Seconds() * s.cfg.SendRate
	if b.tokens > float64(s.cfg.SendBurst) {
		b.tokens = float64(s.cfg.SendBurst)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
