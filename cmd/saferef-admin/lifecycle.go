package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
)

const deviceListUsage = `Usage: saferef-admin device list --dir DIR --relay URL --org ORG_ID [--json]

Lists an organisation's devices as the relay's directory holds them, after
auditing the whole directory against the scheme in DIR (as 'log verify'
does): each device's id, name, fingerprint, current encryption key (the
newest verified one, shortened in text; whole in JSON) and status: current,
expired, or revoked with when and why. Ends with a count line (text) or
prints one JSON array.`

// deviceInfo is one line of 'device list'.
type deviceInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	CurrentKey  string `json:"current_key"`
	KeySeq      uint64 `json:"key_seq"`
	Status      string `json:"status"`
	RevokedAt   string `json:"revoked_at,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

func deviceList(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "device list", deviceListUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` holding scheme.json")
	relayURL := fs.String("relay", "", "relay `url`")
	orgFlag := fs.String("org", "", "organisation `id`")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.ParseNoArgs(args, "dir", "relay", "org"); err != nil {
		return err
	}
	org, err := crypto.ParseOrgID(*orgFlag)
	if err != nil {
		return cli.Usagef("an organisation id is 32 hex digits", "bad --org: %v", err)
	}
	rep, _, err := auditRelay(ctx, *dir, *relayURL, "")
	if err != nil {
		return err
	}
	o, err := rep.Directory.Org(org)
	if err != nil {
		return cli.WithHint(fmt.Errorf("organisation %s is not in the relay's directory: %w", org, err),
			"check the id with 'saferef-admin log show'")
	}
	now := time.Now()
	list := []deviceInfo{}
	for _, e := range rep.Directory.Devices(org) {
		i := deviceInfo{ID: e.Cert.Device.String(), Name: e.Cert.Name, Fingerprint: crypto.DeviceFingerprint(e.Cert.SigningKey),
			CurrentKey: e.Recipient, KeySeq: e.KeySeq, Status: "current"}
		switch {
		case e.Revoked != nil:
			i.Status, i.RevokedAt, i.Reason = "revoked", e.Revoked.RevokedAt.UTC().Format(time.RFC3339), e.Revoked.Reason
		case o.Revoked != nil:
			i.Status, i.RevokedAt, i.Reason = "revoked", o.Revoked.RevokedAt.UTC().Format(time.RFC3339), "organisation removed: "+o.Revoked.Reason
		case now.After(e.Cert.NotAfter):
			i.Status = "expired"
		}
		list = append(list, i)
	}
	if *asJSON {
		b, err := json.MarshalIndent(list, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, string(b))
		return nil
	}
	fmt.Fprintf(env.Stdout, "organisation: %s (%s)\n", o.Cert.Name, org)
	for _, i := range list {
		line := fmt.Sprintf("%s  %-24q  %s  key %d %s  %s", i.ID, i.Name, i.Fingerprint, i.KeySeq, shortKey(i.CurrentKey), i.Status)
		if i.RevokedAt != "" {
			line += fmt.Sprintf(" at %s (%s)", i.RevokedAt, i.Reason)
		}
		fmt.Fprintln(env.Stdout, line)
	}
	fmt.Fprintf(env.Stdout, "%d devices\n", len(list))
	return nil
}

// shortKey abbreviates an age recipient for text output.
func shortKey(k string) string {
	if len(k) <= 24 {
		return k
	}
	return k[:16] + "..." + k[len(k)-6:]
}

const deviceRevokeUsage = `Usage: saferef-admin device revoke --dir DIR --relay URL [--reason TEXT] [--at TIME] DEVICE_ID

Revokes a device (a lost or stolen laptop, a member of staff leaving):
signs a revocation with its organisation's admin key
DIR/orgs/ORG_ID/admin.key and publishes it. The relay refuses the device
from its next frame (a connected session is closed), every sender stops
encrypting to it once it syncs, and recipients reject envelopes it made
after the revocation time. --at (RFC 3339, default now) dates the
revocation back to when the device was lost. Revocation is final. Prints
the device id last.`

func deviceRevoke(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "device revoke", deviceRevokeUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` holding orgs/ORG_ID/admin.key")
	relayURL := fs.String("relay", "", "relay `url` to publish to")
	reason := fs.String("reason", "revoked by the organisation admin", "the `reason`, recorded in the public log (no personal data)")
	at := fs.String("at", "", "revocation `time` (RFC 3339); default now")
	pos, err := fs.Parse(args)
	if err != nil {
		return err
	}
	if err := fs.NArgs(pos, 1, "DEVICE_ID"); err != nil {
		return err
	}
	if err := fs.Required("dir", "relay"); err != nil {
		return err
	}
	id, err := crypto.ParseDeviceID(pos[0])
	if err != nil {
		return cli.Usagef("a device id is 32 hex digits: see 'saferef-admin device list'", "bad device id: %v", err)
	}
	when, err := parseAt(*at)
	if err != nil {
		return err
	}
	rep, _, err := auditRelay(ctx, *dir, *relayURL, "")
	if err != nil {
		return err
	}
	e, err := rep.Directory.Device(id)
	if err != nil {
		return cli.WithHint(fmt.Errorf("device %s is not in the relay's directory: %w", id, err),
			"list the organisation's devices with 'saferef-admin device list --org ORG_ID'")
	}
	if e.Revoked != nil {
		fmt.Fprintf(env.Stdout, "already revoked at %s (%s)\n", e.Revoked.RevokedAt.UTC().Format(time.RFC3339), e.Revoked.Reason)
		fmt.Fprintln(env.Stdout, id)
		return nil
	}
	orgCert, err := currentOrgCert(rep, e.Cert.Org)
	if err != nil {
		return err
	}
	pass, err := env.Passphrase("the admin key of " + orgCert.Name)
	if err != nil {
		return err
	}
	admin, _, err := readKey(adminKeyPath(*dir, e.Cert.Org), adminKeyType, pass)
	if err != nil {
		return err
	}
	rev, err := crypto.SignDeviceRevocation(&crypto.Revocation{Org: e.Cert.Org, Device: id, RevokedAt: when, Reason: *reason}, admin)
	if err != nil {
		return err
	}
	if _, err := crypto.VerifyDeviceRevocation(rev, orgCert); err != nil {
		return fmt.Errorf("the revocation does not verify (is this the organisation's current admin key?): %w", err)
	}
	if _, err := publish(ctx, *relayURL, rev); err != nil {
		return fmt.Errorf("publish revocation: %w", err)
	}
	fmt.Fprintf(env.Stdout, "revoked: %q of %s, as of %s\n", e.Cert.Name, orgCert.Name, when.UTC().Format(time.RFC3339))
	fmt.Fprintln(env.Stdout, "the relay refuses this device from its next frame")
	fmt.Fprintln(env.Stdout, id)
	return nil
}

func parseAt(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, cli.Usagef("give the time as 2026-03-01T09:30:00Z", "bad --at: %v", err)
	}
	if t.After(time.Now().Add(time.Minute)) {
		return time.Time{}, cli.Usagef("a revocation cannot be dated in the future", "--at %s is in the future", s)
	}
	return t, nil
}

const orgRemoveUsage = `Usage: saferef-admin org remove --dir DIR --relay URL [--reason TEXT] ORG_ID

Removes an organisation from the scheme: the scheme's threshold of root
keys sign an organisation revocation, which is published. Every device of
the organisation is refused by the relay from its next frame, nobody
encrypts to it any more, and envelopes its devices made after now are
rejected. Removal is final. Prints the organisation id last.`

func orgRemove(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "org remove", orgRemoveUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` (from 'scheme init')")
	relayURL := fs.String("relay", "", "relay `url` to publish to")
	reason := fs.String("reason", "removed from the scheme", "the `reason`, recorded in the public log")
	pos, err := fs.Parse(args)
	if err != nil {
		return err
	}
	if err := fs.NArgs(pos, 1, "ORG_ID"); err != nil {
		return err
	}
	if err := fs.Required("dir", "relay"); err != nil {
		return err
	}
	org, err := crypto.ParseOrgID(pos[0])
	if err != nil {
		return cli.Usagef("an organisation id is 32 hex digits", "bad organisation id: %v", err)
	}
	rep, _, err := auditRelay(ctx, *dir, *relayURL, "")
	if err != nil {
		return err
	}
	o, err := rep.Directory.Org(org)
	if err != nil {
		return cli.WithHint(fmt.Errorf("organisation %s is not in the relay's directory: %w", org, err), "check the id with 'saferef-admin log show'")
	}
	roots, err := unlockRoots(env, *dir, rep.Directory.Scheme())
	if err != nil {
		return err
	}
	rev, err := crypto.SignOrgRevocation(&crypto.Revocation{Org: org, RevokedAt: time.Now().UTC().Truncate(time.Second), Reason: *reason}, roots)
	if err != nil {
		return err
	}
	if _, err := publish(ctx, *relayURL, rev); err != nil {
		return fmt.Errorf("publish organisation removal: %w", err)
	}
	fmt.Fprintf(env.Stdout, "removed: %s; its %d devices are refused from their next frame\n", o.Cert.Name, len(rep.Directory.Devices(org)))
	fmt.Fprintln(env.Stdout, org)
	return nil
}

const orgRotateAdminUsage = `Usage: saferef-admin org rotate-admin --dir DIR --relay URL [--by-admin] ORG_ID

Replaces an organisation's admin key (when an admin leaves, or the key may
be exposed): generates a new admin key under a new passphrase and publishes
a re-issued organisation certificate naming only the new key. By default
the scheme's threshold of root keys sign it; with --by-admin the current
admin key DIR/orgs/ORG_ID/admin.key signs it instead (with the new key),
so no coordinator is needed: only the admin keys may change that way.
Devices approved under the old key stay approved; only the new key can
approve or revoke devices from now on. The old key file is kept as
admin.key.retired-DATE (delete it once the new one is in use). Prints the
new organisation fingerprint (read it out to the organisation's staff)
and the organisation id last.`

func orgRotateAdmin(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "org rotate-admin", orgRotateAdminUsage, env.Stdout)
	dir := fs.String("dir", "", "admin `directory` holding orgs/ORG_ID/")
	relayURL := fs.String("relay", "", "relay `url` to publish to")
	byAdmin := fs.Bool("by-admin", false, "sign with the current admin key instead of the root keys")
	pos, err := fs.Parse(args)
	if err != nil {
		return err
	}
	if err := fs.NArgs(pos, 1, "ORG_ID"); err != nil {
		return err
	}
	if err := fs.Required("dir", "relay"); err != nil {
		return err
	}
	org, err := crypto.ParseOrgID(pos[0])
	if err != nil {
		return cli.Usagef("an organisation id is 32 hex digits", "bad organisation id: %v", err)
	}
	rep, _, err := auditRelay(ctx, *dir, *relayURL, "")
	if err != nil {
		return err
	}
	old, err := currentOrgCert(rep, org)
	if err != nil {
		return err
	}
	s := rep.Directory.Scheme()
	var sign adminSigner
	if *byAdmin {
		pass, err := env.Passphrase("the current admin key of " + old.Name)
		if err != nil {
			return err
		}
		cur, _, err := readKey(adminKeyPath(*dir, org), adminKeyType, pass)
		if err != nil {
			return err
		}
		sign = func(c *crypto.OrgCert, admin ed25519.PrivateKey, now time.Time) ([]byte, error) {
			b, err := crypto.SignOrgCertByAdmin(c, cur, []ed25519.PrivateKey{admin})
			if err != nil {
				return nil, err
			}
			if _, err := crypto.VerifyOrgCertByAdmin(b, old, now); err != nil {
				return nil, fmt.Errorf("the certificate does not verify (is %s the organisation's current admin key?): %w", adminKeyPath(*dir, org), err)
			}
			return b, nil
		}
	} else {
		roots, err := unlockRoots(env, *dir, s)
		if err != nil {
			return err
		}
		sign = func(c *crypto.OrgCert, _ ed25519.PrivateKey, now time.Time) ([]byte, error) {
			b, err := crypto.SignOrgCert(c, roots)
			if err != nil {
				return nil, err
			}
			if _, err := s.VerifyOrgCert(b, now); err != nil {
				return nil, fmt.Errorf("the certificate does not verify: %w", err)
			}
			return b, nil
		}
	}
	pass, err := env.NewPassphrase("the new admin key of " + old.Name)
	if err != nil {
		return err
	}
	c, b, err := rotateAdmin(*dir, old, sign, !*byAdmin, pass, env.WorkFactor(), time.Now())
	if err != nil {
		return err
	}
	if _, err := publish(ctx, *relayURL, b); err != nil {
		return fmt.Errorf("publish re-issued organisation certificate (saved as %s): %w", orgCertPath(*dir, org), err)
	}
	by := "the scheme's root keys"
	if *byAdmin {
		by = "the old admin key"
	}
	fmt.Fprintf(env.Stdout, "organisation: %s: admin key replaced, signed by %s\n", c.Name, by)
	fmt.Fprintf(env.Stdout, "organisation fingerprint: %s\n", crypto.OrgFingerprint(c))
	fmt.Fprintln(env.Stdout, org)
	return nil
}

// adminSigner signs and checks the re-issued certificate c naming the new
// admin key.
type adminSigner func(c *crypto.OrgCert, newAdmin ed25519.PrivateKey, now time.Time) ([]byte, error)

// rotateAdmin makes a new admin key for the organisation and a re-issued
// certificate naming it (signed by sign), retires the old key file and
// saves both. A root-signed re-issue renews the validity period; an
// admin-signed one keeps it (renew is false).
func rotateAdmin(dir string, old *crypto.OrgCert, sign adminSigner, renew bool, pass string, wf int, now time.Time) (*crypto.OrgCert, []byte, error) {
	admin, err := crypto.GenerateSigningKey(nil)
	if err != nil {
		return nil, nil, fmt.Errorf("rotate admin key: %w", err)
	}
	now = now.UTC().Truncate(time.Second)
	if !now.After(old.Issued) {
		now = old.Issued.Add(time.Second) // a replacement must be issued later
	}
	c := *old
	c.AdminKeys = []ed25519.PublicKey{admin.Public().(ed25519.PublicKey)}
	c.Issued = now
	if renew {
		c.NotBefore, c.NotAfter = now.Add(-5*time.Minute), now.Add(orgCertLifetime)
	}
	b, err := sign(&c, admin, now)
	if err != nil {
		return nil, nil, fmt.Errorf("rotate admin key: %w", err)
	}
	keyPath := adminKeyPath(dir, old.Org)
	retired := keyPath + ".retired-" + now.Format("20060102T150405Z")
	if err := os.Rename(keyPath, retired); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("rotate admin key: %w", err)
	}
	if err := writeKey(keyPath, adminKeyType, old.Org.String(), admin, pass, wf); err != nil {
		os.Rename(retired, keyPath)
		return nil, nil, fmt.Errorf("rotate admin key: %w", err)
	}
	certPath := orgCertPath(dir, old.Org)
	tmp := certPath + ".new"
	os.Remove(tmp)
	if err := writeNew(tmp, b, 0o644); err != nil {
		return nil, nil, fmt.Errorf("rotate admin key: %w", err)
	}
	if err := os.Rename(tmp, certPath); err != nil {
		return nil, nil, fmt.Errorf("rotate admin key: %w", err)
	}
	return &c, b, nil
}
