package vault

import (
	"strconv"
	"strings"
)

// EnvWorkFactor is the test hook: in a test build only, it sets the work
// factor of new vaults and the floor below which an unlocked vault is
// re-saved. A release build ignores it.
const EnvWorkFactor = "SAFEREF_VAULT_WORK_FACTOR"

// MinTestWorkFactor is the lowest work factor the hook may set.
const MinTestWorkFactor = 10

// TestHooks reports whether this is a test build: a go test binary, or a
// binary built with -tags saferef_testvault (the e2e tests build the real
// commands that way so that their vaults are cheap). Release builds are
// neither, and the hook does not exist in them.
func TestHooks() bool { return testBuild() }

// hookWorkFactor returns the hook's work factor, if this is a test build
// and getenv(EnvWorkFactor) is a number; clamped to
// MinTestWorkFactor..MaxWorkFactor.
func hookWorkFactor(getenv func(string) string) (int, bool) {
	if !testBuild() || getenv == nil {
		return 0, false
	}
	v := strings.TrimSpace(getenv(EnvWorkFactor))
	n, err := strconv.Atoi(v)
	if v == "" || err != nil {
		return 0, false
	}
	return min(max(n, MinTestWorkFactor), MaxWorkFactor), true
}

// NewWorkFactor returns the work factor for a new vault: DefaultWorkFactor,
// or in a test build the hook's.
func NewWorkFactor(getenv func(string) string) int {
	if wf, ok := hookWorkFactor(getenv); ok {
		return wf
	}
	return DefaultWorkFactor
}

// UnlockFloor returns the lowest work factor an unlocked vault may keep:
// a vault below it is re-saved at it on unlock. It is DefaultWorkFactor in
// a release build; in a test build it is the hook's value, or
// MinWorkFactor (nothing re-saved) when the hook is unset.
func UnlockFloor(getenv func(string) string) int {
	if wf, ok := hookWorkFactor(getenv); ok {
		return wf
	}
	if testBuild() {
		return MinWorkFactor
	}
	return DefaultWorkFactor
}
