package main

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/internal/admin"
)

// demoOrgsJSON is a copy of shared/demo/orgs.json: fictional organisations.
//
//go:embed demo-orgs.json
var demoOrgsJSON []byte

// relayWait is how long dev-scheme waits for the relay to come up.
const relayWait = 60 * time.Second

// demoOrgNames are the organisations dev-scheme creates, in this order.
var demoOrgNames = []string{"Kent Reciprocal Coordinator", "Weald Homes", "Medway Valley Housing", "Harbour Refuge"}

type demoOrgs struct {
	Scheme        string    `json:"scheme"`
	Organisations []demoOrg `json:"organisations"`
}

type demoOrg struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Districts []string `json:"districts"`
}

// demoEntry is one organisation of the demo, as written to demo.json.
type demoEntry struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Districts   []string `json:"districts,omitempty"`
	Org         string   `json:"org"`
	AdminKey    string   `json:"admin_key"`
	Home        string   `json:"home"`
	Device      string   `json:"device"`
	DeviceName  string   `json:"device_name"`
	Fingerprint string   `json:"device_fingerprint"`
	Passphrase  string   `json:"passphrase"`
}

type demoFile struct {
	Note              string      `json:"note"`
	Scheme            string      `json:"scheme"`
	SchemeFingerprint string      `json:"scheme_fingerprint"`
	Relay             string      `json:"relay"`
	RootKey           string      `json:"root_key"`
	RootPassphrase    string      `json:"root_passphrase"`
	Organisations     []demoEntry `json:"organisations"`
}

const devSchemeUsage = `Usage: saferef-admin dev-scheme --dir DIR --relay URL [--witness VKEY --relay-log-key FILE]

DEMO ONLY. Builds a ready demo scheme in DIR from the fictional demo
organisations (Kent Reciprocal Coordinator, Weald Homes, Medway Valley
Housing, Harbour Refuge): scheme.json and one root key, each organisation's
admin key and certificate, and one enrolled, approved device per
organisation with its home in DIR/homes/<name> (e.g. DIR/homes/harbour-refuge).
Everything is published to the relay. DIR/demo.txt (and demo.json) list each
organisation id, home and passphrase. Passphrases are random, or all equal
to SAFEREF_PASSPHRASE when it is set. Vaults use the normal work factor
(SAFEREF_VAULT_WORK_FACTOR lowers it, for tests). With --witness (the demo
litewitness's verifier key) the roots sign a witness set naming it (quorum
1) and the relay's log key, created in --relay-log-key FILE, as 'scheme
init' does; 'make run' does this.`

func devScheme(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.NewFlagSet(prog, "dev-scheme", devSchemeUsage, env.Stdout)
	dir := fs.String("dir", "", "`directory` to build the demo scheme in")
	relayURL := fs.String("relay", "", "relay `url` to publish to")
	var witnesses stringList
	fs.Var(&witnesses, "witness", "a demo witness's cosignature verifier `key` (repeat for each)")
	relayLogKey := fs.String("relay-log-key", "", "with --witness: create the relay's log signing key in this new `file`")
	if err := fs.ParseNoArgs(args, "dir", "relay"); err != nil {
		return err
	}
	if (len(witnesses) > 0) != (*relayLogKey != "") {
		return cli.Usagef("pass --witness and --relay-log-key together", "--witness and --relay-log-key go together")
	}
	if _, err := relay.ParseURL(*relayURL); err != nil {
		return err
	}
	var demo demoOrgs
	if err := json.Unmarshal(demoOrgsJSON, &demo); err != nil {
		return fmt.Errorf("read embedded demo organisations: %w", err)
	}
	newPass := func() (string, error) {
		if p := env.Getenv(cli.EnvPassphrase); p != "" {
			return p, nil
		}
		return randomPassphrase()
	}
	wf := env.WorkFactor()
	now := time.Now()

	rootPass, err := newPass()
	if err != nil {
		return err
	}
	s, roots, err := admin.CreateScheme(*dir, demo.Scheme, 1, 1, admin.Static(rootPass), wf)
	if err != nil {
		return hinted(err)
	}
	if len(witnesses) > 0 {
		vkey, err := admin.GenerateRelayLogKey(s, *relayLogKey)
		if err != nil {
			return err
		}
		if s, err = admin.SetWitnesses(*dir, admin.WitnessOptions{LogKey: vkey, Witnesses: witnesses, Quorum: 1}, roots); err != nil {
			return cli.WithHint(err, "pass the demo witness's verifier key as litewitness prints it at start")
		}
		fmt.Fprintf(env.Stdout, "relay log key: %s\n", vkey)
	}
	schemePath := admin.SchemePath(*dir)
	out := demoFile{
		Note:   "DEMO ONLY: a fictional demo scheme; these passphrases protect nothing real",
		Scheme: schemePath, SchemeFingerprint: s.Fingerprint(), Relay: *relayURL,
		RootKey: admin.RootKeyPath(*dir, 1), RootPassphrase: rootPass,
	}
	var orgCerts, deviceCerts [][]byte
	for _, name := range demoOrgNames {
		i := slices.IndexFunc(demo.Organisations, func(o demoOrg) bool { return o.Name == name })
		if i < 0 {
			return fmt.Errorf("demo organisation %q missing from the embedded list", name)
		}
		d := demo.Organisations[i]
		kind, districts, err := checkOrg(d.Name, d.Kind, d.Districts)
		if err != nil {
			return err
		}
		pass, err := newPass()
		if err != nil {
			return err
		}
		o, err := admin.AddOrg(*dir, s, roots, d.Name, kind, districts, pass, wf, now)
		if err != nil {
			return err
		}
		orgCerts = append(orgCerts, o.CertBytes)
		home := filepath.Join(*dir, "homes", slug(d.Name))
		devName := d.Name + " demo laptop"
		e, err := client.Enrol(ctx, &client.EnrolOptions{Home: home, SchemeFile: schemePath, Relay: *relayURL,
			Org: o.Cert.Org, Name: devName, Passphrase: pass, WorkFactor: wf, Now: now, Offline: true})
		if err != nil {
			return err
		}
		cert, _, err := admin.CertifyDevice(e.Request, o.Cert, o.Admin, now)
		if err != nil {
			return err
		}
		deviceCerts = append(deviceCerts, cert)
		out.Organisations = append(out.Organisations, demoEntry{
			Name: d.Name, Kind: string(kind), Districts: districts, Org: o.Cert.Org.String(),
			AdminKey: admin.AdminKeyPath(*dir, o.Cert.Org), Home: home, Device: e.Device.String(), DeviceName: devName,
			Fingerprint: e.Fingerprint, Passphrase: pass,
		})
	}
	// The relay may be started only now, from the scheme.json just written:
	// wait for it.
	fmt.Fprintf(env.Stderr, "%s: publishing to %s (waiting up to %s for the relay)\n", prog, *relayURL, relayWait)
	if err := admin.WaitForRelay(ctx, *relayURL, relayWait); err != nil {
		return cli.WithHint(fmt.Errorf("publish demo scheme: %w", err),
			fmt.Sprintf("start the relay with --scheme %s, remove %s and run dev-scheme again", schemePath, *dir))
	}
	if _, err := admin.Publish(ctx, *dir, *relayURL, append(orgCerts, deviceCerts...)...); err != nil {
		return fmt.Errorf("publish demo scheme: %w", err)
	}
	if err := writeDemoFiles(*dir, &out); err != nil {
		return err
	}
	w := env.Stdout
	fmt.Fprintf(w, "demo scheme %q in %s\n", demo.Scheme, *dir)
	fmt.Fprintf(w, "scheme fingerprint: %s\n", s.Fingerprint())
	for _, o := range out.Organisations {
		fmt.Fprintf(w, "%s (%s): org %s, home %s\n", o.Name, o.Kind, o.Org, o.Home)
	}
	fmt.Fprintln(w, "DEMO ONLY passphrases (never use these for anything real):")
	fmt.Fprintf(w, "  DEMO ONLY root key %s: %s\n", out.RootKey, out.RootPassphrase)
	for _, o := range out.Organisations {
		fmt.Fprintf(w, "  DEMO ONLY %s (admin key and device home): %s\n", o.Name, o.Passphrase)
	}
	fmt.Fprintln(w, filepath.Join(*dir, "demo.txt"))
	return nil
}

func writeDemoFiles(dir string, d *demoFile) error {
	var b bytes.Buffer
	fmt.Fprintln(&b, "# DEMO ONLY: a fictional demo scheme made by 'saferef-admin dev-scheme'.")
	fmt.Fprintln(&b, "# These passphrases protect nothing real. Never use this scheme for real referrals.")
	fmt.Fprintf(&b, "scheme: %s\n", d.Scheme)
	fmt.Fprintf(&b, "scheme fingerprint: %s\n", d.SchemeFingerprint)
	fmt.Fprintf(&b, "relay: %s\n", d.Relay)
	fmt.Fprintf(&b, "root key: %s\n", d.RootKey)
	fmt.Fprintf(&b, "root passphrase (DEMO ONLY): %s\n", d.RootPassphrase)
	for _, o := range d.Organisations {
		fmt.Fprintln(&b)
		fmt.Fprintf(&b, "organisation: %s\n", o.Name)
		fmt.Fprintf(&b, "kind: %s\n", o.Kind)
		if len(o.Districts) > 0 {
			fmt.Fprintf(&b, "districts: %s\n", strings.Join(o.Districts, ", "))
		}
		fmt.Fprintf(&b, "org id: %s\n", o.Org)
		fmt.Fprintf(&b, "admin key: %s\n", o.AdminKey)
		fmt.Fprintf(&b, "home: %s\n", o.Home)
		fmt.Fprintf(&b, "device: %s (%s)\n", o.Device, o.DeviceName)
		fmt.Fprintf(&b, "device fingerprint: %s\n", o.Fingerprint)
		fmt.Fprintf(&b, "passphrase (DEMO ONLY): %s\n", o.Passphrase)
	}
	if err := admin.WriteNew(filepath.Join(dir, "demo.txt"), b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write demo.txt: %w", err)
	}
	j, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("write demo.json: %w", err)
	}
	if err := admin.WriteNew(filepath.Join(dir, "demo.json"), append(j, '\n'), 0o600); err != nil {
		return fmt.Errorf("write demo.json: %w", err)
	}
	return nil
}

// slug turns an organisation name into a directory name: "Harbour Refuge"
// -> "harbour-refuge".
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// randomPassphrase returns "demo-" and 20 random lowercase letters and
// digits in groups of five.
func randomPassphrase() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	var raw [20]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("generate passphrase: %w", err)
	}
	var b strings.Builder
	b.WriteString("demo")
	for i, c := range raw {
		if i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return b.String(), nil
}
