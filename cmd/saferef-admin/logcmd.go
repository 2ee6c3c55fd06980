package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/internal/admin"
)

const logVerifyUsage = `Usage: saferef-admin log verify --dir DIR --relay URL [--log-key KEY]

Audits the relay's whole transparency log from its first entry: the
checkpoint's signature by the relay's log key (the scheme's log_key, or
--log-key, or else the key the relay announces, which is printed so you can
compare it with the one your devices pinned), that the entries hash to the
signed root, and that every entry's signatures chain up to the scheme root
keys. Prints a summary line, each failed entry, and ends with "log ok" or
exits with status 1.`

func logVerify(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "log verify", logVerifyUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` holding scheme.json")
	relayURL := fs.String("relay", "", "relay `url`")
	logKey := fs.String("log-key", "", "the relay's log verifier `key` to trust")
	if err := fs.ParseNoArgs(args, "dir", "relay"); err != nil {
		return err
	}
	rep, key, err := admin.Audit(ctx, *dir, *relayURL, *logKey)
	if err != nil {
		return hinted(err)
	}
	fmt.Fprintf(env.Stdout, "log key: %s\n", key)
	fmt.Fprintf(env.Stdout, "checkpoint: %s\n", rep.Checkpoint)
	if size, at, ok, werr := admin.WitnessedView(*dir); werr == nil && ok {
		if at.IsZero() {
			fmt.Fprintf(env.Stdout, "witnessed: no checkpoint with a quorum of the scheme's witnesses yet\n")
			fmt.Fprintln(env.Stderr, "saferef-admin: warning: the scheme's witnesses have not cosigned the relay's log: check that they run and that the relay has them (--witness)")
		} else {
			fmt.Fprintf(env.Stdout, "witnessed: checkpoint of size %d, cosigned by a quorum at %s (%s ago)\n", size, at.UTC().Format(time.RFC3339), time.Since(at).Truncate(time.Second))
		}
	}
	fmt.Fprintf(env.Stdout, "entries: %d, failed: %d, organisations: %d\n", len(rep.Entries), rep.Failed, len(rep.Directory.Orgs()))
	for _, e := range rep.Entries {
		if e.Err != nil {
			fmt.Fprintf(env.Stdout, "FAILED entry %d (%s %s): %v\n", e.Index, kindOr(e.Kind), subject(&e), e.Err)
		}
	}
	if !rep.OK() {
		return cli.WithHint(fmt.Errorf("log verify: %d of %d entries failed verification", rep.Failed, len(rep.Entries)),
			"entries that fail are never trusted by devices, but someone put them in the relay's store: tell the relay operator and the scheme coordinator")
	}
	fmt.Fprintln(env.Stdout, "log ok")
	return nil
}

const logShowUsage = `Usage: saferef-admin log show --dir DIR --relay URL [--org ORG_ID | --device DEVICE_ID]

Prints the history of keys from the relay's transparency log, for an
auditor: every entry (or those about one organisation and its devices, or
one device) with its index, time, kind, subject and detail (key
fingerprints and hashes, never a private key), and whether it verified.
The log is audited first, as 'log verify' does.`

func logShow(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "log show", logShowUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` holding scheme.json")
	relayURL := fs.String("relay", "", "relay `url`")
	orgFlag := fs.String("org", "", "show only this organisation `id` and its devices")
	devFlag := fs.String("device", "", "show only this device `id`")
	logKey := fs.String("log-key", "", "the relay's log verifier `key` to trust")
	if err := fs.ParseNoArgs(args, "dir", "relay"); err != nil {
		return err
	}
	var (
		org crypto.OrgID
		dev crypto.DeviceID
		err error
	)
	if *orgFlag != "" && *devFlag != "" {
		return cli.Usagef("give --org or --device, not both", "too many filters")
	}
	if *orgFlag != "" {
		if org, err = crypto.ParseOrgID(*orgFlag); err != nil {
			return cli.Usagef("an organisation id is 32 hex digits", "bad --org: %v", err)
		}
	}
	if *devFlag != "" {
		if dev, err = crypto.ParseDeviceID(*devFlag); err != nil {
			return cli.Usagef("a device id is 32 hex digits", "bad --device: %v", err)
		}
	}
	rep, _, err := admin.Audit(ctx, *dir, *relayURL, *logKey)
	if err != nil {
		return hinted(err)
	}
	entries := rep.Entries
	if !org.IsZero() || !dev.IsZero() {
		entries = rep.History(org, dev)
	}
	for _, e := range entries {
		printEntry(env.Stdout, &e)
	}
	fmt.Fprintf(env.Stdout, "%d entries shown of %d; checkpoint %s\n", len(entries), len(rep.Entries), rep.Checkpoint)
	return nil
}

func printEntry(w io.Writer, e *translog.AuditEntry) {
	status := "ok"
	if e.Err != nil {
		status = "FAILED: " + e.Err.Error()
	}
	t := "-"
	if !e.Time.IsZero() {
		t = e.Time.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Index, t, kindOr(e.Kind), subject(e), e.Detail, status)
}

func kindOr(k string) string {
	if k == "" {
		return "unreadable"
	}
	return k
}

// subject names what an entry is about.
func subject(e *translog.AuditEntry) string {
	var s string
	switch {
	case !e.Device.IsZero():
		s = "device " + e.Device.String()
	case !e.Org.IsZero():
		s = "organisation " + e.Org.String()
	default:
		return "-"
	}
	if e.Name != "" {
		s += fmt.Sprintf(" %q", e.Name)
	}
	return s
}
