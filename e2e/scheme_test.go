package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Passphrases for the test scheme. Test-only values.
const (
	rootPass   = "correct horse battery staple root"
	refugePass = "refuge caseworker test passphrase"
	wealdPass  = "weald liaison officer test passphrase"
	medwayPass = "medway liaison officer test passphrase"
)

// scheme is a running relay with a scheme, a refuge and two landlords, each
// with one enrolled and approved device.
type scheme struct {
	t                  *testing.T
	dir                string // the coordinator's directory
	relay              *relayProcess
	refuge, weald      string // organisation ids
	medway             string
	refugeHome         string
	wealdHome          string
	medwayHome         string
	relayData, relayLn string
}

func newScheme(t *testing.T) *scheme {
	t.Helper()
	root := t.TempDir()
	s := &scheme{t: t, dir: filepath.Join(root, "coordinator"), relayData: filepath.Join(root, "relay"), relayLn: freePort(t)}
	cli(t, rootPass, "saferef-admin", "scheme", "init", "--dir", s.dir)
	s.relay = startRelay(t, s.relayData, filepath.Join(s.dir, "scheme.json"), s.relayLn)
	url := s.relay.url
	s.refuge = lastLine(cli(t, rootPass, "saferef-admin", "org", "add", "--dir", s.dir, "--name", "Harbour Refuge", "--kind", "provider", "--relay", url))
	s.weald = lastLine(cli(t, rootPass, "saferef-admin", "org", "add", "--dir", s.dir, "--name", "Weald Homes", "--kind", "landlord",
		"--district", "Maidstone", "--district", "Tonbridge and Malling", "--district", "Tunbridge Wells", "--district", "Sevenoaks", "--relay", url))
	s.medway = lastLine(cli(t, rootPass, "saferef-admin", "org", "add", "--dir", s.dir, "--name", "Medway Valley Housing", "--kind", "landlord",
		"--district", "Medway,Swale,Gravesham,Dartford", "--relay", url))
	s.refugeHome = s.enrol(s.refuge, "Refuge caseworker laptop", refugePass)
	s.wealdHome = s.enrol(s.weald, "Weald liaison officer", wealdPass)
	s.medwayHome = s.enrol(s.medway, "Medway liaison officer", medwayPass)
	return s
}

// enrol enrols and approves one device and returns its home.
func (s *scheme) enrol(org, name, pass string) string {
	t := s.t
	t.Helper()
	home := filepath.Join(filepath.Dir(s.dir), "home-"+strings.ReplaceAll(strings.ToLower(name), " ", "-"))
	out := cli(t, pass, "saferef", "enrol", "--home", home, "--scheme", filepath.Join(s.dir, "scheme.json"), "--relay", s.relay.url, "--org", org, "--name", name)
	request := lastLine(out)
	if _, err := os.Stat(request); err != nil {
		t.Fatalf("enrol's last line %q is not the request file: %v", request, err)
	}
	fp := ""
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "device fingerprint: "); ok {
			fp = v
		}
	}
	cli(t, rootPass, "saferef-admin", "device", "approve", "--dir", s.dir, "--relay", s.relay.url, "--fingerprint", fp, request)
	return home
}

// referralFile writes the template, with edits, to a file and returns its path.
func (s *scheme) referralFile(home string, edit func(map[string]any)) string {
	t := s.t
	t.Helper()
	var ref map[string]any
	if err := json.Unmarshal([]byte(cli(t, refugePass, "saferef", "--home", home, "referral", "template")), &ref); err != nil {
		t.Fatalf("referral template is not JSON: %v", err)
	}
	if edit != nil {
		edit(ref)
	}
	b, err := json.MarshalIndent(ref, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "referral.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// showCase returns `cases show CASE --json` decoded.
func showCase(t *testing.T, pass, home, id string) map[string]any {
	t.Helper()
	var c map[string]any
	out := cli(t, pass, "saferef", "--home", home, "cases", "show", id, "--json")
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("cases show --json: %v\n%s", err, out)
	}
	return c
}
