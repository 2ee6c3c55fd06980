// Package relaytest runs a real Saferef relay on a loopback port for tests
// of the packages built on it (the client core, the admin toolkit, the
// desktop adapter, the admin command): a real server, a real SQLite store in
// the test's temporary directory and a fresh transparency-log key.
package relaytest

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/server"
	"github.com/saferef/saferef/server/store/sqlite"
)

// Start runs a relay for scheme s on 127.0.0.1 until the test ends and
// returns its URL (ws://127.0.0.1:PORT).
func Start(t testing.TB, s *crypto.Scheme) string {
	t.Helper()
	ctx := context.Background()
	skey, _, err := translog.GenerateKey(rand.Reader, translog.Origin(s))
	if err != nil {
		t.Fatalf("generate log key: %v", err)
	}
	signer, vkey, err := translog.ParseSignerKey(skey)
	if err != nil {
		t.Fatalf("parse log key: %v", err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "relay.db"))
	if err != nil {
		t.Fatalf("open relay store: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		t.Fatalf("listen: %v", err)
	}
	url := "ws://" + ln.Addr().String()
	srv, err := server.New(ctx, server.Config{
		Scheme: s, Store: st, Origin: url, Logger: slog.New(slog.DiscardHandler),
		LogSigner: signer, LogVerifierKey: vkey,
	})
	if err != nil {
		ln.Close()
		st.Close()
		t.Fatalf("start relay: %v", err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("relay shutdown: %v", err)
		}
		st.Close()
	})
	return url
}
