package server

import (
	"context"
	"crypto/ed25519"
	"errors"
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
	s.connWG.Add(1)
	s.mu.Unlock()
	s.metrics.authenticated.Inc()
	c.log("device authenticated")
	c.enqueue(&protocol.AuthOK{Device: f.Device, Org: [16]byte(c.org)})
	go c.deliverLoop(ctx)
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
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.accepted[string(sig)]
	return ok
}

func (s *Server) acceptSignature(sig []byte, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accepted[string(sig)]; ok {
		return false
	}
	for k, t := range s.accepted {
		if now.Sub(t) > 2*s.cfg.ClockSkew {
			delete(s.accepted, k)
		}
	}
	s.accepted[string(sig)] = now
	return true
}
