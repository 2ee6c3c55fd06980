package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// AuthContext is the domain-separation prefix of the message a device signs
// to authenticate.
const AuthContext = "saferef/v1/auth\x00"

// AuthMaxSkew is how far, in seconds, an Auth frame's Time may be from the
// relay's clock.
const AuthMaxSkew = 120

// ServerHello (0x01, relay to device) is the first frame on every connection.
// Nonce is 32 fresh random bytes, single-use for this connection; Origin is
// the relay's origin as the device should have dialled it (for example
// "wss://relay.example.org"); Time is the relay's clock in Unix seconds, so a
// device can report clock skew instead of failing obscurely. LogKey is the
// verifier key of the relay's transparency log (note verifier key text,
// "saferef-relay/...+hash+base64", at most MaxLogKeyLen printable ASCII
// bytes), which a device pins on first contact unless its scheme file names
// one; a relay always sends it, and a device treats an empty or changed key
// as a failure.
type ServerHello struct {
	Nonce  [32]byte `cbor:"n"`
	Origin string   `cbor:"o"`
	Time   int64    `cbor:"t"`
	LogKey string   `cbor:"k"`
}

// FrameType returns TypeServerHello.
func (ServerHello) FrameType() Type { return TypeServerHello }

func (f ServerHello) check() error {
	return errors.Join(checkOrigin(f.Origin), checkLogKey(f.LogKey))
}

// checkLogKey accepts an empty key or one of printable ASCII without
// spaces, at most MaxLogKeyLen bytes.
func checkLogKey(k string) error {
	if len(k) > MaxLogKeyLen {
		return fmt.Errorf("log key is %d bytes, more than %d", len(k), MaxLogKeyLen)
	}
	for _, c := range []byte(k) {
		if c <= ' ' || c >= 0x7f {
			return fmt.Errorf("log key has a character outside printable ASCII")
		}
	}
	return nil
}

// checkOrigin accepts a ws:// or wss:// origin of printable ASCII without a
// path.
func checkOrigin(origin string) error {
	if len(origin) > MaxOriginLen {
		return fmt.Errorf("origin is %d bytes, more than %d", len(origin), MaxOriginLen)
	}
	rest, ok := strings.CutPrefix(origin, "wss://")
	if !ok {
		rest, ok = strings.CutPrefix(origin, "ws://")
	}
	if !ok || rest == "" {
		return fmt.Errorf("origin %q is not ws:// or wss://", origin)
	}
	for _, c := range []byte(rest) {
		if c <= ' ' || c >= 0x7f || c == '/' || c == '?' || c == '#' {
			return fmt.Errorf("origin %q has a path or a character outside printable ASCII", origin)
		}
	}
	return nil
}

// Auth (0x02, device to relay) answers ServerHello. Device is the device id
// from its certificate; Time is the device's clock in Unix seconds; Sig is the
// Ed25519 signature by the device's identity key over
// AuthMessage(nonce, origin, Time, Device), where nonce comes from this
// connection's ServerHello and origin is the origin the device itself dialled
// (not the one the relay claimed). The relay accepts it if the certificate is
// current and unrevoked, the signature verifies and |Time - now| <= AuthMaxSkew.
type Auth struct {
	Device [16]byte `cbor:"d"`
	Time   int64    `cbor:"t"`
	Sig    []byte   `cbor:"s"`
}

// FrameType returns TypeAuth.
func (Auth) FrameType() Type { return TypeAuth }

func (f Auth) check() error {
	if len(f.Sig) != SignatureSize {
		return fmt.Errorf("signature is %d bytes, want %d", len(f.Sig), SignatureSize)
	}
	return nil
}

// AuthOK (0x03, relay to device) says the Auth frame was accepted. Device
// repeats the authenticated device id and Org is its organisation, whose
// mailbox this connection now reads.
type AuthOK struct {
	Device [16]byte `cbor:"d"`
	Org    [16]byte `cbor:"o"`
}

// FrameType returns TypeAuthOK.
func (AuthOK) FrameType() Type { return TypeAuthOK }

func (AuthOK) check() error { return nil }

// AuthMessage returns the bytes a device signs to authenticate:
// AuthContext followed by the deterministic CBOR array
// [nonce (bstr 32), origin (tstr), t (int), device (bstr 16)].
func AuthMessage(nonce [32]byte, origin string, t int64, device [16]byte) []byte {
	b := make([]byte, 0, len(AuthContext)+1+2+32+9+len(origin)+9+1+16)
	b = append(b, AuthContext...)
	b = append(b, 0x84) // array of 4
	b = appendHead(b, 2, uint64(len(nonce)))
	b = append(b, nonce[:]...)
	b = appendHead(b, 3, uint64(len(origin)))
	b = append(b, origin...)
	if t >= 0 {
		b = appendHead(b, 0, uint64(t))
	} else {
		b = appendHead(b, 1, uint64(-(t + 1)))
	}
	b = appendHead(b, 2, uint64(len(device)))
	b = append(b, device[:]...)
	return b
}

// appendHead appends the shortest CBOR head of major type major and argument n.
func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= 0xff:
		return append(b, m|24, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

// validText reports whether s is valid UTF-8 without control characters.
func validText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}
