package main

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/client/admin"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/cmd/internal/cli"
)

const approveUsage = `Usage: saferef-admin device approve --dir DIR --relay URL [--fingerprint DIGITS] REQUEST_FILE

Approves a device from the enrolment-request.json its user sent you:
verifies the request's self-signature, shows the device fingerprint (check
it against what the user reads out to you, or pass it with --fingerprint to
have it checked), signs the device certificate (valid 2 years) with the
organisation's admin key DIR/orgs/ORG_ID/admin.key, and publishes it.
Prints the device id last.`

func deviceApprove(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "device approve", approveUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` holding orgs/ORG_ID/admin.key")
	relayURL := fs.String("relay", "", "relay `url` to publish to")
	want := fs.String("fingerprint", "", "the fingerprint `digits` the user read out; refuse if different")
	arg, err := fs.ParseOneArg(args, "REQUEST_FILE", "dir", "relay")
	if err != nil {
		return err
	}
	if _, err := relay.ParseURL(*relayURL); err != nil {
		return err
	}
	req, err := admin.ReadEnrolmentRequest(arg)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "device: %s, of organisation %s\n", req.Name, req.Org)
	fmt.Fprintf(env.Stdout, "device fingerprint: %s\n", req.Fingerprint())
	if _, err := admin.ApproveDevice(ctx, *dir, *relayURL, req, *want, env.Passphrase); err != nil {
		return hinted(err)
	}
	fmt.Fprintln(env.Stdout, req.Device)
	return nil
}
