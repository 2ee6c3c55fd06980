package relay

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Errors callers branch on.
var (
	// ErrBadURL means the relay URL cannot be used at all.
	ErrBadURL = errors.New("bad relay url")
	// ErrInsecureURL means a ws:// URL names a host that is not loopback.
	ErrInsecureURL = errors.New("plain ws:// is only allowed to a loopback address")
	// ErrOriginMismatch means the relay's ServerHello names another origin.
	ErrOriginMismatch = errors.New("relay origin does not match the url dialled")
	// ErrClosed means the connection is closed.
	ErrClosed = errors.New("relay connection closed")
	// ErrProtocol means the relay broke the protocol.
	ErrProtocol = errors.New("relay protocol violation")
)

// ConnectPath is the websocket endpoint on the relay base URL.
const ConnectPath = "/v1/connect"

// Endpoint is a checked relay URL.
type Endpoint struct {
	// Connect is the websocket URL to dial (base + ConnectPath).
	Connect string
	// Origin is scheme://host[:port], normalised as the package doc says.
	Origin string
}

// ParseURL checks a relay base URL and returns where to connect and the
// origin to expect and sign.
func ParseURL(raw string) (*Endpoint, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadURL, raw, err)
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "ws", "wss":
	case "http":
		scheme = "ws"
	case "https":
		scheme = "wss"
	default:
		return nil, fmt.Errorf("%w %q: scheme must be wss:// (or ws:// on loopback)", ErrBadURL, raw)
	}
	if u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%w %q: no host", ErrBadURL, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w %q: user info, query and fragment are not allowed", ErrBadURL, raw)
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "ws" && port == "80") || (scheme == "wss" && port == "443") {
		port = ""
	}
	if scheme == "ws" && !isLoopback(host) {
		return nil, fmt.Errorf("%w: %s", ErrInsecureURL, raw)
	}
	hostport := host
	if strings.Contains(host, ":") {
		hostport = "[" + host + "]"
	}
	if port != "" {
		hostport = net.JoinHostPort(host, port)
	}
	origin := scheme + "://" + hostport
	path := strings.TrimSuffix(u.EscapedPath(), "/") + ConnectPath
	return &Endpoint{Connect: origin + path, Origin: origin}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// normaliseOrigin puts an origin from a ServerHello in the same form as
// Endpoint.Origin so that the two compare equal when they name the same
// place.
func normaliseOrigin(origin string) (string, error) {
	ep, err := ParseURL(origin)
	if err != nil {
		// A relay may legitimately sit behind TLS on a non-loopback host
		// while naming itself ws:// in development; never accept that.
		return "", err
	}
	return ep.Origin, nil
}
