package main

import "testing"

// FuzzCachedLeaf feeds arbitrary bytes, as read from an ACME cache file,
// to the parser check uses: it must never panic.
func FuzzCachedLeaf(f *testing.F) {
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = cachedLeaf(b)
	})
}
