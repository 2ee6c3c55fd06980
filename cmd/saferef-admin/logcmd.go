package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
)

// relayLog is the whole directory log as an unauthenticated reader gets
// it: the relay's announced log key, every entry, and the checkpoint for
// them.
type relayLog struct {
	key        string
	checkpoint []byte
	objects    [][]byte
}

// fetchLog reads the relay's whole directory log (no authentication is
// needed: the directory is public and verifies itself).
func fetchLog(ctx context.Context, relayURL string) (*relayLog, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	c, err := relay.Dial(ctx, relayURL, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	l, err := c.DirectoryLog(ctx, 0)
	if err != nil {
		return nil, err
	}
	out := &relayLog{key: c.Hello().LogKey, checkpoint: l.Checkpoint}
	for _, e := range l.Entries {
		out.objects = append(out.objects, e.Object)
	}
	return out, nil
}

// auditRelay fetches the relay's log and audits it from the first entry
// against the scheme in DIR. logKey, if set, is the key to trust (else the
// scheme's log_key, else the one the relay announces).
func auditRelay(ctx context.Context, dir, relayURL, logKey string) (*translog.AuditReport, string, error) {
	s, err := readScheme(dir)
	if err != nil {
		return nil, "", err
	}
	if _, err := relay.ParseURL(relayURL); err != nil {
		return nil, "", err
	}
	l, err := fetchLog(ctx, relayURL)
	if err != nil {
		return nil, "", fmt.Errorf("read the relay's log: %w", err)
	}
	key, err := translog.PinnedKey(s, logKey, l.key)
	if err != nil {
		return nil, "", cli.WithHint(fmt.Errorf("relay log key: %w", err),
			"the relay is not signing with the key you expected: do not trust it, and tell the relay operator")
	}
	rep, err := translog.Audit(s, key, l.checkpoint, l.objects)
	if err != nil {
		return nil, key, cli.WithHint(fmt.Errorf("audit the relay's log: %w", err),
			"the relay's log cannot be checked as a whole: the relay is faulty or tampered with; tell the relay operator and the scheme coordinator")
	}
	return rep, key, nil
}

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
	rep, key, err := auditRelay(ctx, *dir, *relayURL, *logKey)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "log key: %s\n", key)
	fmt.Fprintf(env.Stdout, "checkpoint: %s\n", rep.Checkpoint)
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
	rep, _, err := auditRelay(ctx, *dir, *relayURL, *logKey)
	if err != nil {
		return err
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
