package devicecore

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/internal/hometest"
)

// TestRealHomeAdminCalls runs the organisation screen's calls on a real,
// enrolled (not yet approved) device home, without a relay.
func TestRealHomeAdminCalls(t *testing.T) {
	ctx := context.Background()
	w := hometest.Offline(t)
	org := w.Org("Harbour Refuge", "provider")
	other := w.Org("Weald Homes", "landlord")
	e := w.Enrol(org, "Test laptop", hometest.DeviceOptions{})
	home, pass, dir := e.Path, e.Passphrase, t.TempDir()
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
	if _, err := core.EnrolmentRequest(w.SchemeFile); err == nil {
		t.Error("a scheme file passed as an enrolment request")
	}
	if core.Relay() != hometest.Unreachable {
		t.Errorf("relay %q", core.Relay())
	}
}
