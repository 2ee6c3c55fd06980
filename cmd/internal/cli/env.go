package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/saferef/saferef/client/passphrase"
	"github.com/saferef/saferef/crypto/vault"
	"golang.org/x/term"
)

// Environment variables the commands read.
const (
	EnvPassphrase = "SAFEREF_PASSPHRASE"
	EnvWorkFactor = vault.EnvWorkFactor
	EnvHome       = "SAFEREF_HOME"
	// MinTestWorkFactor is the lowest work factor SAFEREF_VAULT_WORK_FACTOR may set.
	MinTestWorkFactor = vault.MinTestWorkFactor
)

// Env is what a command may use of its process: streams, environment
// variables and the terminal.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable.
	Getenv func(string) string
	// ReadPassword prompts on the terminal and reads a line without echo.
	// Nil means there is no terminal.
	ReadPassword func(prompt string) (string, error)
	// ReadLine prompts on the terminal and reads a line, echoed (digits
	// read out over the phone, not secrets). Nil means there is no
	// terminal.
	ReadLine func(prompt string) (string, error)
}

// OSEnv returns the real process environment. ReadPassword is set only if
// standard input is a terminal; the prompt goes to standard error.
func OSEnv() *Env {
	e := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		e.ReadPassword = func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			b, err := term.ReadPassword(fd)
			fmt.Fprintln(os.Stderr)
			if err != nil {
				return "", fmt.Errorf("read passphrase: %w", err)
			}
			return string(b), nil
		}
		in := bufio.NewReader(os.Stdin)
		e.ReadLine = func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			line, err := in.ReadString('\n')
			if err != nil && line == "" {
				return "", fmt.Errorf("read from the terminal: %w", err)
			}
			return strings.TrimSpace(line), nil
		}
	}
	return e
}

// WorkFactor returns the scrypt work factor for new vaults: the default,
// or, in a test build only (vault.TestHooks), SAFEREF_VAULT_WORK_FACTOR
// clamped to MinTestWorkFactor..vault.MaxWorkFactor.
func (e *Env) WorkFactor() int {
	return vault.NewWorkFactor(e.Getenv)
}

// Passphrase returns the passphrase for an existing vault described by
// what (e.g. "the device vault"): from SAFEREF_PASSPHRASE, or a prompt.
func (e *Env) Passphrase(what string) (string, error) {
	if p := e.Getenv(EnvPassphrase); p != "" {
		return p, nil
	}
	if e.ReadPassword == nil {
		return "", noTerminal(what)
	}
	p, err := e.ReadPassword(fmt.Sprintf("passphrase for %s: ", what))
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", WithHint(fmt.Errorf("empty passphrase for %s", what), "type the passphrase you chose when it was created")
	}
	return p, nil
}

// NewPassphrase returns the passphrase for a vault about to be created:
// from SAFEREF_PASSPHRASE, or prompted twice and compared. Either way it
// must pass the strength rule (package client/passphrase); a refusal says
// why in plain words and how to choose a better one.
func (e *Env) NewPassphrase(what string) (string, error) {
	if p := e.Getenv(EnvPassphrase); p != "" {
		if err := passphrase.Check(p); err != nil {
			return "", WithHint(fmt.Errorf("the passphrase in %s for %s: %w", EnvPassphrase, what, err), passphrase.Advice)
		}
		return p, nil
	}
	if e.ReadPassword == nil {
		return "", noTerminal(what)
	}
	p, err := e.ReadPassword(fmt.Sprintf("new passphrase for %s: ", what))
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", WithHint(fmt.Errorf("empty passphrase for %s", what), passphrase.Advice)
	}
	if err := passphrase.Check(p); err != nil {
		return "", WithHint(fmt.Errorf("passphrase for %s: %w", what, err), "run the command again and "+passphrase.Advice)
	}
	again, err := e.ReadPassword(fmt.Sprintf("confirm passphrase for %s: ", what))
	if err != nil {
		return "", err
	}
	if again != p {
		return "", WithHint(fmt.Errorf("passphrases for %s do not match", what), "run the command again and type the same passphrase twice")
	}
	return p, nil
}

func noTerminal(what string) error {
	return WithHint(fmt.Errorf("no terminal to ask for the passphrase for %s", what),
		"run it in a terminal, or set "+EnvPassphrase+" in the environment for scripts")
}
