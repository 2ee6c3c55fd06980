package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
)

// deviceCertLifetime is how long a device certificate is valid.
const deviceCertLifetime = 2 * 365 * 24 * time.Hour

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
	pos, err := fs.Parse(args)
	if err != nil {
		return err
	}
	if err := fs.NArgs(pos, 1, "REQUEST_FILE"); err != nil {
		return err
	}
	if err := fs.Required("dir", "relay"); err != nil {
		return err
	}
	if _, err := relay.ParseURL(*relayURL); err != nil {
		return err
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("read enrolment request: %w", err)
	}
	req, err := client.ParseEnrolmentRequest(b)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	fmt.Fprintf(env.Stdout, "device: %s, of organisation %s\n", req.Name, req.Org)
	fmt.Fprintf(env.Stdout, "device fingerprint: %s\n", req.Fingerprint())
	if *want != "" && strings.Join(strings.Fields(*want), "") != strings.Join(strings.Fields(req.Fingerprint()), "") {
		return cli.WithHint(fmt.Errorf("fingerprint mismatch: the request has %s, the user read out %s", req.Fingerprint(), *want),
			"do not approve this device: the request file did not come from the user's device")
	}
	rep, _, err := auditRelay(ctx, *dir, *relayURL, "")
	if err != nil {
		return err
	}
	orgCert, err := currentOrgCert(rep, req.Org)
	if err != nil {
		return err
	}
	pass, err := env.Passphrase("the admin key of " + orgCert.Name)
	if err != nil {
		return err
	}
	admin, _, err := readKey(adminKeyPath(*dir, req.Org), adminKeyType, pass)
	if err != nil {
		return err
	}
	cert, err := approve(req, orgCert, admin, time.Now())
	if err != nil {
		return err
	}
	if _, err := publish(ctx, *relayURL, cert); err != nil {
		return fmt.Errorf("publish device certificate: %w", err)
	}
	fmt.Fprintln(env.Stdout, req.Device)
	return nil
}

// currentOrgCert returns the organisation's current certificate from the
// audited directory (it follows admin key and root rotations, which the
// certificate file saved by 'org add' does not).
func currentOrgCert(rep *translog.AuditReport, org crypto.OrgID) (*crypto.OrgCert, error) {
	o, err := rep.Directory.Org(org)
	if err != nil {
		return nil, cli.WithHint(fmt.Errorf("organisation %s is not in the relay's directory: %w", org, err),
			"check the id with 'saferef-admin log show'")
	}
	if o.Revoked != nil {
		return nil, fmt.Errorf("organisation %s (%s) was removed from the scheme at %s: %w",
			org, o.Cert.Name, o.Revoked.RevokedAt.UTC().Format(time.RFC3339), crypto.ErrRevoked)
	}
	return o.Cert, nil
}

// approve signs the device certificate for a request and checks it.
func approve(req *client.EnrolmentRequest, org *crypto.OrgCert, admin ed25519.PrivateKey, now time.Time) ([]byte, error) {
	now = now.UTC().Truncate(time.Second)
	c := req.DeviceCert(now.Add(-5*time.Minute), deviceCertLifetime)
	c.Issued = now
	b, err := crypto.SignDeviceCert(c, admin)
	if err != nil {
		return nil, fmt.Errorf("approve device %s: %w", req.Device, err)
	}
	if _, err := crypto.VerifyDeviceCert(b, org, now); err != nil {
		return nil, fmt.Errorf("approve device %s: the certificate does not verify (is this the organisation's admin key?): %w", req.Device, err)
	}
	return b, nil
}
