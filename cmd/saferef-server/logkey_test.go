package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saferef/saferef/internal/schemetest"
)

func TestLogKeyCreatedOnceAndKept(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	path := filepath.Join(t.TempDir(), "data", logKeyFile)
	_, vkey, err := loadLogKey(path, "saferef-relay/0123456789abcdef", logger)
	if err != nil {
		t.Fatalf("first start: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.HasPrefix(vkey, "saferef-relay/0123456789abcdef+") {
		t.Fatalf("verifier key %q", vkey)
	}
	// A restart loads the same key, whatever origin it would generate now.
	_, again, err := loadLogKey(path, "saferef-relay/ffffffffffffffff", logger)
	if err != nil || again != vkey {
		t.Fatalf("restart: key %q (%v), want %q", again, err, vkey)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadLogKey(path, "x", logger); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("world-readable key accepted: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.key")
	os.WriteFile(bad, []byte("not a key\n"), 0o600)
	if _, _, err := loadLogKey(bad, "x", logger); err == nil {
		t.Fatal("garbage key accepted")
	}
}

func TestPostgresNeedsLogKey(t *testing.T) {
	scheme := schemetest.File(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--postgres", "postgres://localhost/x", "--scheme", scheme}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "--log-key") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
}
