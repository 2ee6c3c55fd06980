package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/admin"
)

const schemeInitUsage = `Usage: saferef-admin scheme init --dir DIR [--roots N --threshold K] [--name NAME]
       [--witness VKEY ... --witness-quorum K --relay-log-key FILE [--witness-fresh D --witness-release-fresh D]]

Creates DIR/scheme.json (public: hand it to every organisation) and N root
keys DIR/root-1.key ... DIR/root-N.key, each encrypted under its own
passphrase (or SAFEREF_PASSPHRASE for all). K of the N root keys must sign
each organisation certificate. Prints the scheme fingerprint, for everyone
to check by phone or in person against the scheme.json they were given.

With --witness (repeat it for each witness: its cosignature verifier key as
litewitness prints it at start), the roots also sign the scheme's witness
set into scheme.json: --witness-quorum of them must cosign a checkpoint,
within --witness-fresh (default 24h) for ordinary sends and
--witness-release-fresh (default 1h) before releasing household details or
sealing to a device for the first time. The relay's log key is created in
--relay-log-key FILE (give it to the relay operator like a private key:
saferef-server --log-key FILE) and named in the witness set, so devices
never take it from the relay. Change witnesses later with 'scheme
witnesses'. See docs/ADMIN.md for running a witness.`

const schemeWitnessesUsage = `Usage: saferef-admin scheme witnesses --dir DIR --log-key VKEY --witness VKEY ... --witness-quorum K
       [--witness-fresh D --witness-release-fresh D] [--relay URL]

Signs a new witness set with the root keys in DIR (the scheme's threshold
of them) and writes it into DIR/scheme.json: the witnesses' cosignature
verifier keys, how many must cosign, the freshness windows, and the
relay's log verifier key (as saferef-server logs it at start, log_key).
With --relay the signed set is also published to the relay's log, and
every device follows it from there at its next sync (as it follows a root
rotation); configure the relay with any new witness (--witness URL) first,
since the publication is confirmed by the new set's witnesses. New members
get the new scheme.json.`

// witnessFlags are the witness-set flags of scheme init and scheme
// witnesses.
type witnessFlags struct {
	witnesses      stringList
	quorum         *int
	fresh, release *time.Duration
}

func addWitnessFlags(fs *cli.FlagSet) *witnessFlags {
	w := &witnessFlags{}
	fs.Var(&w.witnesses, "witness", "a witness's cosignature verifier `key` (repeat for each witness)")
	w.quorum = fs.Int("witness-quorum", 1, "how many witnesses `K` must cosign a checkpoint")
	w.fresh = fs.Duration("witness-fresh", 24*time.Hour, "how old the newest quorum of cosignatures may be for ordinary sends (`duration`)")
	w.release = fs.Duration("witness-release-fresh", time.Hour, "how old it may be before releasing household details or sealing to a new device (`duration`)")
	return w
}

func (w *witnessFlags) options(logKey string) admin.WitnessOptions {
	return admin.WitnessOptions{LogKey: logKey, Witnesses: w.witnesses, Quorum: *w.quorum, Freshness: *w.fresh, ReleaseFreshness: *w.release}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

// Set adds one value.
func (l *stringList) Set(v string) error {
	if v == "" {
		return errors.New("empty value")
	}
	*l = append(*l, v)
	return nil
}

func printWitnesses(env *cli.Env, s *crypto.Scheme) {
	ws, err := s.WitnessSet()
	if err != nil || ws == nil {
		return
	}
	for _, w := range ws.Witnesses {
		fmt.Fprintf(env.Stdout, "witness: %s\n", w.Key)
	}
	fmt.Fprintf(env.Stdout, "witness quorum: %d of %d, fresh within %s (%s before a release)\n", ws.Quorum, len(ws.Witnesses), ws.Freshness, ws.ReleaseFreshness)
	fmt.Fprintf(env.Stdout, "relay log key: %s\n", ws.LogKey)
}

func schemeWitnesses(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "scheme witnesses", schemeWitnessesUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` holding scheme.json and the root keys")
	logKey := fs.String("log-key", "", "the relay's log verifier `key` (saferef-server logs it at start)")
	relayURL := fs.String("relay", "", "relay `url` to publish the new set to (devices follow it from the log)")
	wf := addWitnessFlags(fs)
	if err := fs.ParseNoArgs(args, "dir", "log-key"); err != nil {
		return err
	}
	if len(wf.witnesses) == 0 {
		return cli.Usagef("name each witness with --witness VKEY", "no --witness given")
	}
	cur, err := admin.ReadScheme(*dir)
	if err != nil {
		return hinted(err)
	}
	roots, err := unlockRoots(env, *dir, cur)
	if err != nil {
		return err
	}
	s, err := admin.SetWitnesses(*dir, wf.options(*logKey), roots)
	if err != nil {
		return cli.WithHint(err, "check each --witness key (litewitness prints it at start as vkey=...) and that --witness-quorum is at most the number of witnesses")
	}
	printWitnesses(env, s)
	if *relayURL != "" {
		signed, err := base64.StdEncoding.DecodeString(s.Witnesses)
		if err != nil {
			return err
		}
		if _, err := admin.Publish(ctx, *dir, *relayURL, signed); err != nil {
			return hinted(err)
		}
	}
	fmt.Fprintf(env.Stdout, "scheme: %s\n", admin.SchemePath(*dir))
	return nil
}

func schemeInit(_ context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "scheme init", schemeInitUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` to create the scheme in")
	roots := fs.Int("roots", 1, "number of root keys `N`")
	threshold := fs.Int("threshold", 1, "root signatures `K` needed for an organisation certificate")
	name := fs.String("name", "saferef scheme", "the scheme's `name`")
	wf := addWitnessFlags(fs)
	relayLogKey := fs.String("relay-log-key", "", "with --witness: create the relay's log signing key in this new `file` (for saferef-server --log-key)")
	if err := fs.ParseNoArgs(args, "dir"); err != nil {
		return err
	}
	if err := admin.CheckRoots(*roots, *threshold); err != nil {
		return cli.Usagef(fmt.Sprintf("use 1 <= K <= N <= %d", crypto.MaxRoots), "bad --roots %d / --threshold %d", *roots, *threshold)
	}
	if (len(wf.witnesses) > 0) != (*relayLogKey != "") {
		return cli.Usagef("name the witnesses with --witness and where to create the relay's log key with --relay-log-key, together", "--witness and --relay-log-key go together")
	}
	if len(wf.witnesses) > 0 {
		if *wf.quorum < 1 || *wf.quorum > len(wf.witnesses) {
			return cli.Usagef("use 1 <= --witness-quorum <= the number of --witness", "bad --witness-quorum %d with %d witnesses", *wf.quorum, len(wf.witnesses))
		}
		for _, k := range wf.witnesses {
			if _, err := crypto.NewWitness(k); err != nil {
				return cli.Usagef("give each witness's cosignature verifier key as litewitness prints it at start (vkey=...)", "bad --witness: %v", err)
			}
		}
	}
	s, keys, err := admin.CreateScheme(*dir, *name, *roots, *threshold, env.NewPassphrase, env.WorkFactor())
	if err != nil {
		return hinted(err)
	}
	if len(wf.witnesses) > 0 {
		vkey, err := admin.GenerateRelayLogKey(s, *relayLogKey)
		if err != nil {
			return cli.WithHint(err, "choose a --relay-log-key path that does not exist yet")
		}
		if s, err = admin.SetWitnesses(*dir, wf.options(vkey), keys[:s.Threshold]); err != nil {
			return cli.WithHint(err, "check each --witness key and the freshness windows (the release window cannot exceed the ordinary one)")
		}
		printWitnesses(env, s)
		fmt.Fprintf(env.Stdout, "relay log signing key: %s (secret: give it to the relay operator for saferef-server --log-key)\n", *relayLogKey)
	}
	fmt.Fprintf(env.Stdout, "scheme: %s\n", admin.SchemePath(*dir))
	for i := 1; i <= *roots; i++ {
		fmt.Fprintf(env.Stdout, "root key %d: %s\n", i, admin.RootKeyPath(*dir, i))
	}
	fmt.Fprintf(env.Stdout, "threshold: %d of %d\n", s.Threshold, len(s.Roots))
	fmt.Fprintf(env.Stdout, "scheme fingerprint: %s\n", s.Fingerprint())
	return nil
}
