package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/admin"
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
	od, err := admin.ListDevices(ctx, *dir, *relayURL, org, time.Now())
	if err != nil {
		return hinted(err)
	}
	list := []deviceInfo{}
	for _, d := range od.Devices {
		i := deviceInfo{ID: d.ID.String(), Name: d.Name, Fingerprint: d.Fingerprint, CurrentKey: d.CurrentKey, KeySeq: d.KeySeq, Status: string(d.State)}
		if d.State == admin.DeviceRevoked {
			i.RevokedAt, i.Reason = d.RevokedAt.UTC().Format(time.RFC3339), d.Reason
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
	fmt.Fprintf(env.Stdout, "organisation: %s (%s)\n", od.Org.Name, org)
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
	arg, err := fs.ParseOneArg(args, "DEVICE_ID", "dir", "relay")
	if err != nil {
		return err
	}
	id, err := crypto.ParseDeviceID(arg)
	if err != nil {
		return cli.Usagef("a device id is 32 hex digits: see 'saferef-admin device list'", "bad device id: %v", err)
	}
	when, err := parseAt(*at)
	if err != nil {
		return err
	}
	r, err := admin.RevokeDevice(ctx, *dir, *relayURL, id, *reason, when, env.Passphrase)
	if errors.Is(err, admin.ErrFutureRevocation) {
		return cli.Usagef("a revocation cannot be dated in the future", "--at %s is in the future", *at)
	}
	if err != nil {
		return hinted(err)
	}
	if r.Already {
		fmt.Fprintf(env.Stdout, "already revoked at %s (%s)\n", r.At.UTC().Format(time.RFC3339), r.Reason)
		fmt.Fprintln(env.Stdout, id)
		return nil
	}
	fmt.Fprintf(env.Stdout, "revoked: %q of %s, as of %s\n", r.Name, r.OrgName, r.At.UTC().Format(time.RFC3339))
	fmt.Fprintln(env.Stdout, "the relay refuses this device from its next frame")
	fmt.Fprintln(env.Stdout, id)
	return nil
}

// parseAt parses --at; empty is the zero time (now).
func parseAt(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, cli.Usagef("give the time as 2026-03-01T09:30:00Z", "bad --at: %v", err)
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
	arg, err := fs.ParseOneArg(args, "ORG_ID", "dir", "relay")
	if err != nil {
		return err
	}
	org, err := crypto.ParseOrgID(arg)
	if err != nil {
		return cli.Usagef("an organisation id is 32 hex digits", "bad organisation id: %v", err)
	}
	r, err := admin.RemoveOrg(ctx, *dir, *relayURL, org, *reason, rootUnlocker(env, *dir))
	if err != nil {
		return hinted(err)
	}
	fmt.Fprintf(env.Stdout, "removed: %s; its %d devices are refused from their next frame\n", r.Org.Name, r.Devices)
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
	arg, err := fs.ParseOneArg(args, "ORG_ID", "dir", "relay")
	if err != nil {
		return err
	}
	org, err := crypto.ParseOrgID(arg)
	if err != nil {
		return cli.Usagef("an organisation id is 32 hex digits", "bad organisation id: %v", err)
	}
	c, err := admin.RotateAdmin(ctx, *dir, *relayURL, org, admin.RotateAdminOptions{
		ByAdmin: *byAdmin, AdminPassphrase: env.Passphrase, Roots: rootUnlocker(env, *dir),
		NewPassphrase: env.NewPassphrase, WorkFactor: env.WorkFactor(),
	})
	if err != nil {
		return hinted(err)
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
