// Package relaytest runs a real Saferef relay on a loopback port for tests
// of the packages built on it (the client core, the admin toolkit, the
// desktop adapter, the admin command): a real server, a real SQLite store in
// the test's temporary directory and a fresh transparency-log key. A Relay
// can be stopped and restarted on the same port, store and log key, for
// tests of what clients do while the relay is down.
package relaytest

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/server"
	"github.com/saferef/saferef/server/store/sqlite"
)

// Start runs a relay for scheme s on 127.0.0.1 until the test ends and
// returns its URL (ws://127.0.0.1:PORT).
func Start(t testing.TB, s *crypto.Scheme) string {
	t.Helper()
	return Run(t, s).URL
}

// Relay is a running (or stopped) loopback relay of one test.
type Relay struct {
	// URL is the relay's address (ws://127.0.0.1:PORT); it stays the same
	// across Stop and Restart.
	URL string

	t      testing.TB
	scheme *crypto.Scheme
	signer note.Signer
	vkey   string
	dbPath string
	opt    Options
	inner  string // the relay's own URL behind a proxy, or ""

	mu   sync.Mutex
	stop func() // shuts the running relay down; nil when stopped
}

// Options tune RunWith.
type Options struct {
	// LogSignerKey is the log's signer key text (translog.GenerateKey);
	// empty means a fresh one.
	LogSignerKey string
	// Witnesses and WitnessEvery are server.Config's.
	Witnesses    []string
	WitnessEvery time.Duration
	// Hook, when set, puts a Proxy in front of the relay: URL is the
	// proxy's, and every frame passes through Hook.
	Hook Hook
}

// Run runs a relay for scheme s on 127.0.0.1 until Stop or the end of the
// test.
func Run(t testing.TB, s *crypto.Scheme) *Relay {
	t.Helper()
	return RunWith(t, s, Options{})
}

// NewLogKey returns a fresh log signer key text and its verifier key for
// scheme s, for a scheme whose witness set must name the log key before
// the relay starts.
func NewLogKey(t testing.TB, s *crypto.Scheme) (signerKey, verifierKey string) {
	t.Helper()
	skey, vkey, err := translog.GenerateKey(rand.Reader, translog.Origin(s))
	if err != nil {
		t.Fatalf("generate log key: %v", err)
	}
	return skey, vkey
}

// RunWith is Run with options.
func RunWith(t testing.TB, s *crypto.Scheme, opt Options) *Relay {
	t.Helper()
	skey := opt.LogSignerKey
	if skey == "" {
		skey, _ = NewLogKey(t, s)
	}
	signer, vkey, err := translog.ParseSignerKey(skey)
	if err != nil {
		t.Fatalf("parse log key: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	r := &Relay{URL: "ws://" + ln.Addr().String(), t: t, scheme: s, signer: signer, vkey: vkey,
		dbPath: filepath.Join(t.TempDir(), "relay.db"), opt: opt}
	if opt.Hook != nil {
		// The relay itself listens elsewhere, with the proxy's origin: it
		// is the proxy devices dial.
		inner, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("listen: %v", err)
		}
		r.inner = "ws://" + inner.Addr().String()
		px := httptest.NewUnstartedServer(NewProxy(t, r.inner, opt.Hook))
		px.Listener.Close()
		px.Listener = ln
		px.Start()
		t.Cleanup(px.Close)
		ln = inner
	}
	r.start(ln)
	t.Cleanup(r.Stop)
	return r
}

// start serves the relay on ln with the relay's store and log key.
func (r *Relay) start(ln net.Listener) {
	t := r.t
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, r.dbPath)
	if err != nil {
		ln.Close()
		t.Fatalf("open relay store: %v", err)
	}
	srv, err := server.New(ctx, server.Config{
		Scheme: r.scheme, Store: st, Origin: r.URL, Logger: slog.New(slog.DiscardHandler),
		LogSigner: r.signer, LogVerifierKey: r.vkey,
		Witnesses: r.opt.Witnesses, WitnessEvery: r.opt.WitnessEvery,
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
	r.mu.Lock()
	r.stop = func() {
		hs.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("relay shutdown: %v", err)
		}
		st.Close()
	}
	r.mu.Unlock()
}

// Stop shuts the relay down: its port refuses connections until Restart.
// Stopping a stopped relay does nothing.
func (r *Relay) Stop() {
	r.mu.Lock()
	stop := r.stop
	r.stop = nil
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// Restart stops the relay if it is running and starts it again on the same
// port, SQLite store and log key, so that clients find everything they left.
func (r *Relay) Restart() {
	r.t.Helper()
	r.Stop()
	addr := r.URL
	if r.inner != "" {
		addr = r.inner
	}
	ln, err := net.Listen("tcp", strings.TrimPrefix(addr, "ws://"))
	if err != nil {
		r.t.Fatalf("listen again on %s: %v", r.URL, err)
	}
	r.start(ln)
}
