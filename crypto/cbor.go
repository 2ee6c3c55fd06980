package crypto

import (
	"bytes"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// codec holds the CBOR encoding and decoding modes. Both modes are immutable
// and safe for concurrent use; newCodec builds them once per package through
// the unexported value below, which is never reassigned.
type codec struct {
	enc cbor.EncMode
	dec cbor.DecMode
}

// wire is the package's CBOR codec: deterministic (core) encoding to write,
// strict limits to read.
var wire = newCodec()

func newCodec() codec {
	eo := cbor.CoreDetEncOptions()
	eo.NilContainers = cbor.NilContainerAsEmpty
	em, err := eo.EncMode()
	if err != nil {
		panic(fmt.Sprintf("crypto: cbor encode options: %v", err))
	}
	dm, err := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:   16,
		MaxArrayElements:  4096,
		MaxMapPairs:       64,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
		UTF8:              cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(fmt.Sprintf("crypto: cbor decode options: %v", err))
	}
	return codec{enc: em, dec: dm}
}

// marshal encodes v in deterministic CBOR.
func (c codec) marshal(v any) ([]byte, error) {
	b, err := c.enc.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cbor encode: %w", err)
	}
	return b, nil
}

// unmarshal decodes b into v strictly and then insists that b is exactly the
// deterministic encoding of what was decoded: every field present, no
// alternative integer or length encodings, no trailing bytes. This makes
// every accepted object have one byte form.
func (c codec) unmarshal(b []byte, v any) error {
	if err := c.dec.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: cbor: %v", ErrMalformed, err)
	}
	again, err := c.enc.Marshal(v)
	if err != nil {
		return fmt.Errorf("%w: cbor re-encode: %v", ErrMalformed, err)
	}
	if !bytes.Equal(again, b) {
		return fmt.Errorf("%w: not in canonical encoding", ErrMalformed)
	}
	return nil
}
