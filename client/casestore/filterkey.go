package casestore

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strings"
)

const filterKeyInfo = "saferef/v1/casestore/filter-key"

// deriveFilterKey derives the key of the district and reference filter
// columns from the data key, so that it never needs storing.
func deriveFilterKey(dataKey []byte) ([]byte, error) {
	k, err := hkdf.Key(sha256.New, dataKey, nil, filterKeyInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("derive filter key: %w", err)
	}
	return k, nil
}

// filterToken is HMAC-SHA256(filterKey, kind || 0 || value): what the
// database holds in place of a district or a reference code, so that it
// can be matched exactly without being readable.
func (s *Store) filterToken(kind, value string) []byte {
	m := hmac.New(sha256.New, s.filterKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// districtToken normalises a district name (case and surrounding space do
// not matter) and returns its filter token.
func (s *Store) districtToken(district string) []byte {
	return s.filterToken("district", strings.ToLower(strings.TrimSpace(district)))
}

// referenceToken normalises a scheme reference code and returns its filter
// token.
func (s *Store) referenceToken(ref string) []byte {
	return s.filterToken("reference", strings.ToUpper(strings.TrimSpace(ref)))
}
