package main

import (
	"encoding/binary"
	"errors"
	"io"

	"github.com/gorilla/websocket"

	"github.com/saferef/saferef/protocol"
)

// The load generator and the forwarder read and write the few frames they
// handle with a minimal CBOR walk, so that their own cost stays small next
// to the relay's (which decodes every frame fully and strictly). Frames are
// produced exactly as protocol.Encode would (core deterministic CBOR).

var errShort = errors.New("short CBOR")

// head reads one CBOR item head at b[0:].
func head(b []byte) (major byte, arg uint64, n int, err error) {
	if len(b) == 0 {
		return 0, 0, 0, errShort
	}
	major, ai := b[0]>>5, b[0]&0x1f
	switch {
	case ai < 24:
		return major, uint64(ai), 1, nil
	case ai == 24 && len(b) >= 2:
		return major, uint64(b[1]), 2, nil
	case ai == 25 && len(b) >= 3:
		return major, uint64(binary.BigEndian.Uint16(b[1:])), 3, nil
	case ai == 26 && len(b) >= 5:
		return major, uint64(binary.BigEndian.Uint32(b[1:])), 5, nil
	case ai == 27 && len(b) >= 9:
		return major, binary.BigEndian.Uint64(b[1:]), 9, nil
	}
	return 0, 0, 0, errShort
}

// skip returns the length of the item at b[0:] (strings, integers, simple
// values and maps or arrays of them).
func skip(b []byte) (int, error) {
	major, arg, n, err := head(b)
	if err != nil {
		return 0, err
	}
	switch major {
	case 2, 3:
		if uint64(len(b)-n) < arg {
			return 0, errShort
		}
		return n + int(arg), nil
	case 4, 5:
		items := arg
		if major == 5 {
			items *= 2
		}
		off := n
		for range items {
			k, err := skip(b[off:])
			if err != nil {
				return 0, err
			}
			off += k
		}
		return off, nil
	}
	return n, nil
}

// field returns the raw item under text key in the map at b[0:].
func field(b []byte, key string) ([]byte, error) {
	major, pairs, n, err := head(b)
	if err != nil || major != 5 {
		return nil, errShort
	}
	off := n
	for range pairs {
		km, klen, kn, err := head(b[off:])
		if err != nil || km != 3 || uint64(len(b)-off-kn) < klen {
			return nil, errShort
		}
		k := string(b[off+kn : off+kn+int(klen)])
		off += kn + int(klen)
		vlen, err := skip(b[off:])
		if err != nil {
			return nil, err
		}
		if k == key {
			return b[off : off+vlen], nil
		}
		off += vlen
	}
	return nil, errShort
}

// bytesOf returns the content of the byte string item at b[0:].
func bytesOf(b []byte) ([]byte, error) {
	major, arg, n, err := head(b)
	if err != nil || major != 2 || uint64(len(b)-n) < arg {
		return nil, errShort
	}
	return b[n : n+int(arg)], nil
}

// frameType returns the type of a frame.
func frameType(frame []byte) (protocol.Type, []byte, error) {
	t, err := field(frame, "t")
	if err != nil {
		return 0, nil, err
	}
	_, typ, _, err := head(t)
	if err != nil {
		return 0, nil, err
	}
	body, err := field(frame, "b")
	return protocol.Type(typ), body, err
}

// envelopeFields returns an outer envelope's id and mailbox.
func envelopeFields(env []byte) (id, to [16]byte, err error) {
	for _, f := range []struct {
		key string
		dst *[16]byte
	}{{"id", &id}, {"to", &to}} {
		raw, err := field(env, f.key)
		if err != nil {
			return id, to, err
		}
		b, err := bytesOf(raw)
		if err != nil || len(b) != 16 {
			return id, to, errShort
		}
		copy(f.dst[:], b)
	}
	return id, to, nil
}

func appendHead(b []byte, major byte, arg uint64) []byte {
	switch {
	case arg < 24:
		return append(b, major<<5|byte(arg))
	case arg < 1<<8:
		return append(b, major<<5|24, byte(arg))
	case arg < 1<<16:
		return binary.BigEndian.AppendUint16(append(b, major<<5|25), uint16(arg))
	case arg < 1<<32:
		return binary.BigEndian.AppendUint32(append(b, major<<5|26), uint32(arg))
	}
	return binary.BigEndian.AppendUint64(append(b, major<<5|27), arg)
}

// envelopeFrame encodes a Send (with reqID) or a Deliver (reqID ignored)
// carrying env, as protocol.Encode would.
func envelopeFrame(t protocol.Type, reqID uint64, env []byte) []byte {
	head, tail := envelopeFrameParts(t, reqID, len(env))
	b := make([]byte, 0, len(head)+len(env)+len(tail))
	return append(append(append(b, head...), env...), tail...)
}

// envelopeFrameParts returns what goes before and after an envelope of
// envLen bytes in the frame envelopeFrame encodes, so that a frame can be
// written in pieces without copying the envelope into a new slice first.
func envelopeFrameParts(t protocol.Type, reqID uint64, envLen int) (head, tail []byte) {
	return protocol.AppendEnvelopeHead(nil, t, envLen), protocol.AppendEnvelopeTail(nil, t, reqID)
}

// ackFrame encodes an Ack of one envelope id, as protocol.Encode would.
func ackFrame(id [16]byte) []byte {
	b := make([]byte, 0, 32)
	b = append(b, 0xa3, 0x61, 'b', 0xa1, 0x63, 'i', 'd', 's', 0x81, 0x50)
	b = append(b, id[:]...)
	b = append(b, 0x61, 't')
	b = appendHead(b, 0, uint64(protocol.TypeAck))
	return append(b, 0x61, 'v', 0x01)
}

// sendOKFrame encodes a SendOK, as protocol.Encode would.
func sendOKFrame(reqID uint64, id [16]byte) []byte {
	b := make([]byte, 0, 48)
	b = append(b, 0xa3, 0x61, 'b', 0xa2, 0x61, 'r')
	b = appendHead(b, 0, reqID)
	b = append(b, 0x62, 'i', 'd', 0x50)
	b = append(b, id[:]...)
	b = append(b, 0x61, 't')
	b = appendHead(b, 0, uint64(protocol.TypeSendOK))
	return append(b, 0x61, 'v', 0x01)
}

// frameReader reads whole websocket messages into one buffer that it
// reuses, grown to the largest message seen: unlike ReadMessage it neither
// allocates per message nor reads a large frame a few hundred bytes at a
// time (once the header is in, the rest of a frame arrives in one read).
// A returned message is valid until the next call.
type frameReader struct {
	ws  *websocket.Conn
	buf []byte
}

func (r *frameReader) next() ([]byte, error) {
	_, mr, err := r.ws.NextReader()
	if err != nil {
		return nil, err
	}
	if len(r.buf) == 0 {
		r.buf = make([]byte, 4096)
	}
	n := 0
	for {
		if n == len(r.buf) {
			r.buf = append(r.buf, make([]byte, len(r.buf))...)
		}
		k, err := mr.Read(r.buf[n:])
		n += k
		if err == io.EOF {
			return r.buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// frameEnvelope returns the envelope a Send or Deliver frame body carries
// (its "e" field), with the envelope's id and recipient mailbox.
func frameEnvelope(body []byte) (env []byte, id, to [16]byte, err error) {
	raw, err := field(body, "e")
	if err != nil {
		return nil, id, to, err
	}
	if env, err = bytesOf(raw); err != nil {
		return nil, id, to, err
	}
	id, to, err = envelopeFields(env)
	return env, id, to, err
}
