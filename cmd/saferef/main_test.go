package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/protocol/payload"
)

func runCLI(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return vars[k] }}
	code = cli.Main(context.Background(), prog, env, args, run, hint)
	return code, out.String(), errOut.String()
}

func TestTemplateIsAValidReferral(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "--home", t.TempDir(), "referral", "template")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r payload.Referral
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("template is not a referral: %v", err)
	}
	if !r.Case.IsZero() || !r.CaseNonce.IsZero() {
		t.Fatalf("template fixes case id %s or nonce %s", r.Case, r.CaseNonce)
	}
	path := filepath.Join(t.TempDir(), "referral.json")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readReferral(path)
	if err != nil {
		t.Fatalf("template does not validate: %v", err)
	}
	if !got.Case.IsZero() || !got.CaseNonce.IsZero() {
		// Send assigns both, bound to the sending organisation.
		t.Fatalf("case id %s / nonce %s fixed before send", got.Case, got.CaseNonce)
	}
}

func TestFieldErrorsOnePerLine(t *testing.T) {
	r := payload.ExampleReferral()
	r.Bedrooms = 0
	r.Adults = 0
	b, _ := json.Marshal(r)
	path := filepath.Join(t.TempDir(), "referral.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "device.vault"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, nil, "--home", home, "referral", "send", "--to", strings.Repeat("ab", 16), "--file", path)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"saferef: error: referral.bedrooms: ", "saferef: error: referral.adults: ", "saferef: hint: "} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-h"}, {"enrol", "-h"}, {"sync", "-h"}, {"referral", "template", "-h"}, {"referral", "send", "-h"},
		{"message", "send", "-h"}, {"cases", "list", "-h"}, {"cases", "show", "-h"}, {"referral", "-h"},
	} {
		code, out, errOut := runCLI(t, nil, args...)
		if code != 0 || out == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	for _, args := range [][]string{
		{}, {"bogus"}, {"enrol", "--home", "x"}, {"cases", "show"}, {"referral", "send", "--to", "x"},
		{"enrol", "--home", "h", "--scheme", "s", "--relay", "ws://127.0.0.1:1", "--org", "nothex", "--name", "n"},
		{"--home", "x", "cases", "list", "extra"}, {"sync", "--nope"},
	} {
		code, _, errOut := runCLI(t, nil, args...)
		if code != 2 || !strings.Contains(errOut, "saferef: error: ") || !strings.Contains(errOut, "saferef: hint: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestNoHome(t *testing.T) {
	code, _, errOut := runCLI(t, map[string]string{cli.EnvPassphrase: "x"}, "--home", filepath.Join(t.TempDir(), "none"), "sync")
	if code != 1 || !strings.Contains(errOut, "saferef enrol") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
