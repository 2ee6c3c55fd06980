package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/saferef/saferef/cmd/internal/cli"
)

func TestKeysRotateCommand(t *testing.T) {
	code, out, _ := runCLI(t, nil, "keys", "rotate", "-h")
	if code != 0 || !strings.Contains(out, "Rotates this device's encryption key now") {
		t.Fatalf("help: exit %d, %q", code, out)
	}
	if code, _, errOut := runCLI(t, nil, "keys", "rotate", "extra"); code != 2 || !strings.Contains(errOut, "saferef: hint: ") {
		t.Fatalf("extra argument: exit %d, %q", code, errOut)
	}
	code, _, errOut := runCLI(t, map[string]string{cli.EnvPassphrase: "x"}, "--home", filepath.Join(t.TempDir(), "none"), "keys", "rotate")
	if code != 1 || !strings.Contains(errOut, "saferef enrol") {
		t.Fatalf("no home: exit %d: %s", code, errOut)
	}
}
