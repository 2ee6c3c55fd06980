package main

import (
	"context"
	"errors"
	"strings"

	"github.com/saferef/saferef/client/enrolment"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
)

const prog = "saferef-admin"

const overview = `Usage: saferef-admin COMMAND [flags]

saferef-admin creates a saferef scheme and its root keys, admits
organisations, and approves their staff's devices. DIR is the admin
directory holding scheme.json, the root keys and the organisations' admin
keys. Passphrases come from a terminal prompt, or SAFEREF_PASSPHRASE for
scripts (then one passphrase serves every key).`

func commands() []cli.Command {
	return []cli.Command{
		{Name: "scheme init", Synopsis: "create a scheme file and its passphrase-protected root keys", Run: schemeInit},
		{Name: "org add", Synopsis: "admit an organisation: admin key, root-signed certificate, publish", Run: orgAdd},
		{Name: "device approve", Synopsis: "approve a device from its enrolment request and publish its certificate", Run: deviceApprove},
		{Name: "device list", Synopsis: "list an organisation's devices, keys and status from the verified directory", Run: deviceList},
		{Name: "device revoke", Synopsis: "revoke a lost or stolen device, or a leaver's, with the org admin key", Run: deviceRevoke},
		{Name: "org remove", Synopsis: "remove an organisation from the scheme (root keys sign)", Run: orgRemove},
		{Name: "org rotate-admin", Synopsis: "replace an organisation's admin key (root keys, or --by-admin the old admin key, sign)", Run: orgRotateAdmin},
		{Name: "org retention", Synopsis: "set how long the organisation's devices keep finished cases (signed policy)", Run: orgRetention},
		{Name: "scheme rotate-roots", Synopsis: "rotate the scheme's root keys by ceremony (old roots sign the new set)", Run: schemeRotateRoots},
		{Name: "log verify", Synopsis: "audit the relay's whole transparency log against the scheme", Run: logVerify},
		{Name: "log show", Synopsis: "print the history of keys of an organisation or device, for an auditor", Run: logShow},
		{Name: "dev-scheme", Synopsis: "build a ready demo scheme with one device per demo organisation", Run: devScheme},
	}
}

func run(ctx context.Context, env *cli.Env, args []string) error {
	return cli.Dispatch(ctx, prog, overview, env, commands(), args)
}

func hint(err error) string {
	switch {
	case errors.Is(err, enrolment.ErrBadRequest):
		return "ask the user to run 'saferef enrol' again and send you the new enrolment-request.json"
	case errors.Is(err, crypto.ErrBelowThreshold):
		return "unlock at least the scheme's threshold of root keys"
	case strings.Contains(err.Error(), "connect to relay"):
		return "check that the relay is running and that the --relay url is right"
	}
	return ""
}
