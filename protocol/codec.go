package protocol

import "github.com/saferef/saferef/internal/detcbor"

// frameCodec writes core deterministic CBOR (RFC 8949 section 4.2.1) and
// reads strictly: duplicate keys, unknown keys, indefinite lengths and tags
// are errors, and nesting, array and map sizes are bounded. It is built
// once and never changed.
var frameCodec = detcbor.Must(detcbor.Limits{MaxNesting: maxNesting, MaxArrayElements: MaxDirectoryEntries, MaxMapPairs: maxMapPairs})

// outerCodec reads the outer {"t","v","b"} map. It tolerates unknown keys so
// that a frame of another version is reported as ErrVersion, not
// ErrMalformed; the canonical re-encoding check still rejects unknown keys in
// a frame of this version.
var outerCodec = detcbor.Must(detcbor.Limits{MaxNesting: maxNesting, MaxArrayElements: MaxDirectoryEntries, MaxMapPairs: maxMapPairs, AllowUnknownFields: true})

// Decoder limits besides MaxArrayElements (= MaxDirectoryEntries).
const (
	maxNesting  = 8
	maxMapPairs = 16
)
