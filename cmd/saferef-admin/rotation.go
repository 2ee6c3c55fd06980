package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
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
	rep, _, err := auditRelay(ctx, *dir, *relayURL, "")
	if err != nil {
		return err
	}
	cur := rep.Directory.Scheme()
	local, err := readScheme(*dir)
	if err != nil {
		return err
	}
	if local.Fingerprint() != cur.Fingerprint() {
		return cli.WithHint(fmt.Errorf("the relay's log has rotated the roots to fingerprint %s, but %s has %s",
			cur.Fingerprint(), filepath.Join(*dir, "scheme.json"), local.Fingerprint()),
			"run the rotation in the admin directory that holds the current root keys")
	}
	if *n == 0 {
		*n = len(cur.Roots)
	}
	if *k == 0 {
		*k = min(cur.Threshold, *n)
	}
	if *n < 1 || *n > crypto.MaxRoots || *k < 1 || *k > *n || cur.Threshold+*k > crypto.MaxSignatures {
		return cli.Usagef(fmt.Sprintf("use 1 <= K <= N <= %d, and K plus the current threshold %d at most %d", crypto.MaxRoots, cur.Threshold, crypto.MaxSignatures),
			"bad --roots %d / --threshold %d", *n, *k)
	}
	oldRoots, err := unlockRoots(env, *dir, cur)
	if err != nil {
		return err
	}
	seq := uint64(len(cur.History)) + 1
	staging := filepath.Join(*dir, fmt.Sprintf("roots-%d.new", seq))
	if err := os.Mkdir(staging, 0o700); err != nil {
		return cli.WithHint(fmt.Errorf("rotate roots: %w", err), "remove "+staging+" if an earlier rotation was interrupted before publishing")
	}
	next, up, err := rotateRoots(cur, oldRoots, *n, *k, seq, staging, func(i int) (string, error) {
		return env.NewPassphrase(fmt.Sprintf("new root key %d (%s)", i, rootKeyPath(*dir, i)))
	}, env.WorkFactor(), time.Now())
	if err != nil {
		os.RemoveAll(staging)
		return err
	}
	if _, err := publish(ctx, *relayURL, up); err != nil {
		os.RemoveAll(staging)
		return fmt.Errorf("publish scheme update %d (nothing changed in %s): %w", seq, *dir, err)
	}
	retired, err := installRoots(*dir, staging, len(cur.Roots), *n, seq, next)
	if err != nil {
		return cli.WithHint(fmt.Errorf("scheme update %d is published, but the key files were not all moved: %w", seq, err),
			"move the new keys from "+staging+" to root-N.key by hand and write the new scheme.json with 'saferef-admin log verify' checking it")
	}
	fmt.Fprintf(env.Stdout, "scheme update %d published: roots rotated, now %d of %d\n", seq, next.Threshold, len(next.Roots))
	for i := 1; i <= *n; i++ {
		fmt.Fprintf(env.Stdout, "new root key %d: %s\n", i, rootKeyPath(*dir, i))
	}
	fmt.Fprintf(env.Stdout, "old root keys moved to %s: destroy them once the new keys are stored safely\n", retired)
	fmt.Fprintf(env.Stdout, "existing devices: nothing to do; they keep their scheme.json (fingerprint %s) and follow the rotation at their next sync\n", local.Fingerprint())
	fmt.Fprintf(env.Stdout, "new members: hand out %s; check this fingerprint with them by phone or in person\n", filepath.Join(*dir, "scheme.json"))
	fmt.Fprintf(env.Stdout, "scheme fingerprint: %s\n", next.Fingerprint())
	return nil
}

// rotateRoots generates n new root keys, stores them in staging as
// root-1.key ..., and signs the scheme update that replaces cur's roots
// with them (threshold k). It returns the scheme after the update and the
// signed update.
func rotateRoots(cur *crypto.Scheme, oldRoots []ed25519.PrivateKey, n, k int, seq uint64, staging string, pass func(i int) (string, error), wf int, now time.Time) (*crypto.Scheme, []byte, error) {
	prev := make([]ed25519.PublicKey, 0, len(cur.Roots))
	for _, r := range cur.Roots {
		key, err := crypto.ParsePublicKey(r)
		if err != nil {
			return nil, nil, fmt.Errorf("rotate roots: %w", err)
		}
		prev = append(prev, key)
	}
	u := &crypto.SchemeUpdate{Seq: seq, PrevRoots: prev, PrevThreshold: cur.Threshold, Threshold: k, Issued: now.UTC().Truncate(time.Second)}
	keys := make([]ed25519.PrivateKey, n)
	for i := range keys {
		key, err := crypto.GenerateSigningKey(nil)
		if err != nil {
			return nil, nil, fmt.Errorf("rotate roots: %w", err)
		}
		keys[i] = key
		u.Roots = append(u.Roots, key.Public().(ed25519.PublicKey))
	}
	up, err := crypto.SignSchemeUpdate(u, oldRoots, keys)
	if err != nil {
		return nil, nil, fmt.Errorf("rotate roots: %w", err)
	}
	_, next, err := cur.VerifyUpdate(up)
	if err != nil {
		return nil, nil, fmt.Errorf("rotate roots: the update does not verify: %w", err)
	}
	for i, key := range keys {
		p, err := pass(i + 1)
		if err != nil {
			return nil, nil, err
		}
		if err := writeKey(rootKeyPath(staging, i+1), rootKeyType, "", key, p, wf); err != nil {
			return nil, nil, fmt.Errorf("rotate roots: %w", err)
		}
	}
	return next, up, nil
}

// installRoots moves the old root key files (root-1.key ... root-oldN.key)
// and scheme.json into DIR/retired-roots-(seq-1)/, the new keys from staging
// into DIR, and writes the new scheme file. It returns the retired
// directory.
func installRoots(dir, staging string, oldN, n int, seq uint64, next *crypto.Scheme) (string, error) {
	b, err := next.Marshal()
	if err != nil {
		return "", err
	}
	retired := filepath.Join(dir, fmt.Sprintf("retired-roots-%d", seq-1))
	if err := os.Mkdir(retired, 0o700); err != nil {
		return "", err
	}
	for i := 1; i <= oldN; i++ {
		if err := os.Rename(rootKeyPath(dir, i), rootKeyPath(retired, i)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return retired, err
		}
	}
	if err := os.Rename(filepath.Join(dir, "scheme.json"), filepath.Join(retired, "scheme.json")); err != nil {
		return retired, err
	}
	for i := 1; i <= n; i++ {
		if err := os.Rename(rootKeyPath(staging, i), rootKeyPath(dir, i)); err != nil {
			return retired, err
		}
	}
	if err := writeNew(filepath.Join(dir, "scheme.json"), b, 0o644); err != nil {
		return retired, err
	}
	return retired, os.Remove(staging)
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
	pos, err := fs.Parse(args)
	if err != nil {
		return err
	}
	if err := fs.NArgs(pos, 1, "ORG_ID"); err != nil {
		return err
	}
	if err := fs.Required("dir", "relay", "days"); err != nil {
		return err
	}
	org, err := crypto.ParseOrgID(pos[0])
	if err != nil {
		return cli.Usagef("an organisation id is 32 hex digits", "bad organisation id: %v", err)
	}
	period := time.Duration(*days) * 24 * time.Hour
	if *days < 1 || period > crypto.MaxPolicyRetention {
		return cli.Usagef(fmt.Sprintf("give --days from 1 to %d", int(crypto.MaxPolicyRetention/(24*time.Hour))), "bad --days %d", *days)
	}
	rep, _, err := auditRelay(ctx, *dir, *relayURL, "")
	if err != nil {
		return err
	}
	oc, err := currentOrgCert(rep, org)
	if err != nil {
		return err
	}
	seq := uint64(1)
	if p := rep.Directory.Policy(org); p != nil {
		seq = p.Seq + 1
	}
	pass, err := env.Passphrase("the admin key of " + oc.Name)
	if err != nil {
		return err
	}
	admin, _, err := readKey(adminKeyPath(*dir, org), adminKeyType, pass)
	if err != nil {
		return err
	}
	b, err := crypto.SignOrgPolicy(&crypto.OrgPolicy{Org: org, Seq: seq, Retention: period, Issued: time.Now().UTC().Truncate(time.Second)}, admin)
	if err != nil {
		return err
	}
	if _, err := crypto.VerifyOrgPolicy(b, oc); err != nil {
		return fmt.Errorf("the policy does not verify (is this the organisation's current admin key?): %w", err)
	}
	if _, err := publish(ctx, *relayURL, b); err != nil {
		return fmt.Errorf("publish retention policy: %w", err)
	}
	fmt.Fprintf(env.Stdout, "retention policy %d for %s: finished cases are crypto-shredded %d days after they close\n", seq, oc.Name, *days)
	fmt.Fprintln(env.Stdout, "every device of the organisation applies it at its next sync")
	fmt.Fprintln(env.Stdout, org)
	return nil
}
