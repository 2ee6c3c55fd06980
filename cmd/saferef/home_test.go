package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/cmd/internal/cli"
)

// TestCLIHomeDefault checks that the CLI's default home is the per-user
// data directory the desktop app also uses, that SAFEREF_HOME wins, and
// that a home at the old CLI location (~/.config/saferef) is still used,
// with a note saying where it now belongs.
func TestCLIHomeDefault(t *testing.T) {
	home := t.TempDir()
	vars := map[string]string{"HOME": home}
	var stderr bytes.Buffer
	env := &cli.Env{Getenv: func(k string) string { return vars[k] }, Stderr: &stderr, Stdout: &bytes.Buffer{}}
	if got, want := defaultHome(env), filepath.Join(home, ".local", "share", "saferef"); got != want || got != client.DefaultHome(env.Getenv).Dir {
		t.Fatalf("default home %q, want %q", got, want)
	}
	vars["SAFEREF_HOME"] = "/srv/saferef-home"
	if got := defaultHome(env); got != "/srv/saferef-home" {
		t.Fatalf("with SAFEREF_HOME: %q", got)
	}
	delete(vars, "SAFEREF_HOME")
	old := filepath.Join(home, ".config", "saferef")
	os.MkdirAll(old, 0o700)
	os.WriteFile(filepath.Join(old, client.VaultFile), []byte("{}"), 0o600)
	if got := defaultHome(env); got != old || !strings.Contains(stderr.String(), "saferef: note: using the device home at "+old) {
		t.Fatalf("old CLI home: %q, stderr %q", got, stderr.String())
	}
}
