package server

import (
	"context"
	"crypto/ed25519"
	"errors"
	"sync"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol"
)

// handleAuth checks a device's answer to the connection's challenge: the
// device must be in the directory and current, its timestamp near the
// relay's clock, and its signature over the nonce, the relay's origin, the
// timestamp and its id valid under its certified signing key. Any failure
// ends the connection.
func (c *conn) handleAuth(ctx context.Context, f *protocol.Auth) bool {
	s := c.s
	if c.authSeen {
		c.sendError(protocol.CodeAuthReplayed, "this connection has already authenticated", 0, true)
		return false
	}
	c.authSeen = true
	now := s.cfg.Now()
	if d := now.Sub(time.Unix(f.Time, 0)); d > s.cfg.ClockSkew || d < -s.cfg.ClockSkew {
		c.sendError(protocol.CodeAuthStale, "authentication timestamp is too far from the relay's clock; check this computer's date and time", 0, true)
		return false
	}
	id := crypto.DeviceID(f.Device)
	dev, err := s.lookupDevice(ctx, id)
	if err != nil && !errors.Is(err, crypto.ErrUnknownDevice) {
		c.storeFailed(ctx, "look up device", err, 0, true)
		return false
	}
	if err != nil {
		c.sendError(protocol.CodeAuthFailed, "this device is not enrolled in the scheme; ask your organisation admin to approve it", 0, true)
		return false
	}
	if dev.Revoked != nil {
		c.sendError(protocol.CodeDeviceRevoked, "this device has been revoked; ask your organisation admin", 0, true)
		return false
	}
	if err := s.checkDevice(id); err != nil {
		c.sendError(protocol.CodeDeviceRevoked, "this device's organisation or certificate is no longer valid; ask your organisation admin", 0, true)
		return false
	}
	msg := protocol.AuthMessage(c.nonce, s.cfg.Origin, f.Time, f.Device)
	if !ed25519.Verify(dev.Cert.SigningKey, msg, f.Sig) {
		reason := "signature does not match this connection's challenge"
		code := protocol.CodeAuthFailed
		if s.seenSignature(f.Sig) {
			code, reason = protocol.CodeAuthReplayed, "this authentication was already used"
		}
		c.sendError(code, reason, 0, true)
		return false
	}
	if !s.acceptSignature(f.Sig, now) {
		c.sendError(protocol.CodeAuthReplayed, "this authentication was already used", 0, true)
		return false
	}

	c.device, c.org, c.authed = id, dev.Cert.Org, true
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return false
	}
	m := s.byOrg[c.org]
	if m == nil {
		m = make(map[*conn]struct{})
		s.byOrg[c.org] = m
	}
	m[c] = struct{}{}
	s.mu.Unlock()
	s.metrics.authenticated.Inc()
	c.log("device authenticated")
	c.startDelivery(&protocol.AuthOK{Device: f.Device, Org: [16]byte(c.org)})
	return true
}

// lookupDevice finds a device in the directory, reloading the directory
// from the store once if the device is unknown (another relay node may have
// accepted its certificate).
func (s *Server) lookupDevice(ctx context.Context, id crypto.DeviceID) (*crypto.DeviceEntry, error) {
	dev, err := s.dir.Device(id)
	if errors.Is(err, crypto.ErrUnknownDevice) {
		if rerr := s.reloadDirectory(ctx); rerr != nil {
			return nil, rerr
		}
		dev, err = s.dir.Device(id)
	}
	return dev, err
}

// checkDevice reports whether a device may still use the relay now: it is
// known, neither it nor its organisation is revoked, and its certificate is
// valid.
func (s *Server) checkDevice(id crypto.DeviceID) error {
	_, _, err := s.dir.SenderAt(id, s.cfg.Now())
	return err
}

// seenSignature and acceptSignature keep the auth signatures accepted in the
// last two clock-skew windows, so that a captured Auth frame cannot be
// played again even against a connection with the same nonce.
func (s *Server) seenSignature(sig []byte) bool {
	return s.replay.seen(sig)
}

func (s *Server) acceptSignature(sig []byte, now time.Time) bool {
	return s.replay.accept(sig, now, 2*s.cfg.ClockSkew)
}

// replayGuard remembers accepted auth signatures for a window. Signatures
// are kept in a map for lookup and in acceptance order in a FIFO, so that
// forgetting the expired ones costs only those, not a scan of the map.
type replayGuard struct {
	mu       sync.Mutex
	accepted map[string]time.Time // guarded by mu
	order    []acceptedSig        // guarded by mu: acceptance order, oldest first, from head on
	head     int                  // guarded by mu: order[:head] are forgotten
}

type acceptedSig struct {
	sig string
	at  time.Time
}

func (g *replayGuard) seen(sig []byte) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.accepted[string(sig)]
	return ok
}

// accept records sig at now and reports whether it was new; signatures
// accepted more than window before now are forgotten first.
func (g *replayGuard) accept(sig []byte, now time.Time, window time.Duration) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.accepted == nil {
		g.accepted = make(map[string]time.Time)
	}
	for g.head < len(g.order) && now.Sub(g.order[g.head].at) > window {
		delete(g.accepted, g.order[g.head].sig)
		g.order[g.head] = acceptedSig{}
		g.head++
	}
	if g.head > 64 && g.head > len(g.order)/2 {
		// Compact now and then: amortised, each entry is moved a bounded
		// number of times.
		g.order = append(g.order[:0], g.order[g.head:]...)
		g.head = 0
	}
	if _, ok := g.accepted[string(sig)]; ok {
		return false
	}
	k := string(sig)
	g.accepted[k] = now
	g.order = append(g.order, acceptedSig{sig: k, at: now})
	return true
}
