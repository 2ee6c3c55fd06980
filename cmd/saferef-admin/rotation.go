package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/admin"
)

const schemeRotateRootsUsage = `Usage: saferef-admin scheme rotate-roots --dir DIR --relay URL [--roots N --threshold K]

Rotates the scheme's root keys by ceremony: unlocks the current threshold
of root keys in DIR (root-1.key ...), generates N new root keys (each under
its own new passphrase), signs a scheme update with the old roots and the
new ones, and publishes it. The relay's log is audited first. Afterwards:

  - existing devices keep their scheme.json and follow the rotation from
    the log at their next sync: nothing to hand out to them;
  - DIR/scheme.json is replaced by the scheme file for NEW members (the new
    roots, plus the signed history that links them to the old ones); its
    fingerprint, printed last, is the one new members check by phone;
  - the old root key files move to DIR/retired-roots-SEQ/: they can no
    longer sign anything the directory accepts; destroy them once the new
    keys are safely stored.

Organisations admitted by the old roots stay admitted until their
certificates expire or are re-issued (by the new roots). N defaults to the
current number of roots and K to the current threshold.`

func schemeRotateRoots(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "scheme rotate-roots", schemeRotateRootsUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` holding scheme.json and the root keys")
	relayURL := fs.String("relay", "", "relay `url` to publish to")
	n := fs.Int("roots", 0, "number of new root keys `N` (default: as now)")
	k := fs.Int("threshold", 0, "new root signatures `K` needed (default: as now)")
	if err := fs.ParseNoArgs(args, "dir", "relay"); err != nil {
		return err
	}
	r, err := admin.RotateRoots(ctx, *dir, *relayURL, admin.RotateRootsOptions{
		N: *n, K: *k, Roots: rootUnlocker(env, *dir), NewPassphrase: env.NewPassphrase, WorkFactor: env.WorkFactor(),
	})
	var bad *admin.BadRootsError
	if errors.As(err, &bad) {
		return cli.Usagef(fmt.Sprintf("use 1 <= K <= N <= %d, and K plus the current threshold %d at most %d", crypto.MaxRoots, bad.Threshold, crypto.MaxSignatures),
			"bad --roots %d / --threshold %d", bad.N, bad.K)
	}
	if err != nil {
		return hinted(err)
	}
	fmt.Fprintf(env.Stdout, "scheme update %d published: roots rotated, now %d of %d\n", r.Seq, r.Next.Threshold, len(r.Next.Roots))
	for i := 1; i <= len(r.Next.Roots); i++ {
		fmt.Fprintf(env.Stdout, "new root key %d: %s\n", i, admin.RootKeyPath(*dir, i))
	}
	fmt.Fprintf(env.Stdout, "old root keys moved to %s: destroy them once the new keys are stored safely\n", r.Retired)
	fmt.Fprintf(env.Stdout, "existing devices: nothing to do; they keep their scheme.json (fingerprint %s) and follow the rotation at their next sync\n", r.Previous.Fingerprint())
	fmt.Fprintf(env.Stdout, "new members: hand out %s; check this fingerprint with them by phone or in person\n", admin.SchemePath(*dir))
	fmt.Fprintf(env.Stdout, "scheme fingerprint: %s\n", r.Next.Fingerprint())
	return nil
}

const orgRetentionUsage = `Usage: saferef-admin org retention --dir DIR --relay URL --days N ORG_ID

Sets how long every device of the organisation keeps a closed, withdrawn
or filled case before crypto-shredding it: signs a retention policy with the
organisation's admin key DIR/orgs/ORG_ID/admin.key and publishes it in the
directory log. Each device applies it at its next sync; a user may shorten
it on their own device, never lengthen it; a later policy replaces it.
N is 1 to 18250 days. Prints the organisation id last.`

func orgRetention(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "org retention", orgRetentionUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` holding orgs/ORG_ID/admin.key")
	relayURL := fs.String("relay", "", "relay `url` to publish to")
	days := fs.Int("days", 0, "keep finished cases this many `days`")
	arg, err := fs.ParseOneArg(args, "ORG_ID", "dir", "relay", "days")
	if err != nil {
		return err
	}
	org, err := crypto.ParseOrgID(arg)
	if err != nil {
		return cli.Usagef("an organisation id is 32 hex digits", "bad organisation id: %v", err)
	}
	if err := admin.CheckRetention(*days); err != nil {
		return cli.Usagef(fmt.Sprintf("give --days from 1 to %d", admin.MaxRetentionDays), "bad --days %d", *days)
	}
	p, err := admin.SetRetention(ctx, *dir, *relayURL, org, *days, env.Passphrase)
	if err != nil {
		return hinted(err)
	}
	fmt.Fprintf(env.Stdout, "retention policy %d for %s: finished cases are crypto-shredded %d days after they close\n", p.Seq, p.Org.Name, *days)
	fmt.Fprintln(env.Stdout, "every device of the organisation applies it at its next sync")
	fmt.Fprintln(env.Stdout, org)
	return nil
}
