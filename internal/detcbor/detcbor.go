// Package detcbor is Saferef's one CBOR codec: core deterministic encoding
// (RFC 8949 section 4.2.1, nil slices as empty arrays) to write, and strict
// decoding to read — duplicate keys, indefinite lengths, tags and invalid
// UTF-8 are errors, and nesting, array and map sizes are bounded by the
// caller's Limits. UnmarshalCanonical also insists that the bytes are the
// one encoding Marshal produces, so that every accepted object has one byte
// form and a signature over it cannot be malleated.
//
// The crypto, protocol and payload packages and the enrolment request all
// use it.
package detcbor

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// ErrNotCanonical means the bytes decoded but are not the deterministic
// encoding of what they decoded to (a missing key, a fixed-size byte string
// of the wrong length, a non-shortest integer, unsorted keys, trailing
// bytes).
var ErrNotCanonical = errors.New("not the deterministic encoding (missing key, wrong length or non-canonical CBOR)")

// Limits bound what a Codec decodes.
type Limits struct {
	MaxNesting       int // nested arrays and maps, counting the outermost as 1
	MaxArrayElements int
	MaxMapPairs      int
	// AllowUnknownFields decodes a map with keys the struct does not have
	// instead of failing (the canonical check still rejects them).
	AllowUnknownFields bool
}

// Codec encodes deterministically and decodes strictly. It is immutable
// and safe for concurrent use.
type Codec struct {
	enc cbor.UserBufferEncMode
	dec cbor.DecMode
}

// bufs lends UnmarshalCanonical and MarshalToBuffer's callers a buffer to
// encode into, so that an encoding that is only compared or copied costs
// no allocation of its size.
var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest buffer put back into bufs.
const maxPooled = 256 << 10

// GetBuffer returns an empty buffer from the pool; give it back with
// PutBuffer once nothing refers to its bytes.
func GetBuffer() *bytes.Buffer {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// PutBuffer returns b to the pool (unless it has grown very large).
func PutBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		bufs.Put(b)
	}
}

// New builds a Codec with the given limits.
func New(l Limits) (Codec, error) {
	eo := cbor.CoreDetEncOptions()
	eo.NilContainers = cbor.NilContainerAsEmpty
	em, err := eo.UserBufferEncMode()
	if err != nil {
		return Codec{}, fmt.Errorf("cbor encode options: %w", err)
	}
	do := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:   l.MaxNesting,
		MaxArrayElements:  l.MaxArrayElements,
		MaxMapPairs:       l.MaxMapPairs,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
		UTF8:              cbor.UTF8RejectInvalid,
	}
	if !l.AllowUnknownFields {
		do.ExtraReturnErrors = cbor.ExtraDecErrorUnknownField
	}
	dm, err := do.DecMode()
	if err != nil {
		return Codec{}, fmt.Errorf("cbor decode options: %w", err)
	}
	return Codec{enc: em, dec: dm}, nil
}

// Must is New for limits fixed at compile time; it panics on limits the
// CBOR library refuses.
func Must(l Limits) Codec {
	c, err := New(l)
	if err != nil {
		panic("detcbor: " + err.Error())
	}
	return c
}

// Marshal encodes v deterministically.
func (c Codec) Marshal(v any) ([]byte, error) {
	return c.enc.Marshal(v)
}

// MarshalToBuffer appends the deterministic encoding of v to buf.
func (c Codec) MarshalToBuffer(v any, buf *bytes.Buffer) error {
	return c.enc.MarshalToBuffer(v, buf)
}

// Unmarshal decodes b into v strictly, without the canonical check.
func (c Codec) Unmarshal(b []byte, v any) error {
	return c.dec.Unmarshal(b, v)
}

// UnmarshalCanonical decodes b into v strictly and then checks that b is
// exactly Marshal(v); otherwise the error wraps ErrNotCanonical.
func (c Codec) UnmarshalCanonical(b []byte, v any) error {
	if err := c.dec.Unmarshal(b, v); err != nil {
		return err
	}
	again := GetBuffer()
	defer PutBuffer(again)
	if err := c.enc.MarshalToBuffer(v, again); err != nil {
		return fmt.Errorf("re-encode: %w", err)
	}
	if !bytes.Equal(again.Bytes(), b) {
		return ErrNotCanonical
	}
	return nil
}
