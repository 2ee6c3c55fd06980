//go:build !saferef_testvault

package vault

import "testing"

// testBuild is true only inside a go test binary.
func testBuild() bool { return testing.Testing() }
