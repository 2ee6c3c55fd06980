package main

import (
	"bytes"
	"testing"

	"github.com/saferef/saferef/protocol"
)

// TestEnvelopeFrameMatchesEncode: the generator's hand-made frames are the
// bytes protocol.Encode writes, and its field reader finds what it put in.
func TestEnvelopeFrameMatchesEncode(t *testing.T) {
	for _, n := range []int{1, 23, 24, 255, 256, 4096, 70000} {
		env := bytes.Repeat([]byte{7}, n)
		for _, req := range []uint64{1, 23, 24, 1 << 20, 1 << 40} {
			want, err := protocol.Encode(&protocol.Send{ReqID: req, Envelope: env})
			if err != nil {
				t.Fatal(err)
			}
			if got := envelopeFrame(protocol.TypeSend, req, env); !bytes.Equal(got, want) {
				t.Fatalf("Send of %d bytes, request %d: got %x..., want %x...", n, req, got[:12], want[:12])
			}
		}
		want, err := protocol.Encode(&protocol.Deliver{Envelope: env})
		if err != nil {
			t.Fatal(err)
		}
		got := envelopeFrame(protocol.TypeDeliver, 0, env)
		if !bytes.Equal(got, want) {
			t.Fatalf("Deliver of %d bytes differs from protocol.Encode", n)
		}
		typ, body, err := frameType(got)
		if err != nil || typ != protocol.TypeDeliver {
			t.Fatalf("frameType = %v, %v", typ, err)
		}
		raw, err := field(body, "e")
		if err != nil {
			t.Fatal(err)
		}
		if e, err := bytesOf(raw); err != nil || !bytes.Equal(e, env) {
			t.Fatalf("envelope read back wrong (%v)", err)
		}
	}
}

// TestSmallFramesMatchEncode: the hand-made Ack and SendOK are the bytes
// protocol.Encode writes.
func TestSmallFramesMatchEncode(t *testing.T) {
	id := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	want, err := protocol.Encode(&protocol.Ack{IDs: [][16]byte{id}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ackFrame(id); !bytes.Equal(got, want) {
		t.Fatalf("Ack: got %x, want %x", got, want)
	}
	for _, req := range []uint64{1, 23, 24, 1 << 20, 1 << 40} {
		want, err := protocol.Encode(&protocol.SendOK{ReqID: req, ID: id})
		if err != nil {
			t.Fatal(err)
		}
		if got := sendOKFrame(req, id); !bytes.Equal(got, want) {
			t.Fatalf("SendOK %d: got %x, want %x", req, got, want)
		}
	}
}
