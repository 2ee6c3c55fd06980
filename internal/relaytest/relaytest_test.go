package relaytest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/relaytest"
	"github.com/saferef/saferef/internal/schemetest"
)

// publish publishes obj to the relay at url and returns its log index.
func publish(t *testing.T, url string, obj []byte) uint64 {
	t.Helper()
	ctx := context.Background()
	c, err := relay.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	defer c.Close()
	i, err := c.Publish(ctx, obj)
	if err != nil {
		t.Fatalf("publish to %s: %v", url, err)
	}
	return i
}

// entries returns how many directory entries the relay at url serves.
func entries(t *testing.T, url string) int {
	t.Helper()
	ctx := context.Background()
	c, err := relay.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	defer c.Close()
	es, err := c.Directory(ctx, 0)
	if err != nil {
		t.Fatalf("directory of %s: %v", url, err)
	}
	return len(es)
}

// TestStoresOfNodesForksAndRestarts checks the harness's promises on which
// store a relay runs: a second node shares it, a fork does not, a restart
// keeps it, RestartOn a backup goes back to what the backup held, and Empty
// starts from nothing, all on the same URL.
func TestStoresOfNodesForksAndRestarts(t *testing.T) {
	s := schemetest.New(t, 1, 1)
	r := relaytest.Run(t, s.Scheme)
	org := func(name string) []byte { return s.AddOrg(t, name, crypto.KindLandlord, "Maidstone").Raw }
	if i := publish(t, r.URL, org("Weald Homes")); i != 0 {
		t.Fatalf("first entry at %d", i)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	r.Backup(backup)

	node := r.Node()
	if i := publish(t, node.URL, org("Medway Homes")); i != 1 || entries(t, r.URL) != 2 {
		t.Fatalf("second node: entry at %d, first node serves %d", i, entries(t, r.URL))
	}
	fork := r.Fork()
	if i := publish(t, fork.URL, org("Thanet Homes")); i != 0 || entries(t, r.URL) != 2 {
		t.Fatalf("fork: entry at %d, relay serves %d", i, entries(t, r.URL))
	}
	if fork.LogVerifierKey() != r.LogVerifierKey() {
		t.Fatal("the fork signs with another log key")
	}

	url := r.URL
	r.Restart()
	if r.URL != url || entries(t, r.URL) != 2 {
		t.Fatalf("after Restart: %s serves %d entries", r.URL, entries(t, r.URL))
	}
	r.RestartOn(backup)
	if n := entries(t, r.URL); n != 1 {
		t.Fatalf("after RestartOn the backup: %d entries, want 1", n)
	}
	r.Empty()
	if n := entries(t, r.URL); n != 0 {
		t.Fatalf("after Empty: %d entries", n)
	}
}

// TestExecRewritesTheStoreFile checks that Exec reaches the store file and
// that the relay serves the rewritten rows after it.
func TestExecRewritesTheStoreFile(t *testing.T) {
	s := schemetest.New(t, 1, 1)
	r := relaytest.Run(t, s.Scheme)
	publish(t, r.URL, s.AddOrg(t, "Weald Homes", crypto.KindLandlord, "Maidstone").Raw)
	r.Exec(`DROP TRIGGER directory_no_delete`)
	if n := r.Exec(`DELETE FROM directory`); n != 1 {
		t.Fatalf("deleted %d rows, want 1", n)
	}
	if n := entries(t, r.URL); n != 0 {
		t.Fatalf("relay serves %d entries after the rows were deleted", n)
	}
}
