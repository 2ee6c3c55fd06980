package cli

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

// TestFlagHintSuggests checks the hint for a mistyped or misplaced flag:
// the closest flag the command has, or plainly that it has none like it.
func TestFlagHintSuggests(t *testing.T) {
	fs := flag.NewFlagSet("saferef-server backup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String("data", "", "")
	fs.String("out", "", "")
	fs.String("postgres", "", "")
	tests := []struct {
		args      []string
		msg, hint string
	}{
		{[]string{"--dta", "x"}, "unknown flag --dta", "did you mean --data?"},
		{[]string{"--post", "x"}, "unknown flag --post", "did you mean --postgres?"},
		{[]string{"--relay", "x"}, "unknown flag --relay", "'saferef-server backup' has no --relay"},
		{[]string{"--out"}, "--out needs a value", "run 'saferef-server backup -h' for usage"},
	}
	for _, tt := range tests {
		err := fs.Parse(tt.args)
		if err == nil {
			t.Fatalf("%v: parsed", tt.args)
		}
		if got := FlagError(err); got != tt.msg {
			t.Errorf("%v: FlagError = %q, want %q", tt.args, got, tt.msg)
		}
		if got := FlagHint(fs, err); !strings.Contains(got, tt.hint) || !strings.Contains(got, "-h") {
			t.Errorf("%v: FlagHint = %q, want it to contain %q and the usage pointer", tt.args, got, tt.hint)
		}
	}
	if got := FlagError(errors.New("other")); got != "other" {
		t.Errorf("FlagError(other) = %q", got)
	}
}

// TestDispatchFlagBeforeCommand checks that a command's flag typed before
// the command is explained, not reported as an unknown command, and runs
// nothing.
func TestDispatchFlagBeforeCommand(t *testing.T) {
	env := &Env{Stdout: io.Discard, Stderr: io.Discard}
	ran := false
	cmds := []Command{{Name: "org add", Run: func(context.Context, *Env, []string) error { ran = true; return nil }}}
	err := Dispatch(t.Context(), "saferef-admin", "", env, cmds, []string{"--dir", "/tmp/x", "org", "add"})
	var ce *Error
	if !errors.As(err, &ce) || !ce.Usage {
		t.Fatalf("Dispatch = %v, want a usage error", err)
	}
	if ran || !strings.Contains(err.Error(), "--dir is not a command") || !strings.Contains(ce.Hint, "after the command") {
		t.Errorf("ran=%v, error %q, hint %q", ran, err, ce.Hint)
	}
}
