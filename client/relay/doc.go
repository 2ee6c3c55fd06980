// Package relay is the client side of the saferef wire protocol: a
// websocket connection to a relay's /v1/connect endpoint carrying one
// protocol frame per binary message (see protocol/SPEC.md), in the manner
// of tailscale's derphttp client.
//
// A Conn reads frames on one goroutine and dispatches them: replies to
// requests (SendOK, PublishOK, Directory, and Error frames with a request
// id) go to the waiting call; AuthOK and request-less Error frames go to
// Authenticate; Deliver and Drained frames are queued for Next. The queue is
// unbounded so that a client may ask for the directory while the relay is
// still pushing its backlog; the relay's own mailbox limits bound it.
//
// # URLs and origins
//
// The relay URL is its base (ws://127.0.0.1:8443, wss://relay.example.org,
// optionally with a path prefix); the client appends /v1/connect. http and
// https are accepted as spellings of ws and wss. Plain ws:// is refused
// unless the host is loopback (localhost, 127.0.0.0/8, ::1). The origin the
// device signs in Auth is the one it dialled: scheme://host[:port], host in
// lowercase, without a default port (80 for ws, 443 for wss). The relay's
// ServerHello must name the same origin, or Dial fails with
// ErrOriginMismatch: a device never signs a challenge for an origin other
// than the one it meant to reach.
package relay
