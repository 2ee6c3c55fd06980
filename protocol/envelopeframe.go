package protocol

import "fmt"

// The two frames that carry an envelope, Send and Deliver, can be written
// in three pieces: head, the envelope itself, tail. Written one after the
// other they are exactly the bytes Encode produces for the frame, but the
// envelope (up to a megabyte) is copied once, into the socket's buffer,
// instead of first into a newly encoded frame. The relay delivers every
// envelope this way.

// CheckDeliver reports why envelope cannot go in a Deliver frame (it is
// empty, or over MaxEnvelopeSize), as Encode would refuse it: a writer that
// builds the frame in pieces checks it first.
func CheckDeliver(envelope []byte) error {
	if err := checkEnvelope(envelope); err != nil {
		return fmt.Errorf("deliver: %w: %w", ErrMalformed, err)
	}
	return nil
}

// AppendEnvelopeHead appends to dst the bytes of a Send or Deliver frame
// (t) that come before its envelope of n bytes. It panics for any other
// frame type.
func AppendEnvelopeHead(dst []byte, t Type, n int) []byte {
	fields := byte(0xa1) // Deliver's body: {"e"}
	switch t {
	case TypeSend:
		fields = 0xa2 // {"e", "r"}
	case TypeDeliver:
	default:
		panic(fmt.Sprintf("protocol: AppendEnvelopeHead of a %v frame", t))
	}
	// The frame is the map {"b": body, "t": type, "v": version}, keys in
	// canonical order, and the body's first key is "e", the envelope.
	dst = append(dst, 0xa3, 0x61, 'b', fields, 0x61, 'e')
	return appendHead(dst, 2, uint64(n))
}

// AppendEnvelopeTail appends to dst the bytes of a Send or Deliver frame
// (t) that come after its envelope; reqID is a Send's request id and is
// ignored for Deliver. It panics for any other frame type.
func AppendEnvelopeTail(dst []byte, t Type, reqID uint64) []byte {
	switch t {
	case TypeSend:
		dst = appendHead(append(dst, 0x61, 'r'), 0, reqID)
	case TypeDeliver:
	default:
		panic(fmt.Sprintf("protocol: AppendEnvelopeTail of a %v frame", t))
	}
	dst = appendHead(append(dst, 0x61, 't'), 0, uint64(t))
	return appendHead(append(dst, 0x61, 'v'), 0, Version)
}
