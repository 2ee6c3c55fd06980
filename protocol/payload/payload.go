package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/fxamacker/cbor/v2"
)

// SchemaVersion is the schema version of every payload type in this package.
const SchemaVersion = 1

// MaxSize is the largest encoded payload Unmarshal and FromJSON accept.
const MaxSize = 64 << 10

// Payload type strings, carried in the envelope's "pt" field.
const (
	TypeReferral        = "referral/v1"
	TypeCaseMessage     = "case-message/v1"
	TypeDeliveryReceipt = "delivery-receipt/v1"
)

// Sentinel errors, returned wrapped. A payload that decodes but breaks a
// field rule returns a ValidationError instead.
var (
	// ErrUnknownType means the payload type string is not one this package knows.
	ErrUnknownType = errors.New("unknown payload type")
	// ErrTooLarge means the encoded payload is larger than MaxSize.
	ErrTooLarge = errors.New("payload too large")
	// ErrMalformed means the bytes are not a valid, canonical encoding of the type.
	ErrMalformed = errors.New("malformed payload")
)

// Payload is implemented by *Referral, *CaseMessage and *DeliveryReceipt.
type Payload interface {
	// PayloadType returns the payload's type string, e.g. TypeReferral.
	PayloadType() string
	// Validate returns a ValidationError listing every field problem, or nil.
	Validate() error
}

// New returns a pointer to a zero payload of type pt.
func New(pt string) (Payload, error) {
	switch pt {
	case TypeReferral:
		return new(Referral), nil
	case TypeCaseMessage:
		return new(CaseMessage), nil
	case TypeDeliveryReceipt:
		return new(DeliveryReceipt), nil
	}
	return nil, fmt.Errorf("payload type %q: %w", pt, ErrUnknownType)
}

// Marshal validates v and returns its deterministic CBOR encoding.
func Marshal(v Payload) ([]byte, error) {
	if v == nil {
		return nil, fmt.Errorf("marshal payload: %w: nil", ErrMalformed)
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, fmt.Errorf("marshal payload: %w: nil %T", ErrMalformed, v)
	}
	if err := v.Validate(); err != nil {
		return nil, fmt.Errorf("marshal %s: %w", v.PayloadType(), err)
	}
	b, err := encMode.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", v.PayloadType(), err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("marshal %s: %w: %d bytes", v.PayloadType(), ErrTooLarge, len(b))
	}
	return b, nil
}

// Unmarshal decodes a payload of type pt strictly (size cap, duplicate and
// unknown keys, missing keys and non-canonical encodings rejected) and
// validates it. It returns a pointer (*Referral, ...), or an error wrapping
// ErrTooLarge, ErrUnknownType or ErrMalformed, or a ValidationError.
func Unmarshal(pt string, b []byte) (Payload, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("unmarshal %s: %w: %d bytes, limit %d", pt, ErrTooLarge, len(b), MaxSize)
	}
	v, err := New(pt)
	if err != nil {
		return nil, fmt.Errorf("unmarshal: %w", err)
	}
	if err := decMode.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("unmarshal %s: %w: %w", pt, ErrMalformed, err)
	}
	again, err := encMode.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("unmarshal %s: re-encode: %w", pt, err)
	}
	if !bytes.Equal(again, b) {
		return nil, fmt.Errorf("unmarshal %s: %w: not the deterministic encoding (missing key, wrong length or non-canonical CBOR)", pt, ErrMalformed)
	}
	if err := v.Validate(); err != nil {
		return nil, fmt.Errorf("unmarshal %s: %w", pt, err)
	}
	return v, nil
}

// FromJSON reads a payload of type pt from JSON (as the CLI takes a referral)
// strictly: unknown keys and trailing data are errors. Keys may be omitted
// (they take their zero value, which validation then reports if required).
// The result is validated.
func FromJSON(pt string, b []byte) (Payload, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("read %s json: %w: %d bytes, limit %d", pt, ErrTooLarge, len(b), MaxSize)
	}
	v, err := New(pt)
	if err != nil {
		return nil, fmt.Errorf("read json: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("read %s json: %w: %w", pt, ErrMalformed, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s json: %w: data after the object", pt, ErrMalformed)
	}
	if err := v.Validate(); err != nil {
		return nil, fmt.Errorf("read %s json: %w", pt, err)
	}
	return v, nil
}

// encMode writes core deterministic CBOR, nil slices as empty arrays. Built
// once, never changed.
var encMode = mustEncMode()

// decMode reads strictly.
var decMode = mustDecMode()

func mustEncMode() cbor.EncMode {
	opts := cbor.CoreDetEncOptions()
	opts.NilContainers = cbor.NilContainerAsEmpty
	em, err := opts.EncMode()
	if err != nil {
		panic(fmt.Sprintf("payload: build CBOR encoder: %v", err))
	}
	return em
}

func mustDecMode() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:   8,
		MaxArrayElements:  64,
		MaxMapPairs:       32,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
		UTF8:              cbor.UTF8RejectInvalid,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	}.DecMode()
	if err != nil {
		panic(fmt.Sprintf("payload: build CBOR decoder: %v", err))
	}
	return dm
}
