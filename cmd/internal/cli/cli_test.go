package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/saferef/saferef/client/passphrase"

	"github.com/saferef/saferef/crypto/vault"
)

func testEnv(vars map[string]string, answers ...string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return vars[k] }}
	if answers != nil {
		e.ReadPassword = func(string) (string, error) {
			if len(answers) == 0 {
				return "", errors.New("no more answers")
			}
			a := answers[0]
			answers = answers[1:]
			return a, nil
		}
	}
	return e, &out, &errOut
}

func TestPassphraseSources(t *testing.T) {
	const fromEnv = "from the environment, long enough"
	e, _, _ := testEnv(map[string]string{EnvPassphrase: fromEnv}, "from prompt")
	if p, err := e.Passphrase("x"); err != nil || p != fromEnv {
		t.Fatalf("env passphrase = %q, %v", p, err)
	}
	if p, err := e.NewPassphrase("x"); err != nil || p != fromEnv {
		t.Fatalf("env new passphrase = %q, %v", p, err)
	}
	e, _, _ = testEnv(nil, "typed")
	if p, err := e.Passphrase("x"); err != nil || p != "typed" {
		t.Fatalf("prompt = %q, %v", p, err)
	}
	const same = "orbit lantern pebble mustard"
	e, _, _ = testEnv(nil, same, same)
	if p, err := e.NewPassphrase("x"); err != nil || p != same {
		t.Fatalf("confirmed = %q, %v", p, err)
	}
	e, _, _ = testEnv(nil, same, "orbit lantern pebble mustardy")
	if _, err := e.NewPassphrase("x"); err == nil || !strings.Contains(err.Error(), "do not match") {
		t.Fatalf("mismatch: %v", err)
	}
	e, _, _ = testEnv(nil, "")
	if _, err := e.NewPassphrase("x"); err == nil {
		t.Fatal("accepted an empty passphrase")
	}
	// TestWeakPassphraseRefused: one rule, for typed and scripted passphrases.
	for _, env := range []map[string]string{nil, {EnvPassphrase: "Password1234"}} {
		e, _, _ = testEnv(env, "Password1234", "Password1234")
		_, err := e.NewPassphrase("the new device vault")
		var ce *Error
		if !errors.As(err, &ce) || !errors.Is(err, passphrase.ErrWeak) || !strings.Contains(ce.Hint, "random words") ||
			!strings.Contains(err.Error(), "commonly used password") {
			t.Fatalf("weak passphrase (env %v): %v", env, err)
		}
	}
	e, _, _ = testEnv(nil) // no terminal, no env
	_, err := e.Passphrase("the vault")
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Hint, EnvPassphrase) {
		t.Fatalf("no source: %v", err)
	}
}

func TestWorkFactor(t *testing.T) {
	for v, want := range map[string]int{"": vault.DefaultWorkFactor, "12": 12, "1": MinTestWorkFactor, "99": vault.MaxWorkFactor, "x": vault.DefaultWorkFactor} {
		e, _, _ := testEnv(map[string]string{EnvWorkFactor: v})
		if got := e.WorkFactor(); got != want {
			t.Errorf("%q: work factor %d, want %d", v, got, want)
		}
	}
}

func TestFlagSetParse(t *testing.T) {
	var out bytes.Buffer
	fs := NewFlagSet("saferef", "cases show", "Usage: saferef cases show CASE_ID", &out)
	asJSON := fs.Bool("json", false, "json")
	var to ListFlag
	fs.Var(&to, "to", "orgs")
	pos, err := fs.Parse([]string{"abc", "--json", "--to", "a,b", "--to", " c ", "--", "--not-a-flag"})
	if err != nil {
		t.Fatal(err)
	}
	if !*asJSON || strings.Join(pos, " ") != "abc --not-a-flag" || strings.Join(to, "|") != "a|b|c" {
		t.Fatalf("json=%v pos=%q to=%q", *asJSON, pos, to)
	}
	_, err = fs.Parse([]string{"--nope"})
	var ce *Error
	if !errors.As(err, &ce) || !ce.Usage {
		t.Fatalf("unknown flag: %v", err)
	}
	if _, err := fs.Parse([]string{"-h"}); !errors.Is(err, ErrHelp) || !strings.Contains(out.String(), "Usage: saferef cases show") {
		t.Fatalf("-h: %v, %q", err, out.String())
	}
	if err := fs.NArgs([]string{"a", "b"}, 1, "CASE_ID"); err == nil {
		t.Fatal("extra argument accepted")
	}
	fs2 := NewFlagSet("saferef", "x", "", &out)
	fs2.String("file", "", "")
	if err := fs2.Required("file"); err == nil || !strings.Contains(err.Error(), "--file") {
		t.Fatalf("required: %v", err)
	}
}

func TestMainExitCodes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		err      error
		code     int
		contains []string
	}{
		{nil, 0, nil},
		{ErrHelp, 0, nil},
		{Usagef("run 'saferef -h'", "missing --file"), 2, []string{"saferef: error: missing --file\n", "saferef: hint: run 'saferef -h'\n"}},
		{errors.New("referral.bedrooms: bad\nreferral.adults: bad"), 1, []string{"saferef: error: referral.bedrooms: bad\n", "saferef: error: referral.adults: bad\n", "saferef: hint: from func\n"}},
		{WithHint(errors.New("boom"), "do this"), 1, []string{"saferef: error: boom\n", "saferef: hint: do this\n"}},
	} {
		e, _, errOut := testEnv(nil)
		code := Main(ctx, "saferef", e, nil, func(context.Context, *Env, []string) error { return tc.err }, func(error) string { return "from func" })
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d", tc.err, code, tc.code)
		}
		for _, c := range tc.contains {
			if !strings.Contains(errOut.String(), c) {
				t.Errorf("%v: stderr %q lacks %q", tc.err, errOut.String(), c)
			}
		}
	}
}

func TestDispatch(t *testing.T) {
	ctx := context.Background()
	var ran []string
	cmds := []Command{
		{Name: "referral send", Run: func(_ context.Context, _ *Env, a []string) error {
			ran = append(ran, "send "+strings.Join(a, " "))
			return nil
		}},
		{Name: "referral template", Run: func(context.Context, *Env, []string) error { ran = append(ran, "template"); return nil }},
		{Name: "sync", Run: func(context.Context, *Env, []string) error { ran = append(ran, "sync"); return nil }},
	}
	e, out, _ := testEnv(nil)
	for _, args := range [][]string{{"referral", "send", "--to", "x"}, {"sync"}, {"referral", "template"}} {
		if err := Dispatch(ctx, "saferef", "overview", e, cmds, args); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(ran, ";") != "send --to x;sync;template" {
		t.Fatalf("ran %q", ran)
	}
	var ce *Error
	if err := Dispatch(ctx, "saferef", "overview", e, cmds, []string{"bogus"}); !errors.As(err, &ce) || !ce.Usage {
		t.Fatalf("unknown: %v", err)
	}
	if err := Dispatch(ctx, "saferef", "overview", e, cmds, []string{"referral"}); !errors.As(err, &ce) || !strings.Contains(ce.Hint, "referral send") {
		t.Fatalf("group only: %v", err)
	}
	if err := Dispatch(ctx, "saferef", "overview", e, cmds, []string{"-h"}); !errors.Is(err, ErrHelp) || !strings.Contains(out.String(), "referral template") {
		t.Fatalf("-h: %v %q", err, out.String())
	}
}

func TestParseNoArgs(t *testing.T) {
	fs := NewFlagSet("saferef", "cases show", "usage", io.Discard)
	caseFlag := fs.String("case", "", "case id")
	if err := fs.ParseNoArgs([]string{"--case", "abc"}, "case"); err != nil || *caseFlag != "abc" {
		t.Fatalf("flags only: %v, case %q", err, *caseFlag)
	}
	for _, args := range [][]string{{"--case", "abc", "extra"}, {}} {
		fs := NewFlagSet("saferef", "cases show", "usage", io.Discard)
		fs.String("case", "", "case id")
		var ce *Error
		if err := fs.ParseNoArgs(args, "case"); !errors.As(err, &ce) || !ce.Usage {
			t.Errorf("%q: err %v, want a usage error", args, err)
		}
	}
}

func TestParseOneArg(t *testing.T) {
	fs := NewFlagSet("saferef-admin", "device revoke", "usage", io.Discard)
	dir := fs.String("dir", "", "admin directory")
	arg, err := fs.ParseOneArg([]string{"--dir", "d", "0123"}, "DEVICE_ID", "dir")
	if err != nil || arg != "0123" || *dir != "d" {
		t.Fatalf("got %q, dir %q, err %v", arg, *dir, err)
	}
	for _, args := range [][]string{{"--dir", "d"}, {"--dir", "d", "a", "b"}, {"a"}} {
		fs := NewFlagSet("saferef-admin", "device revoke", "usage", io.Discard)
		fs.String("dir", "", "admin directory")
		var ce *Error
		if _, err := fs.ParseOneArg(args, "DEVICE_ID", "dir"); !errors.As(err, &ce) || !ce.Usage {
			t.Errorf("%q: err %v, want a usage error", args, err)
		}
	}
}
