package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrHelp is returned when -h was given and usage has been printed.
var ErrHelp = errors.New("help requested")

// Error is an error with a hint that tells the user what to do next.
type Error struct {
	Err   error
	Hint  string
	Usage bool // a usage error: exit code 2
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// WithHint attaches a hint to err (nil stays nil).
func WithHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &Error{Err: err, Hint: hint}
}

// Usagef returns a usage error (exit code 2) with a hint.
func Usagef(hint, format string, args ...any) error {
	return &Error{Err: fmt.Errorf(format, args...), Hint: hint, Usage: true}
}

// Main runs a command and turns its error into messages on stderr and an
// exit code: 0 on success or -h, 2 on a usage error, 1 otherwise. hint, if
// not nil, supplies a hint for errors that carry none.
func Main(ctx context.Context, prog string, env *Env, args []string, run func(context.Context, *Env, []string) error, hint func(error) string) int {
	err := run(ctx, env, args)
	if err == nil || errors.Is(err, ErrHelp) {
		return 0
	}
	PrintError(env.Stderr, prog, err, hint)
	var ce *Error
	if errors.As(err, &ce) && ce.Usage {
		return 2
	}
	return 1
}

// PrintError prints err (one "error:" line per line of its message) and
// a hint line: the error's own hint, else hint's, else CommonHint's, else a
// pointer to the usage.
func PrintError(w io.Writer, prog string, err error, hint func(error) string) {
	for _, line := range strings.Split(err.Error(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			fmt.Fprintf(w, "%s: error: %s\n", prog, line)
		}
	}
	h := ""
	var ce *Error
	if errors.As(err, &ce) {
		h = ce.Hint
	}
	if h == "" && hint != nil {
		h = hint(err)
	}
	if h == "" {
		h = CommonHint(err)
	}
	if h == "" && ce != nil && ce.Usage {
		h = fmt.Sprintf("run '%s -h' for usage", prog)
	}
	if h == "" {
		// Not a mistake in the command line, and nothing more specific is
		// known: the usage would not help.
		h = "run the command again; if it fails the same way, give this error to your organisation admin"
	}
	fmt.Fprintf(w, "%s: hint: %s\n", prog, h)
}
