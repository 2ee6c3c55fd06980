package server

import "sync/atomic"

// Limits on unauthenticated connections. Anyone may open a connection and
// read the directory before authenticating, so what anonymous clients can
// make the relay hold is bounded three ways: each may send at most
// Config.PreAuthFrames frames, each of at most Config.PreAuthFrameSize
// bytes; at most Config.MaxPreAuthConns may be open at once (the next is
// refused with HTTP 503 before the websocket upgrade); and all of them
// together may have at most Config.PreAuthBytes bytes of frames being read
// at any moment (a frame that would exceed it closes its connection with a
// fatal rate-limited). Each refusal is counted in
// saferef_relay_preauth_refused_total by reason.

// preAuthLimits is the relay's running count against those limits. Its
// fields are atomics: they are touched on every unauthenticated frame.
type preAuthLimits struct {
	conns atomic.Int64 // unauthenticated connections open (or being upgraded)
	bytes atomic.Int64 // bytes reserved by frames being read before authentication
}

// admitPreAuth counts a new unauthenticated connection, or reports false
// (and counts the refusal) when MaxPreAuthConns are already open.
func (s *Server) admitPreAuth() bool {
	if s.preAuth.conns.Add(1) > int64(s.cfg.MaxPreAuthConns) {
		s.preAuth.conns.Add(-1)
		s.metrics.preAuthRefused.WithLabelValues("connections").Inc()
		return false
	}
	return true
}

// leavePreAuth uncounts a connection that authenticated or closed.
func (s *Server) leavePreAuth() { s.preAuth.conns.Add(-1) }

// reservePreAuth reserves room for one frame of PreAuthFrameSize bytes in
// the shared pre-authentication budget, reporting false when there is none.
func (s *Server) reservePreAuth() bool {
	n := int64(s.cfg.PreAuthFrameSize)
	if s.preAuth.bytes.Add(n) > int64(s.cfg.PreAuthBytes) {
		s.preAuth.bytes.Add(-n)
		return false
	}
	return true
}

// releasePreAuth returns a frame's reservation.
func (s *Server) releasePreAuth() { s.preAuth.bytes.Add(-int64(s.cfg.PreAuthFrameSize)) }
