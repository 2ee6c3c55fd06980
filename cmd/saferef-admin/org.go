package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/admin"
	"github.com/saferef/saferef/protocol/payload"
)

const orgAddUsage = `Usage: saferef-admin org add --dir DIR --name NAME --kind landlord|provider|coordinator [--district D]... --relay URL

Admits an organisation to the scheme in DIR: generates its admin key (stored
as DIR/orgs/ORG_ID/admin.key under a new passphrase), signs its certificate
with the scheme's threshold of root keys (each unlocked with its
passphrase), and publishes it to the relay. A landlord needs at least one
district (repeat --district or separate with commas); districts are the
Kent and Medway local authority areas. Prints the organisation id last.`

func orgAdd(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "org add", orgAddUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` (from 'scheme init')")
	name := fs.String("name", "", "the organisation's `name`")
	kind := fs.String("kind", "", "`kind`: landlord, provider or coordinator")
	var districts cli.ListFlag
	fs.Var(&districts, "district", "a `district` where a landlord has homes (repeatable, or comma-separated)")
	relayURL := fs.String("relay", "", "relay `url` to publish to")
	if err := fs.ParseNoArgs(args, "dir", "name", "kind", "relay"); err != nil {
		return err
	}
	k, ds, err := checkOrg(*name, *kind, districts)
	if err != nil {
		return err
	}
	if _, err := relay.ParseURL(*relayURL); err != nil {
		return err
	}
	s, err := admin.ReadScheme(*dir)
	if err != nil {
		return err
	}
	roots, err := unlockRoots(env, *dir, s)
	if err != nil {
		return err
	}
	adminPass, err := env.NewPassphrase("the admin key of " + *name)
	if err != nil {
		return err
	}
	o, err := admin.AddOrg(*dir, s, roots, *name, k, ds, adminPass, env.WorkFactor(), time.Now())
	if err != nil {
		return err
	}
	if _, err := admin.Publish(ctx, *dir, *relayURL, o.CertBytes); err != nil {
		return fmt.Errorf("publish organisation certificate (saved as %s): %w", admin.OrgCertPath(*dir, o.Cert.Org), err)
	}
	fmt.Fprintf(env.Stdout, "organisation: %s (%s)\n", o.Cert.Name, o.Cert.Kind)
	fmt.Fprintf(env.Stdout, "admin key: %s\n", admin.AdminKeyPath(*dir, o.Cert.Org))
	fmt.Fprintf(env.Stdout, "organisation fingerprint: %s\n", crypto.OrgFingerprint(o.Cert))
	fmt.Fprintln(env.Stdout, o.Cert.Org)
	return nil
}

// checkOrg validates the organisation's name, kind and districts, as
// usage errors that name the flags.
func checkOrg(name, kind string, districts []string) (crypto.OrgKind, []string, error) {
	k, ds, err := admin.CheckOrg(name, kind, districts)
	switch {
	case errors.Is(err, admin.ErrBadOrgName):
		return "", nil, cli.Usagef("give the organisation's name as it should appear to others", "bad --name")
	case errors.Is(err, admin.ErrUnknownKind):
		return "", nil, cli.Usagef("use --kind landlord, provider or coordinator", "%w", err)
	case errors.Is(err, admin.ErrUnknownDistrict):
		return "", nil, cli.Usagef("districts are: "+strings.Join(payload.Districts(), ", "), "%w", err)
	case errors.Is(err, admin.ErrNoDistrict):
		return "", nil, cli.Usagef("give the districts where the landlord has homes with --district", "%w", err)
	case err != nil:
		return "", nil, err
	}
	return k, ds, nil
}
