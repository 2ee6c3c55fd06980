package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/client/enrolment"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/admin"
)

func runCLI(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return vars[k] }}
	code = cli.Main(context.Background(), prog, env, args, run, hint)
	return code, out.String(), errOut.String()
}

var testVars = map[string]string{cli.EnvPassphrase: "test root passphrase", cli.EnvWorkFactor: "10"}

func TestSchemeInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "scheme")
	code, out, errOut := runCLI(t, testVars, "scheme", "init", "--dir", dir, "--roots", "3", "--threshold", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	s, err := admin.ReadScheme(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Roots) != 3 || s.Threshold != 2 || !strings.Contains(out, "scheme fingerprint: "+s.Fingerprint()) {
		t.Fatalf("scheme %+v, output %q", s, out)
	}
	roots, err := unlockRoots(&cli.Env{Getenv: func(k string) string { return testVars[k] }}, dir, s)
	if err != nil || len(roots) != 2 {
		t.Fatalf("unlock roots: %d, %v", len(roots), err)
	}
	// Not twice in one directory.
	if code, _, _ := runCLI(t, testVars, "scheme", "init", "--dir", dir); code != 1 {
		t.Fatalf("second init: exit %d", code)
	}
	if code, _, _ := runCLI(t, testVars, "scheme", "init", "--dir", dir+"2", "--roots", "1", "--threshold", "2"); code != 2 {
		t.Fatalf("threshold above roots: exit %d", code)
	}
	// A wrong passphrase does not unlock.
	_, err = unlockRoots(&cli.Env{Getenv: func(string) string { return "wrong" }}, dir, s)
	if err == nil {
		t.Fatal("unlocked with a wrong passphrase")
	}
}

func TestCheckOrg(t *testing.T) {
	if _, _, err := checkOrg("Weald Homes", "landlord", nil); err == nil {
		t.Error("landlord without districts accepted")
	}
	if _, _, err := checkOrg("Weald Homes", "landlord", []string{"Maidstone", "Narnia"}); err == nil {
		t.Error("unknown district accepted")
	}
	if _, _, err := checkOrg("X", "bank", nil); err == nil {
		t.Error("unknown kind accepted")
	}
	k, ds, err := checkOrg("Weald Homes", "landlord", []string{"Maidstone", "Sevenoaks", "Maidstone"})
	if err != nil || k != crypto.KindLandlord || len(ds) != 2 {
		t.Errorf("good landlord: %v %v %v", k, ds, err)
	}
	if _, _, err := checkOrg("Harbour Refuge", "provider", nil); err != nil {
		t.Errorf("provider: %v", err)
	}
}

// TestApproveRefusals: device approve refuses a tampered request and a
// fingerprint that does not match, before touching any key or the relay.
// (The signing itself is tested in internal/admin.)
func TestApproveRefusals(t *testing.T) {
	dir := t.TempDir()
	org, err := crypto.NewOrgID(nil)
	if err != nil {
		t.Fatal(err)
	}
	secrets, err := crypto.GenerateDeviceSecrets(nil, org, "Weald officer", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, err := enrolment.New(secrets, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	// device approve refuses a tampered request before touching any key.
	rb, _ := req.Marshal()
	var m map[string]any
	json.Unmarshal(rb, &m)
	m["name"] = "Someone else"
	tb, _ := json.Marshal(m)
	path := filepath.Join(dir, "request.json")
	os.WriteFile(path, tb, 0o600)
	code, _, errOut := runCLI(t, testVars, "device", "approve", "--dir", dir, "--relay", "ws://127.0.0.1:1", path)
	if code != 1 || !strings.Contains(errOut, "self-signature") {
		t.Fatalf("tampered request: exit %d: %s", code, errOut)
	}
	// A fingerprint that does not match is refused.
	os.WriteFile(path, rb, 0o600)
	code, _, errOut = runCLI(t, testVars, "device", "approve", "--dir", dir, "--relay", "ws://127.0.0.1:1", "--fingerprint", "00000 00000", path)
	if code != 1 || !strings.Contains(errOut, "fingerprint mismatch") || !strings.Contains(errOut, "hint: do not approve this device") {
		t.Fatalf("fingerprint mismatch: exit %d: %s", code, errOut)
	}
	// Without a terminal, --fingerprint is required: nothing is signed.
	code, _, errOut = runCLI(t, testVars, "device", "approve", "--dir", dir, "--relay", "ws://127.0.0.1:1", path)
	if code != 2 || !strings.Contains(errOut, "--fingerprint is required") || !strings.Contains(errOut, "hint: ") {
		t.Fatalf("no terminal, no --fingerprint: exit %d: %s", code, errOut)
	}
}

// TestApproveAsksOnTerminal: on a terminal, device approve shows the
// fingerprint and asks for the digits read out; wrong digits stop it
// before anything is signed (no admin key exists in dir: a signing attempt
// would fail differently); right digits go on to the signing.
func TestApproveAsksOnTerminal(t *testing.T) {
	dir := t.TempDir()
	org, _ := crypto.NewOrgID(nil)
	secrets, err := crypto.GenerateDeviceSecrets(nil, org, "Weald officer", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, err := enrolment.New(secrets, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := req.Marshal()
	path := filepath.Join(dir, "request.json")
	os.WriteFile(path, rb, 0o600)
	approve := func(typed string) (int, string, string, []string) {
		var out, errOut bytes.Buffer
		var prompts []string
		env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return testVars[k] },
			ReadLine: func(p string) (string, error) { prompts = append(prompts, p); return typed, nil }}
		code := cli.Main(context.Background(), prog, env, []string{"device", "approve", "--dir", dir, "--relay", "ws://127.0.0.1:1", path}, run, hint)
		return code, out.String(), errOut.String(), prompts
	}
	code, out, errOut, prompts := approve("11111 22222")
	if code != 1 || len(prompts) != 1 || !strings.Contains(out, "device fingerprint: "+req.Fingerprint()) ||
		!strings.Contains(errOut, "nothing was signed") || !strings.Contains(errOut, "hint: do not approve") {
		t.Fatalf("wrong digits: exit %d, prompts %q\n%s\n%s", code, prompts, out, errOut)
	}
	code, _, errOut, _ = approve(strings.ReplaceAll(req.Fingerprint(), " ", ""))
	if code == 0 || strings.Contains(errOut, "nothing was signed") || strings.Contains(errOut, "fingerprint") {
		t.Fatalf("right digits did not go on to signing: exit %d: %s", code, errOut)
	}
}

func TestSlugAndPassphrase(t *testing.T) {
	for in, want := range map[string]string{"Harbour Refuge": "harbour-refuge", "Kent Reciprocal Coordinator": "kent-reciprocal-coordinator", " A & B ": "a-b"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
	a, _ := randomPassphrase()
	b, _ := randomPassphrase()
	if a == b || !strings.HasPrefix(a, "demo-") || len(a) != len("demo-xxxxx-xxxxx-xxxxx-xxxxx") {
		t.Fatalf("passphrases %q %q", a, b)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"scheme", "init", "-h"}, {"org", "add", "-h"}, {"device", "approve", "-h"}, {"dev-scheme", "-h"}} {
		if code, out, _ := runCLI(t, nil, args...); code != 0 || out == "" {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	for _, args := range [][]string{{}, {"org", "add", "--dir", "x"}, {"device", "approve", "--dir", "x", "--relay", "ws://127.0.0.1:1"},
		{"org", "add", "--dir", "x", "--name", "n", "--kind", "landlord", "--district", "Atlantis", "--relay", "ws://127.0.0.1:1"}} {
		if code, _, errOut := runCLI(t, nil, args...); code != 2 || !strings.Contains(errOut, "saferef-admin: hint: ") {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
		}
	}
}
