package protocol

import (
	"errors"

	"github.com/fxamacker/cbor/v2"
)

// limitError is a field that breaks one of this package's own limits; its
// message is this package's own words and may be shown to the peer.
type limitError struct{ err error }

func (e *limitError) Error() string { return e.err.Error() }
func (e *limitError) Unwrap() error { return e.err }

// Describe returns a short lowercase explanation of an error from Decode
// that is fit to send to the peer in an Error frame: it names what is wrong
// with the frame in the words of SPEC.md, never a Go type or field name.
func Describe(err error) string {
	var le *limitError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrFrameTooLarge):
		return "frame too large"
	case errors.Is(err, ErrVersion):
		return "unsupported protocol version (the frame's v key is missing or not 1)"
	case errors.Is(err, ErrUnknownFrame):
		return "unknown frame type (the frame's t key is missing or not a type this version defines)"
	case errors.As(err, &le):
		return "malformed frame: " + le.Error()
	case errors.Is(err, errNotCanonical):
		return "malformed frame: " + errNotCanonical.Error()
	}
	var (
		dup   *cbor.DupMapKeyError
		nest  *cbor.MaxNestedLevelError
		unk   *cbor.UnknownFieldError
		typ   *cbor.UnmarshalTypeError
		syn   *cbor.SyntaxError
		arr   *cbor.MaxArrayElementsError
		pairs *cbor.MaxMapPairsError
		indef *cbor.IndefiniteLengthError
		tag   *cbor.TagsMdError
		utf8  *cbor.SemanticError
		extra *cbor.ExtraneousDataError
	)
	switch {
	case errors.As(err, &dup):
		return "malformed frame: a map has a duplicate key"
	case errors.As(err, &nest):
		return "malformed frame: nested deeper than the limit"
	case errors.As(err, &unk):
		return "malformed frame: a map has a key this version does not define"
	case errors.As(err, &typ):
		return "malformed frame: a value has the wrong CBOR type"
	case errors.As(err, &arr):
		return "malformed frame: an array has more elements than the limit"
	case errors.As(err, &pairs):
		return "malformed frame: a map has more pairs than the limit"
	case errors.As(err, &indef):
		return "malformed frame: indefinite-length items are not allowed"
	case errors.As(err, &tag):
		return "malformed frame: CBOR tags are not allowed"
	case errors.As(err, &extra):
		return "malformed frame: bytes after the frame"
	case errors.As(err, &syn), errors.As(err, &utf8):
		return "malformed frame: not well-formed CBOR"
	}
	return "malformed frame: not a valid frame of this type"
}
