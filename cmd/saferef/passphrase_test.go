package main

import (
	"strings"
	"testing"

	"github.com/saferef/saferef/cmd/internal/cli"
)

// TestPassphraseChangeCommand: the new passphrase must pass the rule (a
// weak one is refused with the reason and a hint), and after a change the
// old one no longer unlocks the device.
func TestPassphraseChangeCommand(t *testing.T) {
	const old, fresh = "device pass orbit lantern", "quartz meadow violin harbour"
	home := homeWithAlert(t, old)
	code, _, errOut := runCLI(t, map[string]string{cli.EnvPassphrase: old, envNewPassphrase: "Password1234"}, "--home", home, "passphrase", "change")
	if code != 1 || !strings.Contains(errOut, "commonly used password") || !strings.Contains(errOut, "saferef: hint: ") {
		t.Fatalf("weak new passphrase: exit %d\n%s", code, errOut)
	}
	code, out, errOut := runCLI(t, map[string]string{cli.EnvPassphrase: old, envNewPassphrase: fresh}, "--home", home, "passphrase", "change")
	if code != 0 || !strings.Contains(out, "passphrase changed") {
		t.Fatalf("change: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := runCLI(t, map[string]string{cli.EnvPassphrase: old}, "--home", home, "alerts"); code == 0 {
		t.Fatal("the old passphrase still unlocks the device")
	}
	if code, _, errOut := runCLI(t, map[string]string{cli.EnvPassphrase: fresh}, "--home", home, "alerts"); code != 0 {
		t.Fatalf("the new passphrase does not unlock: %s", errOut)
	}
}
