package main

import (
	"context"
	"errors"
	"strings"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/vault"
	"github.com/saferef/saferef/protocol"
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
		{Name: "dev-scheme", Synopsis: "build a ready demo scheme with one device per demo organisation", Run: devScheme},
	}
}

func run(ctx context.Context, env *cli.Env, args []string) error {
	return cli.Dispatch(ctx, prog, overview, env, commands(), args)
}

func hint(err error) string {
	var pe *protocol.Error
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		return "check the passphrase (and SAFEREF_PASSPHRASE, if it is set) and try again"
	case errors.Is(err, relay.ErrInsecureURL):
		return "use wss:// for a relay that is not on this machine"
	case errors.Is(err, relay.ErrBadURL):
		return "give the relay as wss://HOST[:PORT] (ws:// only for 127.0.0.1 or localhost)"
	case errors.Is(err, relay.ErrOriginMismatch):
		return "the relay answered for another address: check the --relay url"
	case errors.Is(err, client.ErrBadEnrolmentRequest):
		return "ask the user to run 'saferef enrol' again and send you the new enrolment-request.json"
	case errors.As(err, &pe):
		if pe.Code == protocol.CodeBadCertificate {
			return "the relay refused the certificate: check that it serves the same scheme.json"
		}
		return "try again; if it keeps failing, tell your relay operator the error code"
	case errors.Is(err, crypto.ErrBelowThreshold):
		return "unlock at least the scheme's threshold of root keys"
	case strings.Contains(err.Error(), "connect to relay"):
		return "check that the relay is running and that the --relay url is right"
	}
	return ""
}
