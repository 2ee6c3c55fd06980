package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/mod/sumdb/note"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/server/store"
)

// ConnectPath is the websocket endpoint, relative to the relay's origin.
const ConnectPath = "/v1/connect"

// Server is a relay. Create one with New, serve its Handler, and stop it
// with Shutdown.
type Server struct {
	cfg      Config
	store    store.Store
	metrics  *metrics
	upgrader websocket.Upgrader

	// dirMu serialises changes to the directory: publishes and reloads
	// from the store (written by another relay node). dir itself is safe for
	// concurrent reads.
	dirMu   sync.Mutex
	dir     *crypto.Directory
	dirNext uint64 // guarded by dirMu: index of the next store entry to apply
	// checkpointChecked (guarded by dirMu) is set once the store has been
	// compared with the last saved checkpoint; only then is it overwritten.
	checkpointChecked bool
	// tlog is the transparency log over every store entry below dirNext,
	// appended under dirMu; it is safe for concurrent reads.
	tlog *translog.Log
	// logVerifier verifies the log's own checkpoints; witness gathers
	// their cosignatures (nil when no witnesses are configured).
	logVerifier note.Verifier
	witness     *witnesser

	// mu guards everything below.
	mu       sync.Mutex
	conns    map[*conn]struct{}
	byOrg    map[crypto.OrgID]map[*conn]struct{} // authenticated connections by mailbox
	limiters map[crypto.DeviceID]*tokenBucket
	closing  bool

	// The fields below are not guarded by mu: each says what guards it.

	preAuth preAuthLimits // unauthenticated connections and their bytes (preauth.go); atomics
	// writeFailing is set while the store's write probe fails (storeguard.go).
	writeFailing atomic.Bool
	// replay holds the auth signatures accepted recently (its own lock).
	replay replayGuard
	// acker applies acknowledgements from every connection in batches.
	acker *acker
	// frameBufs lends every connection's reader a buffer to read a frame
	// into (conn.readFrame); it is safe for concurrent use.
	frameBufs sync.Pool
	// dirGen counts the entries applied to dir; it changes after every
	// change to dir, so a cached view of dir is fresh while it is equal.
	dirGen atomic.Uint64
	// mailboxes caches each mailbox's current devices (its own lock).
	mailboxes deviceCache

	// testBeforeWork, set only by tests before the first connection, runs
	// in a connection's writer before each round of writing.
	testBeforeWork atomic.Pointer[func(c *conn)]

	bg       sync.WaitGroup // background loops
	stopBg   context.CancelFunc
	bgCtx    context.Context
	connWG   sync.WaitGroup // connection goroutines
	shutdown chan struct{}
	started  time.Time // when New ran, by cfg.Now
}

// New returns a relay serving cfg.Scheme's directory from cfg.Store. It
// replays the stored directory log, verifying every entry again, and starts
// the expiry loop (and, for a shared store, the cross-node wake-up loop).
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Scheme == nil || cfg.Store == nil || cfg.Origin == "" {
		return nil, errors.New("new relay: scheme, store and origin are required")
	}
	cfg.setDefaults()
	if cfg.LogSigner == nil || cfg.LogVerifierKey == "" {
		return nil, errors.New("new relay: a transparency log key (LogSigner and LogVerifierKey) is required")
	}
	tl, err := translog.NewLog(cfg.LogSigner, cfg.LogVerifierKey)
	if err != nil {
		return nil, fmt.Errorf("new relay: %w", err)
	}
	s := &Server{
		cfg:      cfg,
		store:    cfg.Store,
		dir:      crypto.NewDirectory(cfg.Scheme),
		tlog:     tl,
		conns:    make(map[*conn]struct{}),
		byOrg:    make(map[crypto.OrgID]map[*conn]struct{}),
		limiters: make(map[crypto.DeviceID]*tokenBucket),
		shutdown: make(chan struct{}),
		started:  cfg.Now(),
		upgrader: websocket.Upgrader{
			// The read buffer is held for the connection's life, so it is
			// small: it holds frame headers, and a frame's payload larger
			// than it is read straight into the message. The write buffer
			// is taken from a pool only while a message is written, so it
			// can hold a whole 4 KiB envelope and more: a message goes out
			// as one frame, one syscall.
			ReadBufferSize:    256,
			WriteBufferSize:   32 << 10,
			WriteBufferPool:   &sync.Pool{},
			EnableCompression: false,
			// Devices are native apps, not browsers: there is no Origin
			// header to police, and authentication binds the relay's origin.
			CheckOrigin: func(*http.Request) bool { return true },
		},
	}
	if s.logVerifier, err = translog.ParseVerifierKey(cfg.LogVerifierKey); err != nil {
		return nil, fmt.Errorf("new relay: %w", err)
	}
	if len(cfg.Witnesses) > 0 {
		s.witness = newWitnesser(s)
	}
	s.metrics = newMetrics(s)
	if err := s.reloadDirectory(ctx); err != nil {
		return nil, fmt.Errorf("new relay: %w", err)
	}
	if err := s.checkStoreAgainstCheckpoint(); err != nil {
		return nil, fmt.Errorf("new relay: %w", err)
	}
	s.dirMu.Lock()
	s.checkpointChecked = true
	s.saveCheckpoint()
	s.dirMu.Unlock()
	cp, err := s.tlog.Checkpoint(s.tlog.Size())
	if err != nil {
		return nil, fmt.Errorf("new relay: %w", err)
	}
	cfg.Logger.Info("transparency log ready", "log_key", s.tlog.VerifierKey(), "size", s.tlog.Size(), "checkpoint", string(cp))
	s.bgCtx, s.stopBg = context.WithCancel(context.Background())
	s.probeNow(s.bgCtx)
	s.acker = newAcker(s)
	s.bg.Add(3)
	go s.expireLoop(s.bgCtx)
	go s.probeLoop(s.bgCtx)
	go s.acker.loop(s.bgCtx)
	if s.witness != nil {
		s.bg.Add(1)
		go s.witness.run(s.bgCtx)
	}
	if n, ok := cfg.Store.(store.Notifier); ok {
		s.bg.Add(1)
		go s.listenLoop(s.bgCtx, n)
	}
	return s, nil
}

// Handler returns the relay's public HTTP handler: the websocket endpoint
// at ConnectPath and /healthz, nothing else. Metrics are served by
// AdminHandler, on a listener of the operator's choosing.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+ConnectPath, s.serveConnect)
	mux.HandleFunc("GET /healthz", s.serveHealth)
	return mux
}

// AdminHandler returns the operator's HTTP handler: /metrics (Prometheus)
// and /healthz. Serve it on a loopback or otherwise private address
// (saferef-server --admin-listen), never on the public port.
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.serveHealth)
	mux.Handle("GET /metrics", s.metrics.handler())
	return mux
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if _, err := s.store.DirectorySize(r.Context()); err != nil {
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	if s.writeFailing.Load() {
		http.Error(w, "store cannot write", http.StatusServiceUnavailable)
		return
	}
	if s.witnessStale() {
		http.Error(w, "witness checkpoints stale", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// witnessStale reports whether the scheme names witnesses, this relay
// submits to them, and the newest checkpoint a quorum of them cosigned is
// older than the scheme's window for ordinary sends (or none has been
// cosigned within that window of the relay starting): devices then refuse
// to trust what it serves, so /healthz says so.
func (s *Server) witnessStale() bool {
	if s.witness == nil {
		return false
	}
	set, err := translog.NewWitnesses(s.dir.WitnessSet())
	if err != nil || set == nil {
		return false
	}
	since := s.started
	if at := s.metrics.witness.at.Load(); at != 0 {
		since = time.Unix(0, at)
	}
	return s.cfg.Now().Sub(since) > set.Freshness()
}

// Shutdown closes every connection and stops the background loops. Nothing
// acknowledged is lost: SendOK is only ever sent after the store commits.
// The caller stops the HTTP server first (http.Server.Shutdown does not
// close hijacked websocket connections, which is why this exists) and closes
// the store after.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	close(s.shutdown)
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.closeWith(protocol.CodeInternal, "relay is shutting down, reconnect shortly", dropShutdown)
	}
	s.stopBg()
	done := make(chan struct{})
	go func() {
		s.connWG.Wait()
		s.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("relay shutdown: %w", ctx.Err())
	}
}

// reloadDirectory applies directory entries that the store holds but this
// relay has not yet applied (all of them at start; those published through
// another node later).
func (s *Server) reloadDirectory(ctx context.Context) error {
	s.dirMu.Lock()
	defer s.dirMu.Unlock()
	return s.reloadLocked(ctx)
}

// reloadLocked is reloadDirectory for a caller holding dirMu. Every entry
// becomes a record of the transparency log, whether or not it verifies:
// the log records what the relay serves.
func (s *Server) reloadLocked(ctx context.Context) error {
	for {
		entries, err := s.store.Directory(ctx, s.dirNext, 1000)
		if err != nil {
			return fmt.Errorf("load directory from %d: %w", s.dirNext, err)
		}
		if len(entries) == 0 {
			return nil
		}
		for _, e := range entries {
			if e.Index != s.dirNext {
				return fmt.Errorf("load directory: store returned entry %d, want %d", e.Index, s.dirNext)
			}
			if _, err := s.tlog.Append(e.Object); err != nil {
				return fmt.Errorf("load directory entry %d into the log: %w", e.Index, err)
			}
			// Entries were verified when published; a failure now means the
			// store was tampered with or the scheme file changed. Skip the
			// entry rather than trust it, and say so.
			if _, err := s.dir.Add(e.Object, e.Added); err != nil {
				s.cfg.Logger.Warn("directory entry failed verification on load", "index", e.Index, "kind", e.Kind, "err", err)
			}
			s.dirGen.Add(1)
			s.dirNext = e.Index + 1
		}
		s.saveCheckpoint()
	}
}

func (s *Server) expireLoop(ctx context.Context) {
	defer s.bg.Done()
	t := time.NewTicker(s.cfg.ExpireEvery)
	defer t.Stop()
	for {
		s.expireNow(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Server) expireNow(ctx context.Context) {
	n, err := s.store.Expire(ctx, s.cfg.Now())
	if err != nil {
		if ctx.Err() == nil {
			s.cfg.Logger.Error("expire envelopes", "err", err)
		}
		return
	}
	if n > 0 {
		s.metrics.envelopesExpired.Add(float64(n))
		s.cfg.Logger.Info("expired envelopes", "count", n)
	}
}

// listenLoop wakes local connections when another relay node stores an
// envelope for their mailbox. Notifications are at-most-once, so after every
// reconnection every local connection is woken to catch up from the store.
func (s *Server) listenLoop(ctx context.Context, n store.Notifier) {
	defer s.bg.Done()
	for ctx.Err() == nil {
		err := n.Listen(ctx, func(mailbox [16]byte, own bool) {
			if !own {
				// This node's own puts were handed to its connections
				// when they were stored.
				s.wakeMailbox(crypto.OrgID(mailbox))
			}
		})
		if ctx.Err() != nil {
			return
		}
		s.cfg.Logger.Warn("store notifications lost; catching up", "err", err)
		s.wakeAll()
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// handOff gives an envelope just stored for mailbox to this node's
// connections of the devices it is pending for, to deliver from memory
// without reading the store.
func (s *Server) handOff(mailbox crypto.OrgID, id [16]byte, devices [][16]byte, body []byte) {
	var to []*conn
	s.mu.Lock()
	for c := range s.byOrg[mailbox] {
		if slices.Contains(devices, [16]byte(c.device)) {
			to = append(to, c)
		}
	}
	s.mu.Unlock()
	h := handedEnvelope{id: id, body: body}
	for _, c := range to {
		c.handOff(h)
	}
}

// wakeMailbox tells every authenticated connection of mailbox's
// organisation to look for new envelopes.
func (s *Server) wakeMailbox(mailbox crypto.OrgID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.byOrg[mailbox] {
		c.wake()
	}
}

func (s *Server) wakeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cs := range s.byOrg {
		for c := range cs {
			c.wake()
		}
	}
}
