package main

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/client/admin"
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
	if err := admin.CheckRoots(*roots, *threshold); err != nil {
		return cli.Usagef(fmt.Sprintf("use 1 <= K <= N <= %d", crypto.MaxRoots), "bad --roots %d / --threshold %d", *roots, *threshold)
	}
	s, _, err := admin.CreateScheme(*dir, *name, *roots, *threshold, env.NewPassphrase, env.WorkFactor())
	if err != nil {
		return hinted(err)
	}
	fmt.Fprintf(env.Stdout, "scheme: %s\n", admin.SchemePath(*dir))
	for i := 1; i <= *roots; i++ {
		fmt.Fprintf(env.Stdout, "root key %d: %s\n", i, admin.RootKeyPath(*dir, i))
	}
	fmt.Fprintf(env.Stdout, "threshold: %d of %d\n", s.Threshold, len(s.Roots))
	fmt.Fprintf(env.Stdout, "scheme fingerprint: %s\n", s.Fingerprint())
	return nil
}
