package protocol

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// encMode writes core deterministic CBOR (RFC 8949 section 4.2.1). It is
// built once and never changed.
var encMode = mustEncMode()

// decMode reads strictly: duplicate keys, unknown keys, indefinite lengths
// and tags are errors, and nesting, array and map sizes are bounded.
var decMode = mustDecMode(true)

// outerDecMode reads the outer {"t","v","b"} map. It tolerates unknown keys so
// that a frame of another version is reported as ErrVersion, not
// ErrMalformed; the canonical re-encoding check still rejects unknown keys in
// a frame of this version.
var outerDecMode = mustDecMode(false)

// Decoder limits besides MaxArrayElements (= MaxDirectoryEntries).
const (
	maxNesting  = 8
	maxMapPairs = 16
)

func mustEncMode() cbor.EncMode {
	opts := cbor.CoreDetEncOptions()
	opts.NilContainers = cbor.NilContainerAsEmpty
	em, err := opts.EncMode()
	if err != nil {
		panic(fmt.Sprintf("protocol: build CBOR encoder: %v", err))
	}
	return em
}

func mustDecMode(rejectUnknown bool) cbor.DecMode {
	opts := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:   maxNesting,
		MaxArrayElements:  MaxDirectoryEntries,
		MaxMapPairs:       maxMapPairs,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
		UTF8:              cbor.UTF8RejectInvalid,
	}
	if rejectUnknown {
		opts.ExtraReturnErrors = cbor.ExtraDecErrorUnknownField
	}
	dm, err := opts.DecMode()
	if err != nil {
		panic(fmt.Sprintf("protocol: build CBOR decoder: %v", err))
	}
	return dm
}
