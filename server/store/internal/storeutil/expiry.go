package storeutil

import (
	"math"
	"time"
)

// ExpirySeconds returns t as Unix seconds rounded up, the form in which
// implementations keep an envelope's Expiry.
func ExpirySeconds(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 && s < math.MaxInt64 {
		s++
	}
	return s
}

// Cursor converts an unsigned Seq or directory index to the signed integer
// that SQL databases store, saturating at math.MaxInt64.
func Cursor(u uint64) int64 {
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}
