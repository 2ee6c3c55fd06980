package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saferef/saferef/client"
)

// TestDesktopHomeAgreesWithCLI checks that the desktop app honours
// SAFEREF_HOME and otherwise picks the per-user data directory the CLI
// picks (both through client.DefaultHome), and that it announces a home
// left at the old ~/.saferef rather than ignoring it.
func TestDesktopHomeAgreesWithCLI(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"HOME": home}
	getenv := func(k string) string { return env[k] }
	var stderr bytes.Buffer
	want := filepath.Join(home, ".local", "share", "saferef")
	if got := defaultHome(getenv, &stderr); got != want || got != client.DefaultHome(getenv).Dir || stderr.Len() != 0 {
		t.Fatalf("default home %q (stderr %q), want %q", got, stderr.String(), want)
	}
	env["SAFEREF_HOME"] = filepath.Join(home, "elsewhere")
	if got := defaultHome(getenv, &stderr); got != env["SAFEREF_HOME"] {
		t.Fatalf("with SAFEREF_HOME: %q", got)
	}
	delete(env, "SAFEREF_HOME")
	old := filepath.Join(home, ".saferef")
	if err := os.MkdirAll(old, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, client.VaultFile), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := defaultHome(getenv, &stderr); got != old || !strings.Contains(stderr.String(), "note: using the device home at "+old) {
		t.Fatalf("with an old home: %q, stderr %q", got, stderr.String())
	}
}
