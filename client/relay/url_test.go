package relay

import (
	"errors"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in, connect, origin string
		err                 error
	}{
		{"ws://127.0.0.1:8443", "ws://127.0.0.1:8443/v1/connect", "ws://127.0.0.1:8443", nil},
		{"ws://localhost:8443/", "ws://localhost:8443/v1/connect", "ws://localhost:8443", nil},
		{"ws://[::1]:8443", "ws://[::1]:8443/v1/connect", "ws://[::1]:8443", nil},
		{"wss://Relay.Example.org", "wss://relay.example.org/v1/connect", "wss://relay.example.org", nil},
		{"wss://relay.example.org:443/saferef/", "wss://relay.example.org/saferef/v1/connect", "wss://relay.example.org", nil},
		{"https://relay.example.org:8443", "wss://relay.example.org:8443/v1/connect", "wss://relay.example.org:8443", nil},
		{"ws://relay.example.org", "", "", ErrInsecureURL},
		{"ws://10.0.0.1:8443", "", "", ErrInsecureURL},
		{"ftp://relay.example.org", "", "", ErrBadURL},
		{"relay.example.org", "", "", ErrBadURL},
		{"wss://user:pw@relay.example.org", "", "", ErrBadURL},
		{"wss://relay.example.org/?x=1", "", "", ErrBadURL},
	} {
		ep, err := ParseURL(tc.in)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s: err = %v, want %v", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || ep.Connect != tc.connect || ep.Origin != tc.origin {
			t.Errorf("%s: got %+v, %v; want %s %s", tc.in, ep, err, tc.connect, tc.origin)
		}
	}
}
