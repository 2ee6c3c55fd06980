//go:build saferef_testvault

package vault

func testBuild() bool { return true }
