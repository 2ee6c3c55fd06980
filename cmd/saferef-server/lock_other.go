//go:build !unix

package main

// lockDataDir is a no-op where flock is missing: the relay is supported
// on Linux (docs/OPERATIONS.md).
func lockDataDir(string) (func(), error) { return func() {}, nil }
