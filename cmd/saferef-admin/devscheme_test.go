package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/relaytest"
)

// TestDevScheme runs dev-scheme as run-demo.sh does: the relay starts
// only once scheme.json exists, and dev-scheme waits for it.
func TestDevScheme(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "demo")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "ws://" + ln.Addr().String()
	ln.Close()

	type result struct {
		code        int
		out, errOut string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errOut := runCLI(t, map[string]string{cli.EnvWorkFactor: "10"}, "dev-scheme", "--dir", dir, "--relay", url)
		done <- result{code, out, errOut}
	}()
	var schemeBytes []byte
	for i := 0; i < 200; i++ {
		if schemeBytes, err = os.ReadFile(filepath.Join(dir, "scheme.json")); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	scheme, err := crypto.ParseScheme(schemeBytes)
	if err != nil {
		t.Fatalf("scheme.json: %v", err)
	}
	relaytest.RunWith(t, scheme, relaytest.Options{Addr: strings.TrimPrefix(url, "ws://")})

	var r result
	select {
	case r = <-done:
	case <-time.After(90 * time.Second):
		t.Fatal("dev-scheme did not finish")
	}
	if r.code != 0 {
		t.Fatalf("dev-scheme exit %d: %s", r.code, r.errOut)
	}
	if !strings.Contains(r.out, "DEMO ONLY") {
		t.Errorf("passphrases not marked DEMO ONLY:\n%s", r.out)
	}
	txt, err := os.ReadFile(filepath.Join(dir, "demo.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var demo demoFile
	b, err := os.ReadFile(filepath.Join(dir, "demo.json"))
	if err != nil || json.Unmarshal(b, &demo) != nil || len(demo.Organisations) != 4 {
		t.Fatalf("demo.json: %v %s", err, b)
	}
	var refuge demoEntry
	for _, o := range demo.Organisations {
		if !strings.Contains(string(txt), o.Org) || !strings.Contains(string(txt), o.Passphrase) || !strings.Contains(string(txt), o.Home) {
			t.Errorf("demo.txt lacks %s's id, home or passphrase", o.Name)
		}
		if o.Name == "Harbour Refuge" {
			refuge = o
		}
	}
	if refuge.Home != filepath.Join(dir, "homes", "harbour-refuge") {
		t.Fatalf("refuge home = %q", refuge.Home)
	}
	d, err := client.OpenHome(ctx, refuge.Home, refuge.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Sync(ctx); err != nil {
		t.Fatalf("demo device sync: %v", err)
	}
	if orgs := d.Directory().Orgs(); len(orgs) != 4 {
		t.Fatalf("directory has %d organisations", len(orgs))
	}
	for _, o := range demo.Organisations {
		id, _ := crypto.ParseOrgID(o.Org)
		if n := len(d.Directory().CurrentDevices(id, time.Now())); n != 1 {
			t.Errorf("%s has %d current devices", o.Name, n)
		}
	}
}
