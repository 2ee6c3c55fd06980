package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
)

const schemeInitUsage = `Usage: saferef-admin scheme init --dir DIR [--roots N --threshold K] [--name NAME]

Creates DIR/scheme.json (public: hand it to every organisation) and N root
keys DIR/root-1.key ... DIR/root-N.key, each encrypted under its own
passphrase (or SAFEREF_PASSPHRASE for all). K of the N root keys must sign
each organisation certificate. Prints the scheme fingerprint, for everyone
to check by phone or in person against the scheme.json they were given.`

func schemeInit(_ context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "scheme init", schemeInitUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` to create the scheme in")
	roots := fs.Int("roots", 1, "number of root keys `N`")
	threshold := fs.Int("threshold", 1, "root signatures `K` needed for an organisation certificate")
	name := fs.String("name", "saferef scheme", "the scheme's `name`")
	if err := fs.ParseNoArgs(args, "dir"); err != nil {
		return err
	}
	if *roots < 1 || *roots > crypto.MaxRoots || *threshold < 1 || *threshold > *roots {
		return cli.Usagef(fmt.Sprintf("use 1 <= K <= N <= %d", crypto.MaxRoots), "bad --roots %d / --threshold %d", *roots, *threshold)
	}
	s, _, err := createScheme(*dir, *name, *roots, *threshold, func(i int) (string, error) {
		return env.NewPassphrase(fmt.Sprintf("root key %d (%s)", i, rootKeyPath(*dir, i)))
	}, env.WorkFactor())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "scheme: %s\n", filepath.Join(*dir, "scheme.json"))
	for i := 1; i <= *roots; i++ {
		fmt.Fprintf(env.Stdout, "root key %d: %s\n", i, rootKeyPath(*dir, i))
	}
	fmt.Fprintf(env.Stdout, "threshold: %d of %d\n", s.Threshold, len(s.Roots))
	fmt.Fprintf(env.Stdout, "scheme fingerprint: %s\n", s.Fingerprint())
	return nil
}

// createScheme writes DIR/scheme.json and the root key vaults.
func createScheme(dir, name string, n, k int, pass func(i int) (string, error), wf int) (*crypto.Scheme, []ed25519.PrivateKey, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create scheme: %w", err)
	}
	schemePath := filepath.Join(dir, "scheme.json")
	if _, err := os.Stat(schemePath); err == nil {
		return nil, nil, cli.WithHint(fmt.Errorf("create scheme: %s %w", schemePath, errExists), "choose another --dir; a scheme is created once")
	}
	for i := 1; i <= n; i++ {
		if _, err := os.Stat(rootKeyPath(dir, i)); err == nil {
			return nil, nil, cli.WithHint(fmt.Errorf("create scheme: %s %w", rootKeyPath(dir, i), errExists), "choose another --dir; a scheme is created once")
		}
	}
	s := &crypto.Scheme{Name: name, Threshold: k, RotationDays: crypto.DefaultRotationDays,
		GraceDays: crypto.DefaultGraceDays, MailboxTTLDays: crypto.DefaultMailboxTTLDays}
	keys := make([]ed25519.PrivateKey, n)
	for i := range keys {
		key, err := crypto.GenerateSigningKey(nil)
		if err != nil {
			return nil, nil, fmt.Errorf("create scheme: %w", err)
		}
		keys[i] = key
		s.Roots = append(s.Roots, crypto.EncodePublicKey(key.Public().(ed25519.PublicKey)))
	}
	b, err := s.Marshal()
	if err != nil {
		return nil, nil, fmt.Errorf("create scheme: %w", err)
	}
	s, err = crypto.ParseScheme(b)
	if err != nil {
		return nil, nil, fmt.Errorf("create scheme: %w", err)
	}
	for i, key := range keys {
		p, err := pass(i + 1)
		if err != nil {
			return nil, nil, err
		}
		if err := writeKey(rootKeyPath(dir, i+1), rootKeyType, "", key, p, wf); err != nil {
			return nil, nil, fmt.Errorf("create scheme: %w", err)
		}
	}
	if err := writeNew(schemePath, b, 0o644); err != nil {
		return nil, nil, fmt.Errorf("create scheme: %w", err)
	}
	return s, keys, nil
}
