package protocol

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode checks that Decode never panics, returns only its sentinel
// errors, and that whatever it accepts re-encodes to exactly the input.
func FuzzDecode(f *testing.F) {
	for _, fr := range exampleFrames() {
		b, err := Encode(fr)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{0xa3, 0x61, 0x62, 0xbf, 0xff, 0x61, 0x74, 0x14, 0x61, 0x76, 0x01})
	f.Fuzz(func(t *testing.T, in []byte) {
		fr, err := Decode(in)
		if err != nil {
			if fr != nil {
				t.Fatalf("frame and error: %v", err)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrVersion) &&
				!errors.Is(err, ErrUnknownFrame) && !errors.Is(err, ErrFrameTooLarge) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		out, err := Encode(fr)
		if err != nil {
			t.Fatalf("accepted frame does not encode: %v", err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("accepted %x, re-encodes to %x", in, out)
		}
	})
}

// BenchmarkDecodeSend decodes a Send frame carrying a 4 KiB envelope, the
// relay's most frequent frame.
func BenchmarkDecodeSend(b *testing.B) {
	env := bytes.Repeat([]byte{0x5a}, 4096)
	in, err := Encode(&Send{ReqID: 12345, Envelope: env})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(in); err != nil {
			b.Fatal(err)
		}
	}
}
