package main

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/internal/admin"
)

const approveUsage = `Usage: saferef-admin device approve --dir DIR --relay URL [--fingerprint DIGITS] REQUEST_FILE

Approves a device from the enrolment-request.json its user sent you:
verifies the request's self-signature, then checks the device fingerprint
against the digits the member of staff reads out to you (from what
'saferef enrol' showed them). On a terminal it shows the fingerprint and
asks you to type the digits read out; without a terminal --fingerprint is
required. Nothing is signed unless they match. Then it signs the device
certificate (valid 2 years) with the organisation's admin key
DIR/orgs/ORG_ID/admin.key, and publishes it. Prints the device id last.`

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
	if *want == "" {
		if env.ReadLine == nil {
			return cli.Usagef("ask the member of staff to read out the fingerprint 'saferef enrol' showed them and pass it: --fingerprint \"12345 67890 ...\"",
				"--fingerprint is required when there is no terminal to ask on")
		}
		fmt.Fprintln(env.Stdout, "ask the member of staff to read out the fingerprint their device showed them (on a call you placed, or in person)")
		got, err := env.ReadLine("digits read out: ")
		if err != nil {
			return err
		}
		if !admin.SameFingerprint(got, req.Fingerprint()) {
			return cli.WithHint(fmt.Errorf("the digits read out (%s) are not this request's fingerprint: nothing was signed", got),
				"do not approve: ask the member of staff to enrol again and send you the new request, and check you have the right file")
		}
		*want = got
	}
	if _, err := admin.ApproveDevice(ctx, *dir, *relayURL, req, *want, env.Passphrase); err != nil {
		return hinted(err)
	}
	fmt.Fprintln(env.Stdout, req.Device)
	return nil
}
