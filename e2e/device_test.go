package e2e

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// copyDir copies the regular files of dir (one level: a device home has
// no subdirectories) to a new temporary directory, as a thief copying a
// laptop's home would.
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			t.Fatalf("%s in a device home is not a regular file", e.Name())
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

var (
	hexID   = regexp.MustCompile(`\b[0-9a-f]{32}\b`)
	rfc3339 = regexp.MustCompile(`\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\b`)
)

// exchangeNeedles collects, from what the devices themselves show of a
// case, everything a copied home must not reveal: every identifier (case,
// organisations, devices, envelopes, offers), the reference, the districts
// and every time stamp; each as text, as the bytes behind a hex id, and in
// the encodings of encodings().
func exchangeNeedles(t *testing.T, shown []string, words []string) map[string][]byte {
	t.Helper()
	needles := map[string][]byte{}
	add := func(what string, b []byte) {
		for enc, e := range encodings(b) {
			if len(e) >= 6 { // shorter base64 fragments match by chance
				needles[what+" "+enc] = e
			}
		}
	}
	for _, s := range shown {
		for _, id := range hexID.FindAllString(s, -1) {
			raw := make([]byte, 16)
			for i := range raw {
				v, _ := strconv.ParseUint(id[2*i:2*i+2], 16, 8)
				raw[i] = byte(v)
			}
			add("id "+id, raw)
			needles["id text "+id] = []byte(id)
		}
		for _, ts := range rfc3339.FindAllString(s, -1) {
			at, err := time.Parse(time.RFC3339, ts)
			if err != nil {
				continue
			}
			needles["time "+ts] = []byte(ts)
			needles["time utc "+ts] = []byte(at.UTC().Format(time.RFC3339))
			needles["time unix "+ts] = []byte(strconv.FormatInt(at.Unix(), 10))
			var be [8]byte
			binary.BigEndian.PutUint64(be[:], uint64(at.Unix()))
			add("time int64 "+ts, be[:])
		}
	}
	for _, w := range words {
		add("text "+w, []byte(w))
		add("lower "+w, []byte(strings.ToLower(w)))
	}
	return needles
}

// TestCopiedHomeRevealsNothing runs a full referral (approval,
// circulation, two offers, acceptance, household details, move, closure)
// with the real binaries, then copies every device's home as a thief
// would and searches each file, in every encoding, for the organisation,
// case, envelope and offer ids, the reference, the districts and the time
// stamps of the exchange. It also checks that the homes hold only the
// expected files, so that names and sizes are all a copy shows.
func TestCopiedHomeRevealsNothing(t *testing.T) {
	w := newWorkflowScheme(t)
	w.syncAll()
	refuge := func(args ...string) string {
		return cli(t, refugePass, "saferef", append([]string{"--home", w.refugeHome}, args...)...)
	}
	weald := func(args ...string) string {
		return cli(t, wealdPass, "saferef", append([]string{"--home", w.wealdHome}, args...)...)
	}
	const reference = "KMR-2026-0731"
	referral := w.referralFile(w.refugeHome, func(r map[string]any) {
		r["reference"] = reference
		r["current_landlord_org"] = w.coast
		r["current_tenancy"] = "secure (council)"
		r["districts_acceptable"] = []string{"Maidstone", "Medway"}
		r["districts_to_avoid"] = []string{"Thanet"}
	})
	details := payloadFile(t, refugePass, w.refugeHome, []string{"details", "template"}, nil)
	caseID := lastLine(refuge("referral", "send", "--file", referral, "--household", details))
	cli(t, coastPass, "saferef", "--home", w.coastHome, "sync")
	cli(t, coastPass, "saferef", "--home", w.coastHome, "referral", "approve", "--case", caseID, "--approve", "--lead", "J. Okafor",
		"--no-suitable-home", "--will-give-home-back")
	refuge("sync")
	refuge("referral", "circulate", "--case", caseID)
	weald("sync")
	cli(t, medwayPass, "saferef", "--home", w.medwayHome, "sync")
	offer := payloadFile(t, wealdPass, w.wealdHome, []string{"offer", "template"}, func(o map[string]any) {
		o["district"] = "Maidstone"
		o["address"] = wealdAddress
	})
	offerID := lastLine(weald("offer", "send", "--case", caseID, "--file", offer))
	refuge("sync")
	refuge("offer", "decide", "--case", caseID, "--offer", offerID, "--accept")
	out, _ := refused(t, refugePass, "--home", w.refugeHome, "details", "release", "--case", caseID, "--file", details, "--to", w.weald)
	digest := regexp.MustCompile(`readers digest: ([0-9a-f]{64})`).FindStringSubmatch(out)
	if digest == nil {
		t.Fatalf("no readers digest:\n%s", out)
	}
	refuge("details", "release", "--case", caseID, "--file", details, "--to", w.weald, "--confirm-readers", digest[1])
	weald("sync")
	weald("status", "set", "--case", caseID, "--status", "signed-up")
	weald("status", "set", "--case", caseID, "--status", "moved-in")
	refuge("sync")
	refuge("status", "set", "--case", caseID, "--status", "closed")
	w.syncAll()
	wantStage(t, refugePass, w.refugeHome, caseID, "closed")

	homes := map[string]struct{ home, pass string }{
		"refuge": {w.refugeHome, refugePass}, "weald": {w.wealdHome, wealdPass}, "medway": {w.medwayHome, medwayPass},
		"coast": {w.coastHome, coastPass}, "coordinator": {w.coordHome, coordPass},
	}
	var shown []string
	for _, h := range []string{"refuge", "weald", "medway", "coast"} {
		shown = append(shown, cli(t, homes[h].pass, "saferef", "--home", homes[h].home, "cases", "show", caseID, "--json"),
			cli(t, homes[h].pass, "saferef", "--home", homes[h].home, "cases", "list", "--json"))
	}
	shown = append(shown, w.refuge, w.weald, w.medway, w.coast, w.coord)
	needles := exchangeNeedles(t, shown, []string{reference, "Maidstone", "Medway", "Thanet", "Weald Homes", "Harbour Refuge", "Quarry Wood"})
	// The search can fail: what the devices show holds every needle kind.
	all := []byte(strings.Join(shown, "\n"))
	for _, must := range []string{"id text " + caseID, "id text " + w.weald, "text " + reference + " raw", "text Maidstone raw"} {
		if !bytes.Contains(all, needles[must]) {
			t.Fatalf("self-check: needle %q not found in what the devices show", must)
		}
	}
	if n := 0; true {
		for k := range needles {
			if strings.HasPrefix(k, "time unix ") {
				n++
			}
		}
		if n == 0 {
			t.Fatal("self-check: no time stamps collected")
		}
	}

	expected := []string{"cases.db", "config.sealed", "device.vault", "scheme.json"}
	for name, h := range homes {
		copied := copyDir(t, h.home)
		ents, _ := os.ReadDir(copied)
		var files []string
		for _, e := range ents {
			files = append(files, e.Name())
		}
		files = slices.DeleteFunc(files, func(f string) bool { return f == "contacts.sealed" })
		if !slices.Equal(files, expected) {
			t.Errorf("%s home holds %v, want %v (and perhaps contacts.sealed)", name, files, expected)
		}
		searchDir(t, copied, func(where string, b []byte) {
			for what, needle := range needles {
				if bytes.Contains(b, needle) {
					t.Errorf("copied %s home: %s contains %s", name, filepath.Base(where), what)
				}
			}
			if bytes.HasPrefix(b, []byte("SQLite format 3")) {
				t.Errorf("copied %s home: %s is a plain SQLite file", name, filepath.Base(where))
			}
		})
	}
}

// TestBackupDeleteRestore backs a device up with the real binary, deletes
// its home, restores it from the recovery key the backup printed, syncs,
// and finds every case as before; then a referral sent after the restore
// arrives.
func TestBackupDeleteRestore(t *testing.T) {
	s := newScheme(t)
	caseID := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald,
		"--file", s.referralFile(s.refugeHome, nil), "--household", s.householdFile(s.refugeHome)))
	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync")
	before := cli(t, wealdPass, "saferef", "--home", s.wealdHome, "cases", "list", "--json")

	backup := filepath.Join(t.TempDir(), "weald.backup")
	out := cli(t, wealdPass, "saferef", "--home", s.wealdHome, "backup", "--out", backup)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 || !strings.Contains(lines[len(lines)-2], "recovery key") {
		t.Fatalf("backup output:\n%s", out)
	}
	key := strings.TrimSpace(lines[len(lines)-1])
	if len(strings.Fields(key)) != 12 {
		t.Fatalf("recovery key %q is not 12 words", key)
	}
	if _, errOut, code := tryCLIEnv(nil, wealdPass, "saferef", "--home", s.wealdHome, "backup", "--out", backup); code != 1 || !strings.Contains(errOut, "hint:") {
		t.Fatalf("backup over an existing file: exit %d\n%s", code, errOut)
	}
	if err := os.RemoveAll(s.wealdHome); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := tryCLIEnv([]string{"SAFEREF_RECOVERY_KEY=abandon ability able about above absent absorb abstract absurd abuse access accident"},
		wealdPass, "saferef", "--home", s.wealdHome, "restore", "--from", backup); code != 1 || !strings.Contains(errOut, "hint:") {
		t.Fatalf("restore with a wrong key: exit %d\n%s", code, errOut)
	}
	out, errOut, code := tryCLIEnv([]string{"SAFEREF_RECOVERY_KEY=" + strings.ToUpper(key)}, wealdPass, "saferef", "--home", s.wealdHome, "restore", "--from", backup)
	if code != 0 || !strings.Contains(out, "restored Weald liaison officer") {
		t.Fatalf("restore: exit %d\n%s\n%s", code, out, errOut)
	}
	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync")
	after := cli(t, wealdPass, "saferef", "--home", s.wealdHome, "cases", "list", "--json")
	if before != after {
		t.Fatalf("cases after restore differ:\nbefore %s\nafter  %s", before, after)
	}
	c := showCase(t, wealdPass, s.wealdHome, caseID)
	if c["reference"] == nil {
		t.Fatalf("restored case: %v", c)
	}
	second := lastLine(cli(t, refugePass, "saferef", "--home", s.refugeHome, "referral", "send", "--to", s.weald,
		"--file", s.referralFile(s.refugeHome, func(r map[string]any) { r["reference"] = "KMR-2026-0808" }), "--household", s.householdFile(s.refugeHome)))
	if n, _ := syncCounts(t, wealdPass, s.wealdHome); n != 1 {
		t.Fatalf("after restore, a new referral: %d new", n)
	}
	showCase(t, wealdPass, s.wealdHome, second)
}

// TestReleaseIgnoresWorkFactorHook builds saferef as released (without
// the saferef_testvault tag): SAFEREF_VAULT_WORK_FACTOR must not lower the
// vault's work factor, and a weak vault (made by a test build) is re-saved
// at the release factor the first time the release build unlocks it.
func TestReleaseIgnoresWorkFactorHook(t *testing.T) {
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "../cmd/saferef")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	release := filepath.Join(dir, "saferef")
	s := newScheme(t)
	wf := func(home string) string {
		b, err := os.ReadFile(filepath.Join(home, "device.vault"))
		if err != nil {
			t.Fatal(err)
		}
		line := strings.SplitN(string(b), "\n", 3)[1] // -> scrypt SALT WF
		f := strings.Fields(line)
		return f[len(f)-1]
	}
	if got := wf(s.refugeHome); got != "10" {
		t.Fatalf("test build made a vault at %s, want the hook's 10", got)
	}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(release, args...)
		cmd.Env = testEnv(refugePass) // includes SAFEREF_VAULT_WORK_FACTOR=10
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("release saferef %v: %v\n%s", args, err, b)
		}
	}
	run("--home", s.refugeHome, "sync")
	if got := wf(s.refugeHome); got != "18" {
		t.Fatalf("after a release unlock the vault is at %s, want 18", got)
	}
	home := filepath.Join(t.TempDir(), "release-home")
	run("enrol", "--home", home, "--scheme", filepath.Join(s.dir, "scheme.json"), "--relay", s.relay.url, "--org", s.refuge, "--name", "Second laptop")
	if got := wf(home); got != "18" {
		t.Fatalf("release enrol made a vault at %s, want 18", got)
	}
}

// TestNewDeviceSeesOpenCases enrols a second device in an organisation
// that already has open cases, approves it, and syncs: the colleague's
// device hands the cases over, and the new device shows every open case
// with verified senders. A closed case is not handed over.
func TestNewDeviceSeesOpenCases(t *testing.T) {
	s := newScheme(t)
	refuge := func(args ...string) string {
		return cli(t, refugePass, "saferef", append([]string{"--home", s.refugeHome}, args...)...)
	}
	first := lastLine(refuge("referral", "send", "--to", s.weald, "--file", s.referralFile(s.refugeHome, nil), "--household", s.householdFile(s.refugeHome)))
	second := lastLine(refuge("referral", "send", "--to", s.weald, "--file", s.referralFile(s.refugeHome, func(r map[string]any) {
		r["reference"] = "KMR-2026-0909"
	}), "--household", s.householdFile(s.refugeHome)))
	refuge("message", "send", "--case", first, "--text", "Please call the support worker before any viewing.")
	cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync")
	want := map[string]map[string]any{first: showCase(t, wealdPass, s.wealdHome, first), second: showCase(t, wealdPass, s.wealdHome, second)}

	const newPass = "weald second laptop test passphrase"
	newHome := s.enrol(s.weald, "Weald second laptop", newPass)
	if out := cli(t, newPass, "saferef", "--home", newHome, "cases", "list", "--json"); strings.Contains(out, first) {
		t.Fatalf("new device holds a case before any handover:\n%s", out)
	}
	cli(t, newPass, "saferef", "--home", newHome, "sync")
	if out := cli(t, wealdPass, "saferef", "--home", s.wealdHome, "sync"); !strings.Contains(out, "handed the open cases to 1 new colleague device") {
		t.Fatalf("colleague's sync did not hand over:\n%s", out)
	}
	out := cli(t, newPass, "saferef", "--home", newHome, "sync")
	if !strings.Contains(out, "handed over by colleagues' devices, each verified") || !strings.Contains(out, ", 0 rejected") {
		t.Fatalf("new device's sync:\n%s", out)
	}
	for id, w := range want {
		c := showCase(t, newPass, newHome, id)
		if stageOf(c) != stageOf(w) || c["reference"] != w["reference"] {
			t.Fatalf("case %s on the new device: stage %v ref %v, want %v %v", id, stageOf(c), c["reference"], stageOf(w), w["reference"])
		}
		events, _ := c["events"].([]any)
		if len(events) == 0 {
			t.Fatalf("case %s has no timeline on the new device", id)
		}
		for _, e := range events {
			if e, _ := e.(map[string]any); e["verified"] != true {
				t.Errorf("case %s: event not verified on the new device: %v", id, e)
			}
		}
		a, _ := json.Marshal(c["entries"])
		b, _ := json.Marshal(w["entries"])
		if string(a) != string(b) {
			t.Errorf("case %s entries differ:\nnew      %s\ncolleague %s", id, a, b)
		}
		if !strings.Contains(string(a), "Harbour Refuge") {
			t.Errorf("case %s: sender organisation not shown: %s", id, a)
		}
	}
	// The new device takes part from now on like any other.
	refuge("message", "send", "--case", second, "--text", "Any update on a viewing?")
	if n, _ := syncCounts(t, newPass, newHome); n != 1 {
		t.Fatalf("new device received %d new packets, want the message", n)
	}
}
