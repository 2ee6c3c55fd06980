package protocol

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// build encodes an arbitrary outer map deterministically, for crafting frames
// that Encode would refuse to write.
func build(t *testing.T, v any) []byte {
	t.Helper()
	b, err := frameCodec.Marshal(v)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return b
}

func frame(t *testing.T, typ uint64, body any) []byte {
	return build(t, map[string]any{"t": typ, "v": 1, "b": body})
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	for _, f := range exampleFrames() {
		b, err := Encode(f)
		if err != nil {
			t.Fatalf("encode %v: %v", f.FrameType(), err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("decode %v: %v", f.FrameType(), err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Errorf("%v: round trip gave %#v, want %#v", f.FrameType(), got, f)
		}
		// Encoding a value (not a pointer) gives the same bytes.
		b2, err := Encode(reflect.ValueOf(f).Elem().Interface().(Frame))
		if err != nil || !bytes.Equal(b, b2) {
			t.Errorf("%v: value encoding differs: %v", f.FrameType(), err)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	nonce := exampleNonce()
	bigAck := make([][16]byte, MaxAckIDs+1)
	for i := range bigAck {
		bigAck[i][0], bigAck[i][1] = byte(i), byte(i>>8)
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"not cbor", []byte{0xff}, ErrMalformed},
		{"not a map", build(t, []int{1, 2}), ErrMalformed},
		{"too large", make([]byte, MaxFrameSize+1), ErrFrameTooLarge},
		{"version 2", frame2(t, 2), ErrVersion},
		{"version 0", frame2(t, 0), ErrVersion},
		{"version 2 other shape", build(t, map[string]any{"t": 1, "v": 2, "b": 3, "z": 4}), ErrVersion},
		{"unknown type", frame(t, 0x99, map[string]any{}), ErrUnknownFrame},
		{"type over 255", frame(t, 0x114, map[string]any{}), ErrUnknownFrame},
		{"type 0", frame(t, 0, map[string]any{}), ErrUnknownFrame},
		{"no body", build(t, map[string]any{"t": 0x14, "v": 1}), ErrMalformed},
		{"extra outer key", build(t, map[string]any{"t": 0x14, "v": 1, "b": map[string]any{}, "x": 1}), ErrMalformed},
		{"body not map", frame(t, 0x14, []int{}), ErrMalformed},
		{"unknown body key", frame(t, 0x14, map[string]any{"z": 1}), ErrMalformed},
		{"missing body key", frame(t, 0x11, map[string]any{"r": 7}), ErrMalformed},
		{"wrong key case", frame(t, 0x13, map[string]any{"IDS": [][]byte{make([]byte, 16)}}), ErrMalformed},
		{"short nonce", frame(t, 0x01, map[string]any{"n": nonce[:31], "o": exampleOrigin, "t": 1}), ErrMalformed},
		{"long nonce", frame(t, 0x01, map[string]any{"n": append(nonce[:], 0), "o": exampleOrigin, "t": 1}), ErrMalformed},
		{"nonce as array", frame(t, 0x01, map[string]any{"n": make([]int, 32), "o": exampleOrigin, "t": 1}), ErrMalformed},
		{"bad origin scheme", frame(t, 0x01, map[string]any{"n": nonce[:], "o": "https://relay.example.org", "t": 1}), ErrMalformed},
		{"origin with path", frame(t, 0x01, map[string]any{"n": nonce[:], "o": "wss://relay.example.org/x", "t": 1}), ErrMalformed},
		{"time as string", frame(t, 0x01, map[string]any{"n": nonce[:], "o": exampleOrigin, "t": "1"}), ErrMalformed},
		{"short signature", frame(t, 0x02, map[string]any{"d": make([]byte, 16), "t": 1, "s": make([]byte, 63)}), ErrMalformed},
		{"request id 0", frame(t, 0x10, map[string]any{"r": 0, "e": []byte{1}}), ErrMalformed},
		{"empty envelope", frame(t, 0x10, map[string]any{"r": 1, "e": []byte{}}), ErrMalformed},
		{"envelope too large", frame(t, 0x12, map[string]any{"e": make([]byte, MaxEnvelopeSize+1)}), ErrMalformed},
		{"empty ack", frame(t, 0x13, map[string]any{"ids": [][]byte{}}), ErrMalformed},
		{"ack too long", frame(t, 0x13, map[string]any{"ids": bigAck}), ErrMalformed},
		{"ack repeated id", frame(t, 0x13, map[string]any{"ids": [][16]byte{exampleEnvelope, exampleEnvelope}}), ErrMalformed},
		{"error code upper case", frame(t, 0x04, map[string]any{"c": "Internal", "m": "x", "r": 0, "f": true}), ErrMalformed},
		{"error message newline", frame(t, 0x04, map[string]any{"c": "internal", "m": "a\nb", "r": 0, "f": true}), ErrMalformed},
		{"fatal as int", frame(t, 0x04, map[string]any{"c": "internal", "m": "x", "r": 0, "f": 1}), ErrMalformed},
		{"object too large", frame(t, 0x20, map[string]any{"r": 1, "x": make([]byte, MaxObjectSize+1)}), ErrMalformed},
		{"directory gap", frame(t, 0x23, map[string]any{"r": 1, "s": 9, "e": []map[string]any{{"i": 1, "x": []byte{1}}, {"i": 3, "x": []byte{1}}}}), ErrMalformed},
		{"directory index beyond size", frame(t, 0x23, map[string]any{"r": 1, "s": 1, "e": []map[string]any{{"i": 1, "x": []byte{1}}}}), ErrMalformed},
		{"directory checkpoint too large", frame(t, 0x23, map[string]any{"r": 1, "s": 0, "e": []any{}, "c": make([]byte, MaxCheckpointSize+1)}), ErrMalformed},
		{"log key with space", frame(t, 0x01, map[string]any{"n": nonce[:], "o": exampleOrigin, "t": 1, "k": "a b"}), ErrMalformed},
		{"log key too long", frame(t, 0x01, map[string]any{"n": nonce[:], "o": exampleOrigin, "t": 1, "k": strings.Repeat("k", MaxLogKeyLen+1)}), ErrMalformed},
		{"proof index without flag", frame(t, 0x24, map[string]any{"r": 1, "h": false, "i": 3, "o": 0, "s": 0}), ErrMalformed},
		{"proof index beyond size", frame(t, 0x24, map[string]any{"r": 1, "h": true, "i": 5, "o": 0, "s": 5}), ErrMalformed},
		{"proof old size beyond size", frame(t, 0x24, map[string]any{"r": 1, "h": false, "i": 0, "o": 6, "s": 5}), ErrMalformed},
		{"proof request id 0", frame(t, 0x24, map[string]any{"r": 0, "h": false, "i": 0, "o": 0, "s": 0}), ErrMalformed},
		{"proof without checkpoint", frame(t, 0x25, map[string]any{"r": 1, "c": []byte{}, "inc": [][]byte{}, "con": [][]byte{}}), ErrMalformed},
		{"proof hash short", frame(t, 0x25, map[string]any{"r": 1, "c": []byte{1}, "inc": [][]byte{make([]byte, 31)}, "con": [][]byte{}}), ErrMalformed},
		{"proof too long", frame(t, 0x25, map[string]any{"r": 1, "c": []byte{1}, "inc": make([][32]byte, MaxProofHashes+1), "con": [][]byte{}}), ErrMalformed},
		{"too many directory entries", frame(t, 0x23, map[string]any{"r": 1, "s": 1 << 20, "e": make([]map[string]any, MaxDirectoryEntries+1)}), ErrMalformed},
		// {"b": {}, "t": 0x14, "v": 1} with the "t" key twice.
		{"duplicate outer key", mustHex(t, "a4 6162 a0 6174 14 6174 14 6176 01"), ErrMalformed},
		// Drained with a duplicated body key is still a duplicate.
		{"duplicate body key", mustHex(t, "a3 6162 a2 6172 09 6172 09 6174 1822 6176 01"), ErrMalformed},
		// "t": 0x14 written as a two-byte integer.
		{"non-shortest integer", mustHex(t, "a3 6162 a0 6174 1814 6176 01"), ErrMalformed},
		// keys in the order t, b, v.
		{"unsorted keys", mustHex(t, "a3 6174 14 6162 a0 6176 01"), ErrMalformed},
		// indefinite-length body map.
		{"indefinite length", mustHex(t, "a3 6162 bf ff 6174 14 6176 01"), ErrMalformed},
		// body wrapped in tag 24.
		{"tag", mustHex(t, "a3 6162 d818 a0 6174 14 6176 01"), ErrMalformed},
		{"trailing bytes", append(mustHex(t, "a3 6162 a0 6174 14 6176 01"), 0), ErrMalformed},
		{"invalid utf-8", frame(t, 0x04, map[string]any{"c": "internal", "m": "\xff", "r": 0, "f": true}), ErrMalformed},
		{"deep nesting", frame(t, 0x14, map[string]any{"z": []any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{1}}}}}}}}}), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Decode(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode = %v, %v; want error %v", f, err, tc.want)
			}
			if f != nil {
				t.Errorf("Decode returned frame %#v with error", f)
			}
		})
	}
}

// frame2 is a valid Drained frame with version v.
func frame2(t *testing.T, v int) []byte {
	return build(t, map[string]any{"t": 0x14, "v": v, "b": map[string]any{}})
}

type bogusFrame struct{}

func (bogusFrame) FrameType() Type { return 0x7f }

func TestEncodeRejects(t *testing.T) {
	tests := []struct {
		name string
		in   Frame
		want error
	}{
		{"nil", nil, ErrMalformed},
		{"nil pointer", (*Send)(nil), ErrMalformed},
		{"unknown type", bogusFrame{}, ErrUnknownFrame},
		{"ack too long", &Ack{IDs: make([][16]byte, MaxAckIDs+1)}, ErrMalformed},
		{"request id 0", &Send{Envelope: []byte{1}}, ErrMalformed},
		{"envelope too large", &Deliver{Envelope: make([]byte, MaxEnvelopeSize+1)}, ErrMalformed},
		{"no signature", &Auth{Time: 1}, ErrMalformed},
		{"empty error code", &Error{Message: "x"}, ErrMalformed},
		{"http origin", &ServerHello{Origin: "http://x"}, ErrMalformed},
		{"directory too large", &Directory{ReqID: 1, Size: 1 << 20, Entries: bigDirectory()}, ErrFrameTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Encode(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Encode = %x, %v; want error %v", b, err, tc.want)
			}
		})
	}
}

// bigDirectory has entries within every per-entry limit whose total is over
// MaxFrameSize.
func bigDirectory() []DirectoryEntry {
	var es []DirectoryEntry
	for i := range 17 {
		es = append(es, DirectoryEntry{Index: uint64(i), Object: make([]byte, MaxObjectSize)})
	}
	return es
}

func TestMaxSizeFramesRoundTrip(t *testing.T) {
	for _, f := range []Frame{
		&Send{ReqID: 1<<64 - 1, Envelope: make([]byte, MaxEnvelopeSize)},
		&Deliver{Envelope: make([]byte, MaxEnvelopeSize)},
		&Ack{IDs: make([][16]byte, 0, MaxAckIDs)},
	} {
		if a, ok := f.(*Ack); ok {
			for i := range MaxAckIDs {
				a.IDs = append(a.IDs, seq16(byte(i)))
			}
		}
		b, err := Encode(f)
		if err != nil {
			t.Fatalf("encode %v: %v", f.FrameType(), err)
		}
		if len(b) > MaxFrameSize {
			t.Fatalf("%v is %d bytes", f.FrameType(), len(b))
		}
		got, err := Decode(b)
		if err != nil || !reflect.DeepEqual(got, f) {
			t.Fatalf("decode %v: %v", f.FrameType(), err)
		}
	}
}

func TestAuthMessage(t *testing.T) {
	for _, tm := range []int64{0, 1, 23, 24, 255, 256, 65535, 65536, exampleTime, 1<<32 + 5, 1<<63 - 1, -1, -24, -25, -1 << 63} {
		for _, origin := range []string{"ws://127.0.0.1:8443", exampleOrigin, strings.Repeat("a", 300)} {
			got := AuthMessage(exampleNonce(), origin, tm, exampleDevice)
			n := exampleNonce()
			arr, err := frameCodec.Marshal([]any{n[:], origin, tm, exampleDevice[:]})
			if err != nil {
				t.Fatal(err)
			}
			want := append([]byte("saferef/v1/auth\x00"), arr...)
			if !bytes.Equal(got, want) {
				t.Fatalf("AuthMessage(t=%d, %q) =\n%x\nwant\n%x", tm, origin, got, want)
			}
		}
	}
	// The example Auth frame's signature verifies over the message, and a
	// change to any bound value breaks it.
	a := exampleFrames()[1].(*Auth)
	pub := exampleDeviceKey().Public().(ed25519.PublicKey)
	if !ed25519.Verify(pub, AuthMessage(exampleNonce(), exampleOrigin, a.Time, a.Device), a.Sig) {
		t.Fatal("example signature does not verify")
	}
	if ed25519.Verify(pub, AuthMessage(exampleNonce(), "wss://evil.example.org", a.Time, a.Device), a.Sig) {
		t.Fatal("signature verifies for another origin")
	}
	if ed25519.Verify(pub, AuthMessage(exampleNonce(), exampleOrigin, a.Time+1, a.Device), a.Sig) {
		t.Fatal("signature verifies for another time")
	}
}

func TestCodeFor(t *testing.T) {
	cases := map[string]string{
		"":                           CodeMalformedFrame,
		"0a":                         CodeMalformedFrame,
		"a3616280617414617602":       CodeUnsupportedVersion,
		"a36162a0617418ff617601":     CodeUnknownFrame,
		"a36162a0617418ff61760100ff": CodeMalformedFrame,
	}
	for in, want := range cases {
		_, err := Decode(mustHex(t, in))
		if got := CodeFor(err); got != want {
			t.Errorf("CodeFor(Decode(%s)) = %q (%v), want %q", in, got, err, want)
		}
	}
	_, err := Decode(make([]byte, MaxFrameSize+1))
	if got := CodeFor(err); got != CodeFrameTooLarge {
		t.Errorf("CodeFor(too large) = %q", got)
	}
	seen := map[string]bool{}
	for _, c := range ErrorCodes() {
		if seen[c] {
			t.Errorf("code %q twice", c)
		}
		seen[c] = true
		if err := (Error{Code: c, Message: "x"}).check(); err != nil {
			t.Errorf("code %q is not a valid error code: %v", c, err)
		}
	}
	if len(seen) != 17 {
		t.Errorf("%d error codes, want 17", len(seen))
	}
}

func TestErrorIsError(t *testing.T) {
	var err error = &Error{Code: CodeAuthStale, Message: "clock is 5 minutes ahead", Fatal: true}
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeAuthStale {
		t.Fatalf("errors.As failed: %v", err)
	}
	if got, want := err.Error(), "relay error auth-stale: clock is 5 minutes ahead"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestTypeString(t *testing.T) {
	for _, typ := range Types() {
		if newFrame(typ) == nil || newFrame(typ).FrameType() != typ {
			t.Errorf("newFrame(%v) wrong", typ)
		}
		if strings.HasPrefix(typ.String(), "Type(") {
			t.Errorf("%d has no name", typ)
		}
	}
	if got := Type(0x99).String(); got != "Type(0x99)" {
		t.Errorf("String = %q", got)
	}
}

func BenchmarkDecodeDeliver(b *testing.B) {
	f, err := Encode(&Deliver{Envelope: make([]byte, MaxEnvelopeSize)})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(f)))
	for b.Loop() {
		if _, err := Decode(f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSend(b *testing.B) {
	f := &Send{ReqID: 1, Envelope: make([]byte, 64<<10)}
	for b.Loop() {
		if _, err := Encode(f); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDirections(t *testing.T) {
	relay := map[Type]bool{TypeServerHello: true, TypeAuthOK: true, TypeError: true, TypeSendOK: true,
		TypeDeliver: true, TypeDrained: true, TypePublishOK: true, TypeDirectory: true, TypeProof: true}
	for _, typ := range Types() {
		if typ.SentByRelay() != relay[typ] {
			t.Errorf("%v.SentByRelay() = %v", typ, typ.SentByRelay())
		}
		want := typ == TypeAuth || typ == TypePublish || typ == TypeDirectoryGet || typ == TypeProofGet
		if typ.AllowedBeforeAuth() != want {
			t.Errorf("%v.AllowedBeforeAuth() = %v", typ, !want)
		}
	}
}
