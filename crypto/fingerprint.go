package crypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// Domain strings of the fingerprints, so that a device, an organisation and
// a scheme never share a safety number even over the same key bytes.
const (
	deviceFingerprintDomain = "saferef/v1/fingerprint/device\x00"
	orgFingerprintDomain    = "saferef/v1/fingerprint/org\x00"
	schemeFingerprintDomain = "saferef/v1/fingerprint/scheme\x00"
)

// safetyNumber turns SHA-256(domain || parts...) into 6 groups of 5
// decimal digits: each group is a 40-bit big-endian chunk of the hash
// modulo 100000, as in Signal's safety numbers.
func safetyNumber(domain string, parts ...[]byte) string {
	h := sha256.New()
	h.Write([]byte(domain))
	for _, p := range parts {
		h.Write(p)
	}
	sum := h.Sum(nil)
	groups := make([]string, 6)
	for i := range groups {
		var chunk [8]byte
		copy(chunk[3:], sum[i*5:i*5+5])
		groups[i] = fmt.Sprintf("%05d", binary.BigEndian.Uint64(chunk[:])%100000)
	}
	return strings.Join(groups, " ")
}

// DeviceFingerprint returns the safety number of a device's signing key,
// "12345 67890 ..." (6 groups of 5 digits), for reading out by phone or in
// person.
func DeviceFingerprint(signing ed25519.PublicKey) string {
	return safetyNumber(deviceFingerprintDomain, signing)
}

// OrgFingerprint returns the safety number of an organisation: its id and
// its admin keys in byte order, so it does not depend on the order the
// certificate lists them in.
func OrgFingerprint(c *OrgCert) string {
	keys := slices.Clone(c.AdminKeys)
	slices.SortFunc(keys, func(a, b ed25519.PublicKey) int { return bytes.Compare(a, b) })
	parts := make([][]byte, 0, 1+len(keys))
	parts = append(parts, c.Org[:])
	for _, k := range keys {
		parts = append(parts, k)
	}
	return safetyNumber(orgFingerprintDomain, parts...)
}
