package protocol_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/saferef/saferef/protocol"
)

// TestEnvelopeFramePieces: head, envelope and tail are the bytes Encode
// writes, for every length class of envelope and request id, and Decode
// reads them back.
func TestEnvelopeFramePieces(t *testing.T) {
	for _, n := range []int{1, 23, 24, 255, 256, 4096, 65535, 65536, 70000} {
		env := bytes.Repeat([]byte{7}, n)
		for _, f := range []protocol.Frame{
			&protocol.Deliver{Envelope: env},
			&protocol.Send{ReqID: 1, Envelope: env},
			&protocol.Send{ReqID: 23, Envelope: env},
			&protocol.Send{ReqID: 24, Envelope: env},
			&protocol.Send{ReqID: 1 << 20, Envelope: env},
			&protocol.Send{ReqID: 1 << 40, Envelope: env},
		} {
			want, err := protocol.Encode(f)
			if err != nil {
				t.Fatal(err)
			}
			var req uint64
			if s, ok := f.(*protocol.Send); ok {
				req = s.ReqID
			}
			got := protocol.AppendEnvelopeHead(nil, f.FrameType(), n)
			got = append(got, env...)
			got = protocol.AppendEnvelopeTail(got, f.FrameType(), req)
			if !bytes.Equal(got, want) {
				t.Fatalf("%v of %d bytes, request %d: pieces %x…%x, Encode %x…%x", f.FrameType(), n, req, got[:8], got[len(got)-8:], want[:8], want[len(want)-8:])
			}
			back, err := protocol.Decode(got)
			if err != nil {
				t.Fatalf("%v of %d bytes: Decode: %v", f.FrameType(), n, err)
			}
			if back.FrameType() != f.FrameType() {
				t.Fatalf("decoded a %v, want %v", back.FrameType(), f.FrameType())
			}
		}
	}
}

func TestEnvelopeFramePiecesOnlyForEnvelopes(t *testing.T) {
	for _, call := range []func(){
		func() { protocol.AppendEnvelopeHead(nil, protocol.TypeAck, 1) },
		func() { protocol.AppendEnvelopeTail(nil, protocol.TypeSendOK, 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic for a frame that carries no envelope")
				}
			}()
			call()
		}()
	}
}

// TestCheckDeliver: CheckDeliver refuses what Encode refuses in a Deliver.
func TestCheckDeliver(t *testing.T) {
	for _, n := range []int{0, 1, protocol.MaxEnvelopeSize, protocol.MaxEnvelopeSize + 1} {
		env := make([]byte, n)
		_, encodeErr := protocol.Encode(&protocol.Deliver{Envelope: env})
		checkErr := protocol.CheckDeliver(env)
		if (encodeErr == nil) != (checkErr == nil) {
			t.Errorf("%d bytes: CheckDeliver says %v, Encode says %v", n, checkErr, encodeErr)
		}
	}
}

func ExampleAppendEnvelopeHead() {
	envelope := []byte("an outer envelope, already encoded")
	var frame bytes.Buffer // a websocket message writer, in the relay
	frame.Write(protocol.AppendEnvelopeHead(nil, protocol.TypeDeliver, len(envelope)))
	frame.Write(envelope)
	frame.Write(protocol.AppendEnvelopeTail(nil, protocol.TypeDeliver, 0))

	f, err := protocol.Decode(frame.Bytes())
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", f.(*protocol.Deliver).Envelope)
	// Output: an outer envelope, already encoded
}
