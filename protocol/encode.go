package protocol

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/saferef/saferef/internal/detcbor"
)

// wireFrame is the outer map of every frame: {"b": body, "t": type, "v": version}.
type wireFrame struct {
	Body    frameBody `cbor:"b"`
	Type    uint64    `cbor:"t"`
	Version uint64    `cbor:"v"`
}

// frameBody is a frame's body as raw CBOR, as cbor.RawMessage but decoded
// without a copy: it aliases the frame's bytes, and Decode decodes it into
// the frame's struct (which copies what it keeps) before returning.
type frameBody []byte

// MarshalCBOR returns the body as it is.
func (r frameBody) MarshalCBOR() ([]byte, error) {
	if len(r) == 0 {
		return []byte{0xf6}, nil // null, as cbor.RawMessage
	}
	return r, nil
}

// UnmarshalCBOR keeps b, one well-formed item of the frame being decoded.
func (r *frameBody) UnmarshalCBOR(b []byte) error {
	*r = b
	return nil
}

// Encode returns the deterministic CBOR encoding of f:
// {"b": body, "t": type, "v": Version}, where body is the frame's fields as a
// CBOR map. It refuses (with ErrMalformed) a frame that breaks a field limit,
// and (with ErrFrameTooLarge) one larger than MaxFrameSize, so that whatever
// Encode returns, Decode accepts.
func Encode(f Frame) ([]byte, error) {
	if f == nil {
		return nil, fmt.Errorf("encode frame: %w: nil frame", ErrMalformed)
	}
	if v := reflect.ValueOf(f); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, fmt.Errorf("encode frame: %w: nil %T", ErrMalformed, f)
	}
	t := f.FrameType()
	c, ok := f.(checker)
	if !ok || newFrame(t) == nil {
		return nil, fmt.Errorf("encode %T: %w: type 0x%02x", f, ErrUnknownFrame, uint8(t))
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("encode %v frame: %w: %w", t, ErrMalformed, err)
	}
	// The body is encoded into a pooled buffer, copied once into the frame.
	body := detcbor.GetBuffer()
	defer detcbor.PutBuffer(body)
	if err := frameCodec.MarshalToBuffer(f, body); err != nil {
		return nil, fmt.Errorf("encode %v frame body: %w", t, err)
	}
	b, err := frameCodec.Marshal(wireFrame{Body: body.Bytes(), Type: uint64(t), Version: Version})
	if err != nil {
		return nil, fmt.Errorf("encode %v frame: %w", t, err)
	}
	if len(b) > MaxFrameSize {
		return nil, fmt.Errorf("encode %v frame: %w: %d bytes", t, ErrFrameTooLarge, len(b))
	}
	return b, nil
}

// Decode reads one frame. It checks the size first (ErrFrameTooLarge), then
// the version (ErrVersion) and type (ErrUnknownFrame), then decodes the body
// strictly: duplicate or unknown keys, missing keys, indefinite lengths, tags,
// wrong types, values breaking a limit and any encoding other than the
// deterministic one Encode produces are ErrMalformed. Errors wrap one of the
// sentinels with context. Decode never panics. It returns a pointer to the
// frame struct, e.g. *Send.
func Decode(b []byte) (Frame, error) {
	if len(b) > MaxFrameSize {
		return nil, fmt.Errorf("decode frame: %w: %d bytes, limit %d", ErrFrameTooLarge, len(b), MaxFrameSize)
	}
	var w wireFrame
	if err := outerCodec.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("decode frame: %w: %w", ErrMalformed, err)
	}
	if w.Version != Version {
		return nil, fmt.Errorf("decode frame: %w: version %d, want %d", ErrVersion, w.Version, Version)
	}
	if w.Type > 0xff || newFrame(Type(w.Type)) == nil {
		return nil, fmt.Errorf("decode frame: %w: type 0x%02x", ErrUnknownFrame, w.Type)
	}
	t := Type(w.Type)
	f := newFrame(t)
	if w.Body == nil {
		return nil, fmt.Errorf("decode %v frame: %w: no body", t, ErrMalformed)
	}
	if err := frameCodec.Unmarshal(w.Body, f); err != nil {
		return nil, fmt.Errorf("decode %v frame: %w: %w", t, ErrMalformed, err)
	}
	if err := f.(checker).check(); err != nil {
		return nil, fmt.Errorf("decode %v frame: %w: %w", t, ErrMalformed, &limitError{err})
	}
	// Accept only the one encoding Encode produces: this rejects missing
	// keys, unknown outer keys, non-shortest integers, unsorted keys and
	// fixed-size byte strings of the wrong length in one place, by one walk
	// over the bytes rather than a second encoding (FuzzDecode checks that
	// whatever passes encodes to exactly the input).
	if err := checkCanonical(b, reflect.TypeOf(f).Elem()); err != nil {
		return nil, fmt.Errorf("decode %v frame: %w: %w", t, ErrMalformed, err)
	}
	return f, nil
}

var errNotCanonical = errors.New("not the deterministic encoding (missing key, wrong length or non-canonical CBOR)")
