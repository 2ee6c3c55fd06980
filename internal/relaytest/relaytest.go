// Package relaytest runs a real Saferef relay on a loopback port for tests
// of the packages built on it (the client core, the admin toolkit, the
// desktop adapter, the admin and server commands): a real server with real
// websockets, a real SQLite store in the test's temporary directory and a
// fresh transparency-log key. It is the one relay harness of the module
// (the relay's own package tests, which cannot import it, excepted).
//
// A Relay can be stopped and restarted on the same port, store and log key,
// for tests of what clients do while the relay is down; restarted on
// another store file (a backup, a tampered or an empty copy), with another
// configuration (rate limits) or a faulty store; run as a second node of
// the same store, or as a fork (same log key, its own store) showing a
// second view of the log. A Hook puts a frame-level Proxy in front of it,
// which is how a test makes the relay hostile.
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
	"github.com/saferef/saferef/server/store"
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
	skey   string // the log's signer key text
	signer note.Signer
	vkey   string
	opt    Options // opt.DBPath is the store file the next start opens
	inner  string  // the relay's own URL behind a proxy, or ""

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
	// Addr is the loopback address to listen on ("127.0.0.1:PORT", a port
	// the test reserved because something had to know the URL first);
	// empty means a free port.
	Addr string
	// DBPath is the relay's SQLite store file; empty means relay.db in a
	// fresh temporary directory. Two relays with the same DBPath and
	// LogSignerKey are two nodes of one relay.
	DBPath string
	// Config, when set, adjusts the relay's configuration before every
	// start (rate limits, quotas).
	Config func(*server.Config)
	// WrapStore, when set, wraps the relay's store at every start (a
	// test's faulty store).
	WrapStore func(store.Store) store.Store
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
	if opt.DBPath == "" {
		opt.DBPath = filepath.Join(t.TempDir(), "relay.db")
	}
	addr := opt.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	r := &Relay{URL: "ws://" + ln.Addr().String(), t: t, scheme: s, skey: skey, signer: signer, vkey: vkey, opt: opt}
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
	st, err := sqlite.Open(ctx, r.opt.DBPath)
	if err != nil {
		ln.Close()
		t.Fatalf("open relay store: %v", err)
	}
	var rs store.Store = st
	if r.opt.WrapStore != nil {
		rs = r.opt.WrapStore(st)
	}
	cfg := server.Config{
		Scheme: r.scheme, Store: rs, Origin: r.URL, Logger: slog.New(slog.DiscardHandler),
		LogSigner: r.signer, LogVerifierKey: r.vkey,
		Witnesses: r.opt.Witnesses, WitnessEvery: r.opt.WitnessEvery,
	}
	if r.opt.Config != nil {
		r.opt.Config(&cfg)
	}
	srv, err := server.New(ctx, cfg)
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
	r.RestartWith(nil)
}

// RestartOn restarts the relay on the SQLite store at path (a backup, a
// tampered or an empty copy), which later restarts keep.
func (r *Relay) RestartOn(path string) {
	r.t.Helper()
	r.RestartWith(func(o *Options) { o.DBPath = path })
}

// RestartWith restarts the relay on the same port and log key after change
// (if not nil) has adjusted its options: DBPath, Config and WrapStore take
// effect; the others are fixed when the relay is first run.
func (r *Relay) RestartWith(change func(*Options)) {
	r.t.Helper()
	r.Stop()
	if change != nil {
		change(&r.opt)
	}
	addr := r.URL
	if r.inner != "" {
		addr = r.inner
	}
	ln, err := net.Listen("tcp", strings.TrimPrefix(addr, "ws://"))
	if err != nil {
		r.t.Fatalf("listen again on %s: %v", addr, err)
	}
	r.start(ln)
}

// Empty restarts the relay on a new, empty store (same port and log key),
// as an operator who deleted relay.db and started it again would.
func (r *Relay) Empty() {
	r.t.Helper()
	r.RestartOn(filepath.Join(r.t.TempDir(), "empty-relay.db"))
}

// DBPath returns the SQLite store file the relay runs on: a test may read
// or rewrite it, as someone with the relay's disk could (stop the relay
// first to rewrite it).
func (r *Relay) DBPath() string { return r.opt.DBPath }

// LogSignerKey returns the log's signer key text, for another relay that
// signs with the same key.
func (r *Relay) LogSignerKey() string { return r.skey }

// LogSigner returns the log's signer, for a test that signs a checkpoint
// the relay never would.
func (r *Relay) LogSigner() note.Signer { return r.signer }

// LogVerifierKey returns the log's verifier key.
func (r *Relay) LogVerifierKey() string { return r.vkey }

// Node runs a second node of the relay: its own port, the same SQLite store
// and log key (a failover pair behind two addresses).
func (r *Relay) Node() *Relay {
	r.t.Helper()
	return RunWith(r.t, r.scheme, Options{LogSignerKey: r.skey, DBPath: r.opt.DBPath,
		Witnesses: r.opt.Witnesses, WitnessEvery: r.opt.WitnessEvery})
}

// Fork runs a second relay with the same log key on its own, empty store:
// one dishonest relay showing two views of the log.
func (r *Relay) Fork() *Relay {
	r.t.Helper()
	return RunWith(r.t, r.scheme, Options{LogSignerKey: r.skey})
}
