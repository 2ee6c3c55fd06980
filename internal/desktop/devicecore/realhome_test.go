package devicecore

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/internal/schemetest"
)

// TestRealHomeAdminCalls runs the organisation screen's calls on a real,
// enrolled (not yet approved) device home, without a relay.
func TestRealHomeAdminCalls(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := schemetest.New(t, 1, 1)
	org := s.AddOrg(t, "Harbour Refuge", "provider")
	other := s.AddOrg(t, "Weald Homes", "landlord")
	b, err := s.Scheme.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	schemeFile := filepath.Join(dir, "scheme.json")
	if err := os.WriteFile(schemeFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	const pass = "a real passphrase for the test"
	e, err := client.Enrol(ctx, &client.EnrolOptions{Home: home, SchemeFile: schemeFile, Relay: "ws://127.0.0.1:1",
		Org: org.ID, Name: "Test laptop", Passphrase: pass, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	core, err := Homes{}.Open(ctx, home, pass)
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	if n, err := core.Queued(ctx); err != nil || n != 0 {
		t.Errorf("queued %d, %v; want 0", n, err)
	}
	// "Back up this device": the backup restores with the recovery key shown.
	var backup bytes.Buffer
	key, err := core.BackUp(ctx, &backup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Restore(ctx, bytes.NewReader(backup.Bytes()), filepath.Join(dir, "restored"), key); err != nil {
		t.Fatalf("restore the desktop's backup: %v", err)
	}
	restored, err := Homes{}.Open(ctx, filepath.Join(dir, "restored"), pass)
	if err != nil {
		t.Fatal(err)
	}
	restored.Close()
	if err := core.SetVerified(ctx, other.ID, true); err != nil {
		t.Fatal(err)
	}
	m, err := core.Verified(ctx)
	if err != nil || !m[other.ID] || len(m) != 1 {
		t.Fatalf("verified %v, %v", m, err)
	}
	raw, err := os.ReadFile(filepath.Join(home, client.ContactsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 || bytes.Contains(raw, []byte(other.ID.String())) {
		t.Error("the contacts file is not sealed")
	}
	if err := core.SetVerified(ctx, other.ID, false); err != nil {
		t.Fatal(err)
	}
	if m, err := core.Verified(ctx); err != nil || m[other.ID] {
		t.Errorf("after clearing: %v, %v", m, err)
	}
	req, err := core.EnrolmentRequest(e.RequestPath)
	if err != nil {
		t.Fatal(err)
	}
	if req.Fingerprint != e.Fingerprint || req.Org != org.ID || req.Name != "Test laptop" {
		t.Errorf("request %+v", req)
	}
	if _, err := core.EnrolmentRequest(schemeFile); err == nil {
		t.Error("a scheme file passed as an enrolment request")
	}
	if core.Relay() != "ws://127.0.0.1:1" {
		t.Errorf("relay %q", core.Relay())
	}
}
