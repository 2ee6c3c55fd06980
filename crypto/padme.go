package crypto

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Padme returns the padded length of an n-byte message under Padmé
// (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
// Communication with PURBs", 2019): the length keeps only its top
// floor(log2 floor(log2 n)) + 1 significant bits, which leaks O(log log n)
// bits of the length and costs at most 12% overhead.
func Padme(n int) int {
	if n < 2 {
		return n
	}
	e := bits.Len(uint(n)) - 1   // floor(log2 n)
	s := bits.Len(uint(e))       // floor(log2 e) + 1
	mask := (1 << uint(e-s)) - 1 // low bits to round up
	return (n + mask) &^ mask
}

// pad prefixes msg with its 4-byte big-endian length and zero-pads the
// result to Padme(4 + len(msg)).
func pad(msg []byte) []byte {
	out := make([]byte, Padme(4+len(msg)))
	binary.BigEndian.PutUint32(out, uint32(len(msg)))
	copy(out[4:], msg)
	return out
}

// unpad reverses pad, insisting on the exact padded length and zero padding.
func unpad(b []byte) ([]byte, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("%w: padded message of %d bytes", ErrMalformed, len(b))
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) || Padme(4+int(n)) != len(b) {
		return nil, fmt.Errorf("%w: padding length", ErrMalformed)
	}
	for _, c := range b[4+n:] {
		if c != 0 {
			return nil, fmt.Errorf("%w: non-zero padding", ErrMalformed)
		}
	}
	return b[4 : 4+n], nil
}
