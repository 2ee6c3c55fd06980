package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Passphrases of the organisations the workflow tests add. Test-only values.
const (
	coastPass = "thanet coast lettings manager test passphrase"
	coordPass = "scheme coordinator device test passphrase"
)

// workflowScheme is newScheme's relay, refuge and two landlords (Weald
// Homes: Maidstone, Tonbridge and Malling, Tunbridge Wells, Sevenoaks;
// Medway Valley Housing: Medway, Swale, Gravesham, Dartford) plus the
// household's current landlord (Thanet Coast Housing: Thanet, Dover,
// Canterbury) and the scheme coordinator's organisation, each with one
// enrolled and approved device.
type workflowScheme struct {
	*scheme
	coast, coastHome string
	coord, coordHome string
}

func newWorkflowScheme(t *testing.T) *workflowScheme {
	t.Helper()
	w := &workflowScheme{scheme: newScheme(t)}
	url := w.relay.url
	w.coast = lastLine(cli(t, rootPass, "saferef-admin", "org", "add", "--dir", w.dir, "--name", "Thanet Coast Housing", "--kind", "landlord",
		"--district", "Thanet,Dover,Canterbury", "--relay", url))
	w.coord = lastLine(cli(t, rootPass, "saferef-admin", "org", "add", "--dir", w.dir, "--name", "Kent and Medway Scheme Coordinator", "--kind", "coordinator", "--relay", url))
	w.coastHome = w.enrol(w.coast, "Thanet Coast lettings manager", coastPass)
	w.coordHome = w.enrol(w.coord, "Scheme coordinator laptop", coordPass)
	return w
}

// syncAll syncs every device, so that each holds the whole directory.
func (w *workflowScheme) syncAll() {
	for home, pass := range map[string]string{w.refugeHome: refugePass, w.wealdHome: wealdPass, w.medwayHome: medwayPass,
		w.coastHome: coastPass, w.coordHome: coordPass} {
		cli(w.t, pass, "saferef", "--home", home, "sync")
	}
}

// payloadFile runs a template command, applies edit to its JSON and
// writes it to a new file, whose path it returns.
func payloadFile(t *testing.T, pass, home string, template []string, edit func(map[string]any)) string {
	t.Helper()
	var v map[string]any
	out := cli(t, pass, "saferef", append([]string{"--home", home}, template...)...)
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v is not JSON: %v\n%s", template, err, out)
	}
	if edit != nil {
		edit(v)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(t.TempDir(), strings.Join(template, "-")+"-*.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

// tryCLIEnv is tryCLI with extra environment variables, and returns the
// exit code (-1 if the command could not run).
func tryCLIEnv(extra []string, passphrase, name string, args ...string) (stdout, stderr string, code int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, name), args...)
	cmd.Env = append(testEnv(passphrase), extra...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		code = 0
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		code = -1
		e.WriteString(err.Error())
	}
	return o.String(), e.String(), code
}

// refused runs a command that must fail with exit code 1 and returns its
// stdout and stderr.
func refused(t *testing.T, pass string, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, code := tryCLIEnv(nil, pass, "saferef", args...)
	if code != 1 {
		t.Fatalf("saferef %s: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
	}
	if !strings.Contains(stderr, "saferef: error: ") || !strings.Contains(stderr, "saferef: hint: ") {
		t.Fatalf("saferef %s: no error and hint lines:\n%s", strings.Join(args, " "), stderr)
	}
	return stdout, stderr
}

var syncedRE = regexp.MustCompile(`synced: (\d+) new, (\d+) rejected`)

// syncCounts runs sync and returns its new and rejected counts.
func syncCounts(t *testing.T, pass, home string) (fresh, rejected int) {
	t.Helper()
	out := cli(t, pass, "saferef", "--home", home, "sync")
	m := syncedRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("sync printed no summary: %q", out)
	}
	fresh, _ = strconv.Atoi(m[1])
	rejected, _ = strconv.Atoi(m[2])
	return fresh, rejected
}

// stageOf returns the stage in `cases show --json`.
func stageOf(c map[string]any) string {
	s, _ := c["stage"].(string)
	return s
}

// offersOf returns the offers in `cases show --json`.
func offersOf(c map[string]any) []map[string]any {
	list, _ := c["offers"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, o := range list {
		if m, ok := o.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// wantStage fails the test unless the case is at stage want on that device.
func wantStage(t *testing.T, pass, home, caseID, want string) map[string]any {
	t.Helper()
	c := showCase(t, pass, home, caseID)
	if got := stageOf(c); got != want {
		b, _ := json.MarshalIndent(c, "", "  ")
		t.Fatalf("case at %s is at stage %q, want %q:\n%s", filepath.Base(home), got, want, b)
	}
	return c
}

// orgIDsOf returns the organisation ids listed in `cases show --json`.
func orgIDsOf(c map[string]any) []string {
	list, _ := c["organisations"].([]any)
	var ids []string
	for _, o := range list {
		if m, ok := o.(map[string]any); ok {
			ids = append(ids, fmt.Sprint(m["id"]))
		}
	}
	return ids
}

// householdFile writes the household details template, which a new
// referral needs (--household), to a file.
func (s *scheme) householdFile(home string) string {
	s.t.Helper()
	return payloadFile(s.t, refugePass, home, []string{"details", "template"}, nil)
}
