package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// orgCertLifetime is how long an organisation certificate is valid. The
// coordinator renews it by signing a new one (a later-issued certificate
// replaces the old one in every directory).
const orgCertLifetime = 3 * 365 * 24 * time.Hour

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
	s, err := readScheme(*dir)
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
	o, err := addOrg(*dir, s, roots, *name, k, ds, adminPass, env.WorkFactor(), time.Now())
	if err != nil {
		return err
	}
	if _, err := publish(ctx, *relayURL, o.certBytes); err != nil {
		return fmt.Errorf("publish organisation certificate (saved as %s): %w", orgCertPath(*dir, o.cert.Org), err)
	}
	fmt.Fprintf(env.Stdout, "organisation: %s (%s)\n", o.cert.Name, o.cert.Kind)
	fmt.Fprintf(env.Stdout, "admin key: %s\n", adminKeyPath(*dir, o.cert.Org))
	fmt.Fprintf(env.Stdout, "organisation fingerprint: %s\n", crypto.OrgFingerprint(o.cert))
	fmt.Fprintln(env.Stdout, o.cert.Org)
	return nil
}

// checkOrg validates the organisation's name, kind and districts.
func checkOrg(name, kind string, districts []string) (crypto.OrgKind, []string, error) {
	if strings.TrimSpace(name) == "" || len(name) > 200 {
		return "", nil, cli.Usagef("give the organisation's name as it should appear to others", "bad --name")
	}
	k := crypto.OrgKind(kind)
	switch k {
	case crypto.KindLandlord, crypto.KindProvider, crypto.KindCoordinator:
	default:
		return "", nil, cli.Usagef("use --kind landlord, provider or coordinator", "unknown organisation kind %q", kind)
	}
	var bad []string
	var out []string
	for _, d := range districts {
		if !payload.KnownDistrict(d) {
			bad = append(bad, d)
		} else if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(bad) > 0 {
		return "", nil, cli.Usagef("districts are: "+strings.Join(payload.Districts(), ", "), "unknown district %q", strings.Join(bad, `", "`))
	}
	if k == crypto.KindLandlord && len(out) == 0 {
		return "", nil, cli.Usagef("give the districts where the landlord has homes with --district", "a landlord needs at least one district")
	}
	return k, out, nil
}

// unlockRoots unlocks root keys in order until the scheme's threshold is
// met, skipping key files that are not in this directory.
func unlockRoots(env *cli.Env, dir string, s *crypto.Scheme) ([]ed25519.PrivateKey, error) {
	var keys []ed25519.PrivateKey
	for i := 1; i <= len(s.Roots) && len(keys) < s.Threshold; i++ {
		path := rootKeyPath(dir, i)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			continue
		}
		pass, err := env.Passphrase(fmt.Sprintf("root key %d (%s)", i, path))
		if err != nil {
			return nil, err
		}
		key, _, err := readKey(path, rootKeyType, pass)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(s.Roots, crypto.EncodePublicKey(key.Public().(ed25519.PublicKey))) {
			return nil, fmt.Errorf("%s is not a root key of this scheme", path)
		}
		keys = append(keys, key)
	}
	if len(keys) < s.Threshold {
		return nil, cli.WithHint(fmt.Errorf("unlocked %d root keys, the scheme needs %d: %w", len(keys), s.Threshold, crypto.ErrBelowThreshold),
			"gather the root key files in --dir (root-1.key ...) or sign on the machines that hold them")
	}
	return keys, nil
}

type newOrg struct {
	cert      *crypto.OrgCert
	certBytes []byte
	admin     ed25519.PrivateKey
}

// addOrg creates an organisation's admin key and root-signed certificate,
// stored under DIR/orgs/ORG_ID/.
func addOrg(dir string, s *crypto.Scheme, roots []ed25519.PrivateKey, name string, kind crypto.OrgKind, districts []string, adminPass string, wf int, now time.Time) (*newOrg, error) {
	id, err := crypto.NewOrgID(nil)
	if err != nil {
		return nil, fmt.Errorf("add organisation: %w", err)
	}
	admin, err := crypto.GenerateSigningKey(nil)
	if err != nil {
		return nil, fmt.Errorf("add organisation: %w", err)
	}
	now = now.UTC().Truncate(time.Second)
	c := &crypto.OrgCert{Org: id, Name: name, Kind: kind, Districts: districts,
		AdminKeys: []ed25519.PublicKey{admin.Public().(ed25519.PublicKey)},
		NotBefore: now.Add(-5 * time.Minute), NotAfter: now.Add(orgCertLifetime), Issued: now}
	b, err := crypto.SignOrgCert(c, roots)
	if err != nil {
		return nil, fmt.Errorf("add organisation: %w", err)
	}
	verified, err := s.VerifyOrgCert(b, now)
	if err != nil {
		return nil, fmt.Errorf("add organisation: the certificate does not verify: %w", err)
	}
	if err := writeKey(adminKeyPath(dir, id), adminKeyType, id.String(), admin, adminPass, wf); err != nil {
		return nil, fmt.Errorf("add organisation: %w", err)
	}
	if err := writeNew(orgCertPath(dir, id), b, 0o644); err != nil {
		return nil, fmt.Errorf("add organisation: %w", err)
	}
	return &newOrg{cert: verified, certBytes: b, admin: admin}, nil
}
