package e2e

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/internal/witnesstest"
)

// alertKinds returns the kinds of a device's unresolved alerts.
func alertKinds(t *testing.T, pass, home string) []string {
	t.Helper()
	var alerts []struct{ Kind string }
	if err := json.Unmarshal([]byte(cli(t, pass, "saferef", "--home", home, "alerts", "--json")), &alerts); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range alerts {
		kinds = append(kinds, a.Kind)
	}
	return kinds
}

// TestWitnessStoppedViewGoesStale runs the real binaries: a scheme whose
// roots name a real litewitness, the relay submitting its checkpoints to
// it, and the CLIs. Publications print their log index and witnessed
// checkpoint size. The witness is stopped: the refuge's view goes stale,
// the device warns in plain words and refuses to release the household's
// details. The witness returns: the relay has it cosign again, the
// warning clears by itself, and the release goes.
func TestWitnessStoppedViewGoesStale(t *testing.T) {
	root := t.TempDir()
	s := &scheme{t: t, dir: filepath.Join(root, "coordinator"), relayData: filepath.Join(root, "relay"), relayLn: freePort(t)}
	wit := witnesstest.New(t, witnesstest.Name("kent-coordinator"))
	logKeyFile := filepath.Join(root, "relay-log-signing.key")
	out := cli(t, rootPass, "saferef-admin", "scheme", "init", "--dir", s.dir, "--name", "Kent and Medway (witness test)",
		"--witness", wit.VerifierKey, "--witness-quorum", "1", "--witness-release-fresh", "4s", "--relay-log-key", logKeyFile)
	m := regexp.MustCompile(`relay log key: (\S+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "witness: "+wit.VerifierKey) {
		t.Fatalf("scheme init with a witness:\n%s", out)
	}
	wit.AddLog(m[1])
	wit.Restart()
	s.relay = startRelay(t, s.relayData, filepath.Join(s.dir, "scheme.json"), s.relayLn,
		"--log-key", logKeyFile, "--witness", wit.URL, "--witness-every", "500ms")
	url := s.relay.url

	out = cli(t, rootPass, "saferef-admin", "org", "add", "--dir", s.dir, "--name", "Harbour Refuge", "--kind", "provider", "--relay", url)
	s.refuge = lastLine(out)
	if !regexp.MustCompile(`published: log index 0, in the witnessed checkpoint of size \d+`).MatchString(out) {
		t.Fatalf("org add did not confirm its publication:\n%s", out)
	}
	s.weald = lastLine(cli(t, rootPass, "saferef-admin", "org", "add", "--dir", s.dir, "--name", "Weald Homes", "--kind", "landlord",
		"--district", "Maidstone", "--relay", url))
	s.refugeHome = s.enrol(s.refuge, "Refuge caseworker laptop", refugePass)
	s.wealdHome = s.enrol(s.weald, "Weald liaison officer", wealdPass)
	refuge := func(args ...string) string {
		return cli(t, refugePass, "saferef", append([]string{"--home", s.refugeHome}, args...)...)
	}
	weald := func(args ...string) string {
		return cli(t, wealdPass, "saferef", append([]string{"--home", s.wealdHome}, args...)...)
	}
	refuge("sync")
	weald("sync")
	if out := cli(t, rootPass, "saferef-admin", "log", "verify", "--dir", s.dir, "--relay", url); !regexp.MustCompile(`witnessed: checkpoint of size \d+, cosigned by a quorum at`).MatchString(out) {
		t.Fatalf("log verify does not report the witnessed view:\n%s", out)
	}

	// A referral to Weald Homes, an offer, accepted.
	details := payloadFile(t, refugePass, s.refugeHome, []string{"details", "template"}, nil)
	caseID := lastLine(refuge("referral", "send", "--to", s.weald, "--file", s.referralFile(s.refugeHome, nil), "--household", details))
	weald("sync")
	offer := payloadFile(t, wealdPass, s.wealdHome, []string{"offer", "template"}, func(o map[string]any) {
		o["district"] = "Maidstone"
		o["address"] = wealdAddress
	})
	offerID := lastLine(weald("offer", "send", "--case", caseID, "--file", offer))
	refuge("sync")
	refuge("offer", "decide", "--case", caseID, "--offer", offerID, "--accept")
	out, _ = refused(t, refugePass, "--home", s.refugeHome, "details", "release", "--case", caseID, "--file", details, "--to", s.weald)
	digest := regexp.MustCompile(`readers digest: ([0-9a-f]{64})`).FindStringSubmatch(out)
	if digest == nil {
		t.Fatalf("no readers digest:\n%s", out)
	}

	// The witness goes away; once the last cosignature is older than the
	// scheme's 4-second release window, the release is refused.
	wit.Stop()
	time.Sleep(5 * time.Second)
	_, errOut := refused(t, refugePass, "--home", s.refugeHome, "details", "release", "--case", caseID, "--file", details,
		"--to", s.weald, "--confirm-readers", digest[1])
	if !strings.Contains(errOut, "witnesses") || !strings.Contains(errOut, "releasing household details is refused") {
		t.Fatalf("release on a stale view not refused in plain words:\n%s", errOut)
	}
	if kinds := alertKinds(t, refugePass, s.refugeHome); !strings.Contains(strings.Join(kinds, ","), "stale-view") {
		t.Fatalf("no stale-view warning: %v", kinds)
	}
	if c := showCase(t, wealdPass, s.wealdHome, caseID); c["household_details"] != nil {
		t.Fatal("details reached the landlord on a stale view")
	}

	// The witness returns: the relay has it cosign again within its
	// half-second round, the refuge syncs, and the warning clears.
	wit.Restart()
	deadline := time.Now().Add(60 * time.Second)
	for strings.Contains(strings.Join(alertKinds(t, refugePass, s.refugeHome), ","), "stale-view") {
		if time.Now().After(deadline) {
			t.Fatalf("stale-view warning did not clear after the witness returned\nrelay:\n%s\nwitness:\n%s", s.relay.logs.String(), wit.Log())
		}
		time.Sleep(300 * time.Millisecond)
		refuge("sync")
	}
	refuge("details", "release", "--case", caseID, "--file", details, "--to", s.weald, "--confirm-readers", digest[1])
	weald("sync")
	if c := showCase(t, wealdPass, s.wealdHome, caseID); c["household_details"] == nil {
		t.Fatal("details not released once the view was fresh again")
	}
}
