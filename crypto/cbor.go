package crypto

import (
	"errors"
	"fmt"

	"github.com/saferef/saferef/internal/detcbor"
)

// wire is the package's CBOR codec: deterministic (core) encoding to write,
// strict limits to read. It is immutable and safe for concurrent use.
var wire = detcbor.Must(detcbor.Limits{MaxNesting: 16, MaxArrayElements: 4096, MaxMapPairs: 64})

// marshal encodes v in deterministic CBOR.
func marshal(v any) ([]byte, error) {
	b, err := wire.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cbor encode: %w", err)
	}
	return b, nil
}

// unmarshal decodes b into v strictly and then insists that b is exactly the
// deterministic encoding of what was decoded: every field present, no
// alternative integer or length encodings, no trailing bytes. This makes
// every accepted object have one byte form.
func unmarshal(b []byte, v any) error {
	if err := wire.UnmarshalCanonical(b, v); err != nil {
		if errors.Is(err, detcbor.ErrNotCanonical) {
			return fmt.Errorf("%w: not in canonical encoding", ErrMalformed)
		}
		return fmt.Errorf("%w: cbor: %v", ErrMalformed, err)
	}
	return nil
}
