package main

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
)

const enrolUsage = `Usage: saferef enrol --home HOME --scheme SCHEME_FILE --relay URL --org ORG_ID --name NAME

Creates HOME (mode 0700) for a new device of organisation ORG_ID: a copy of
the scheme file, the device vault (protected by a passphrase you choose),
config.sealed, and enrolment-request.json for your organisation admin. It
prints the device fingerprint, to read out to your admin, and last the path
of the request file to hand them.`

func (g *globals) enrol(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "enrol", enrolUsage)
	scheme := fs.String("scheme", "", "the scheme `file` from your scheme coordinator")
	relayURL := fs.String("relay", "", "relay `url`, e.g. wss://relay.example.org")
	org := fs.String("org", "", "your organisation's `id`")
	name := fs.String("name", "", "this device's display `name`, e.g. \"Priya's laptop\"")
	if err := fs.ParseNoArgs(args, "home", "scheme", "relay", "org", "name"); err != nil {
		return err
	}
	orgID, err := crypto.ParseOrgID(*org)
	if err != nil {
		return cli.Usagef("the organisation id is 32 hex digits, as your admin gave it", "bad --org: %v", err)
	}
	pass, err := env.NewPassphrase("the new device vault")
	if err != nil {
		return err
	}
	e, err := client.Enrol(ctx, &client.EnrolOptions{
		Home: *home, SchemeFile: *scheme, Relay: *relayURL, Org: orgID, Name: *name,
		Passphrase: pass, WorkFactor: env.WorkFactor(),
	})
	if err != nil {
		return err
	}
	if !e.RelayChecked {
		fmt.Fprintf(env.Stderr, "saferef: warning: the relay and organisation were not checked: %s; the first 'saferef sync' will check them\n", e.RelayUnchecked)
	}
	fmt.Fprintf(env.Stdout, "device id: %s\n", e.Device)
	fmt.Fprintf(env.Stdout, "device fingerprint: %s\n", e.Fingerprint)
	fmt.Fprintln(env.Stdout, "read the fingerprint out to your organisation admin and send them the request file:")
	fmt.Fprintln(env.Stdout, e.RequestPath)
	return nil
}
