package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/saferef/saferef/internal/detcbor"
)

// SchemaVersion is the schema version of every payload type in this package.
const SchemaVersion = 1

// MaxSize is the largest encoded payload Unmarshal and FromJSON accept for
// every type except attachment chunks (see MaxSizeOf).
const MaxSize = 64 << 10

// MaxAttachmentChunkSize is the largest encoded attachment chunk payload:
// MaxChunkData bytes of data plus room for the chunk's other fields. An
// envelope (at most 1 MiB) holds one chunk comfortably.
const MaxAttachmentChunkSize = 300 << 10

// Payload type strings, carried in the envelope's "pt" field.
const (
	TypeReferral         = "referral/v1"
	TypeCaseMessage      = "case-message/v1"
	TypeDeliveryReceipt  = "delivery-receipt/v1"
	TypeApproval         = "approval/v1"
	TypeOffer            = "offer/v1"
	TypeOfferDecision    = "offer-decision/v1"
	TypeHouseholdDetails = "household-details/v1"
	TypeStatusUpdate     = "status-update/v1"
	TypeAttachmentChunk  = "attachment-chunk/v1"
	TypeReadReceipt      = "read-receipt/v1"
	TypeRecall           = "recall/v1"
	TypeRecallReceipt    = "recall-receipt/v1"
	TypeOutcome          = "outcome/v1"
)

// Types returns every payload type string this package knows, in workflow
// order.
func Types() []string {
	return []string{
		TypeReferral, TypeApproval, TypeOffer, TypeOfferDecision,
		TypeHouseholdDetails, TypeStatusUpdate, TypeCaseMessage,
		TypeAttachmentChunk, TypeDeliveryReceipt, TypeReadReceipt,
		TypeRecall, TypeRecallReceipt, TypeOutcome,
	}
}

// MaxSizeOf returns the largest encoded payload of type pt that Marshal,
// Unmarshal and FromJSON accept: MaxAttachmentChunkSize for attachment
// chunks, MaxSize for everything else.
func MaxSizeOf(pt string) int {
	if pt == TypeAttachmentChunk {
		return MaxAttachmentChunkSize
	}
	return MaxSize
}

// maxJSONSizeOf is the largest JSON input FromJSON reads for type pt: an
// attachment chunk's data is base64 in JSON, a third larger than in CBOR.
func maxJSONSizeOf(pt string) int {
	if pt == TypeAttachmentChunk {
		return 2 * MaxAttachmentChunkSize
	}
	return MaxSize
}

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

// Payload is implemented by a pointer to each payload struct of this
// package (*Referral, *Approval, *Offer, ...), one per type string.
type Payload interface {
	// PayloadType returns the payload's type string, e.g. TypeReferral.
	PayloadType() string
	// Validate returns a ValidationError listing every field problem, or nil.
	Validate() error
	// AnonymousFields returns the non-empty free-text fields that must not
	// identify the household, with their JSON paths, for the client's
	// disclosure guard. Fields that identify by design (an offer's address,
	// household details) are not listed.
	AnonymousFields() []Field
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
	case TypeApproval:
		return new(Approval), nil
	case TypeOffer:
		return new(Offer), nil
	case TypeOfferDecision:
		return new(OfferDecision), nil
	case TypeHouseholdDetails:
		return new(HouseholdDetails), nil
	case TypeStatusUpdate:
		return new(StatusUpdate), nil
	case TypeAttachmentChunk:
		return new(AttachmentChunk), nil
	case TypeReadReceipt:
		return new(ReadReceipt), nil
	case TypeRecall:
		return new(Recall), nil
	case TypeRecallReceipt:
		return new(RecallReceipt), nil
	case TypeOutcome:
		return new(Outcome), nil
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
	b, err := codec.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", v.PayloadType(), err)
	}
	if limit := MaxSizeOf(v.PayloadType()); len(b) > limit {
		return nil, fmt.Errorf("marshal %s: %w: %d bytes, limit %d", v.PayloadType(), ErrTooLarge, len(b), limit)
	}
	return b, nil
}

// Unmarshal decodes a payload of type pt strictly (size cap, duplicate and
// unknown keys, missing keys and non-canonical encodings rejected) and
// validates it. It returns a pointer (*Referral, ...), or an error wrapping
// ErrTooLarge, ErrUnknownType or ErrMalformed, or a ValidationError.
func Unmarshal(pt string, b []byte) (Payload, error) {
	if limit := MaxSizeOf(pt); len(b) > limit {
		return nil, fmt.Errorf("unmarshal %s: %w: %d bytes, limit %d", pt, ErrTooLarge, len(b), limit)
	}
	v, err := New(pt)
	if err != nil {
		return nil, fmt.Errorf("unmarshal: %w", err)
	}
	if err := codec.UnmarshalCanonical(b, v); err != nil {
		return nil, fmt.Errorf("unmarshal %s: %w: %w", pt, ErrMalformed, err)
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
	if limit := maxJSONSizeOf(pt); len(b) > limit {
		return nil, fmt.Errorf("read %s json: %w: %d bytes, limit %d", pt, ErrTooLarge, len(b), limit)
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
	if _, err := Marshal(v); err != nil {
		return nil, fmt.Errorf("read %s json: %w", pt, err)
	}
	return v, nil
}

// codec writes core deterministic CBOR and reads strictly. Built once,
// never changed.
var codec = detcbor.Must(detcbor.Limits{MaxNesting: 8, MaxArrayElements: 64, MaxMapPairs: 32})

// marshalJSON is json.Marshal with the error wrapped with the payload kind.
func marshalJSON(kind string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal %s json: %w", kind, err)
	}
	return b, nil
}
