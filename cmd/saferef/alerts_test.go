package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/vault"
	"github.com/saferef/saferef/internal/hometest"
)

// homeWithAlert enrols a device home (offline: no relay runs) and records
// one split-view alert in its case store, as a sync that caught a forked
// relay would.
func homeWithAlert(t *testing.T, pass string) string {
	t.Helper()
	ctx := context.Background()
	w := hometest.Offline(t)
	h := w.Enrol(w.Org("Harbour Refuge", crypto.KindProvider), "Refuge laptop", hometest.DeviceOptions{Passphrase: pass})
	home := h.Path
	plain, err := vault.Read(filepath.Join(home, client.VaultFile), pass)
	if err != nil {
		t.Fatal(err)
	}
	secrets, err := crypto.ParseDeviceSecrets(plain)
	if err != nil {
		t.Fatal(err)
	}
	st, err := casestore.Open(ctx, filepath.Join(home, client.CasesFile), secrets.DataKey)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.AddAlert(ctx, &casestore.Alert{At: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC), Kind: client.AlertSplitView,
		Message: "split view: an envelope from Weald Homes carries a log checkpoint that contradicts this device's"}); err != nil {
		t.Fatal(err)
	}
	return home
}

func TestAlertsCommands(t *testing.T) {
	vars := map[string]string{cli.EnvPassphrase: "device pass orbit lantern"}
	home := homeWithAlert(t, vars[cli.EnvPassphrase])

	code, out, errOut := runCLI(t, vars, "--home", home, "alerts")
	if code != 0 || !strings.Contains(out, "2026-03-01T09:30:00Z  split view: an envelope from Weald Homes") ||
		!strings.Contains(out, "what to do: the relay may be misbehaving") || !strings.HasSuffix(out, "'saferef alerts resolve'\n") {
		t.Fatalf("alerts: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, vars, "--home", home, "alerts", "--json")
	var list []alertInfo
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 1 || list[0].Kind != client.AlertSplitView || list[0].Advice == "" {
		t.Fatalf("alerts --json: exit %d, %v: %s", code, err, out)
	}
	code, out, errOut = runCLI(t, vars, "--home", home, "alerts", "resolve")
	if code != 0 || !strings.Contains(out, "cleared: 2026-03-01T09:30:00Z  split view") || !strings.HasSuffix(out, "resolved 1 warnings: this device sends again\n") {
		t.Fatalf("alerts resolve: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, vars, "--home", home, "alerts")
	if code != 0 || out != "no unresolved warnings about the relay\n" {
		t.Fatalf("alerts after resolve: exit %d %q", code, out)
	}
	if code, _, errOut := runCLI(t, vars, "--home", home, "alerts", "resolve", "extra"); code != 2 || !strings.Contains(errOut, "hint:") {
		t.Fatalf("extra argument: exit %d %s", code, errOut)
	}
}
