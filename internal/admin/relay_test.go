package admin

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/saferef/saferef/client/enrolment"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/relaytest"
)

// testWF is the vault work factor for tests (fast).
const testWF = 10

// testScheme is an admin directory with a one-root scheme, a relay for it
// and one published landlord.
type testScheme struct {
	dir, url string
	scheme   *crypto.Scheme
	org      *NewOrg
}

const (
	rootPass  = "test root passphrase"
	adminPass = "test admin passphrase"
)

func newTestScheme(t *testing.T) *testScheme {
	t.Helper()
	dir := t.TempDir()
	s, roots, err := CreateScheme(dir, "test", 1, 1, Static(rootPass), testWF)
	if err != nil {
		t.Fatal(err)
	}
	url := relaytest.Start(t, s)
	o, err := AddOrg(dir, s, roots, "Weald Homes", crypto.KindLandlord, []string{"Maidstone"}, adminPass, testWF, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(context.Background(), dir, url, o.CertBytes); err != nil {
		t.Fatal(err)
	}
	return &testScheme{dir: dir, url: url, scheme: s, org: o}
}

// newRequest makes an enrolment request for a new device of org.
func newRequest(t *testing.T, org crypto.OrgID, name string) *enrolment.Request {
	t.Helper()
	secrets, err := crypto.GenerateDeviceSecrets(nil, org, name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, err := enrolment.New(secrets, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestAuditReportsRollback (issue 12, item 2): once an admin directory has
// verified a log, a relay restarted on an empty store is reported as a
// rollback, not as "entries: 0 ... log ok".
func TestAuditReportsRollback(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, roots, err := CreateScheme(dir, "test", 1, 1, Static("root pass"), 10)
	if err != nil {
		t.Fatal(err)
	}
	r := relaytest.Run(t, s)
	o, err := AddOrg(dir, s, roots, "Harbour Refuge", crypto.KindProvider, nil, "admin pass", 10, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(ctx, dir, r.URL, o.CertBytes); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Audit(ctx, dir, r.URL, ""); err != nil {
		t.Fatal(err)
	}
	r.Empty()
	if _, _, err := Audit(ctx, dir, r.URL, ""); !errors.Is(err, ErrLogRolledBack) {
		t.Fatalf("audit of an emptied relay: %v", err)
	}
}
