package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/server"
	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/postgres"
	"github.com/saferef/saferef/server/store/sqlite"
)

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

// run is the whole command, with its exit code; main only wires signals.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("saferef-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		dataDir    = fs.String("data", "", "directory for the relay's SQLite store (created 0700 if missing)")
		listen     = fs.String("listen", "127.0.0.1:8443", "address to listen on; plain ws:// only on loopback")
		schemeFile = fs.String("scheme", "", "the scheme file (scheme.json) from the scheme coordinator")
		tlsCert    = fs.String("tls-cert", "", "TLS certificate chain (PEM); required off loopback")
		tlsKey     = fs.String("tls-key", "", "TLS private key (PEM)")
		origin     = fs.String("origin", "", "public origin clients dial, if not the listen address (e.g. wss://relay.example.org behind a proxy)")
		pgDSN      = fs.String("postgres", "", "PostgreSQL DSN: share one store between several relay nodes instead of SQLite")
		logKey     = fs.String("log-key", "", "the transparency log's checkpoint signing key (default DATA/log-signing.key, created on first start); every node sharing a --postgres store must use the same file")
		ttl        = fs.Duration("mailbox-ttl", 30*24*time.Hour, "how long an undelivered envelope is kept")
		logIP      = fs.Bool("log-ip", false, "log clients' IP addresses (off by default: they can locate a survivor's worker)")
		logLevel   = fs.String("log-level", "info", "debug, info, warn or error")
		sendRate   = fs.Float64("send-rate", 0, "envelopes one device may send per second, sustained (default 20)")
		sendBurst  = fs.Int("send-burst", 0, "envelopes one device may send in a burst (default 100)")
		cpuProfile = fs.String("cpuprofile", "", "write a CPU profile (pprof) of the whole run to this file, for saferef-bench and performance work")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: saferef-server --data DIR --listen ADDR --scheme SCHEME_FILE [--tls-cert F --tls-key F]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	err := serve(ctx, config{
		dataDir: *dataDir, listen: *listen, schemeFile: *schemeFile, tlsCert: *tlsCert, tlsKey: *tlsKey,
		origin: *origin, pgDSN: *pgDSN, logKey: *logKey, ttl: *ttl, logIP: *logIP, logLevel: *logLevel,
		sendRate: *sendRate, sendBurst: *sendBurst, cpuProfile: *cpuProfile,
	}, stdout, stderr)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "saferef-server: error: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) {
		if ue.hint != "" {
			fmt.Fprintf(stderr, "saferef-server: hint: %s\n", ue.hint)
		}
		return 2
	}
	return 1
}

type config struct {
	dataDir, listen, schemeFile, tlsCert, tlsKey, origin, pgDSN, logKey, logLevel string
	ttl                                                                           time.Duration
	logIP                                                                         bool
	sendRate                                                                      float64
	sendBurst                                                                     int
	cpuProfile                                                                    string
}

func serve(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	if cfg.schemeFile == "" {
		return &usageError{"--scheme is required", "pass the scheme.json your scheme coordinator gave you"}
	}
	if cfg.dataDir == "" && cfg.pgDSN == "" {
		return &usageError{"--data is required", "pass a directory for the relay's store, e.g. --data /var/lib/saferef"}
	}
	if cfg.pgDSN != "" && cfg.dataDir == "" && cfg.logKey == "" {
		return &usageError{"--postgres without --data needs --log-key", "pass the log signing key file shared by every relay node, e.g. --log-key /etc/saferef/log-signing.key"}
	}
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		return &usageError{"--tls-cert and --tls-key go together", "pass both, or neither on a loopback address"}
	}
	useTLS := cfg.tlsCert != ""
	host, _, err := net.SplitHostPort(cfg.listen)
	if err != nil {
		return &usageError{fmt.Sprintf("--listen %q: %v", cfg.listen, err), "give host:port, e.g. 127.0.0.1:8443"}
	}
	if !useTLS && !isLoopback(host) {
		return &usageError{fmt.Sprintf("refusing plain ws:// on %q: off loopback the relay requires TLS", cfg.listen),
			"pass --tls-cert and --tls-key, or listen on 127.0.0.1 for development"}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return &usageError{fmt.Sprintf("--log-level %q: %v", cfg.logLevel, err), "use debug, info, warn or error"}
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	if cfg.sendRate < 0 || cfg.sendBurst < 0 {
		return &usageError{"--send-rate and --send-burst must not be negative", "leave them out for the defaults (20 per second, burst 100)"}
	}
	if cfg.cpuProfile != "" {
		f, err := os.OpenFile(cfg.cpuProfile, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("create CPU profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("start CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	schemeBytes, err := os.ReadFile(cfg.schemeFile)
	if err != nil {
		return fmt.Errorf("read scheme: %w", err)
	}
	scheme, err := crypto.ParseScheme(schemeBytes)
	if err != nil {
		return fmt.Errorf("read scheme %s: %w", cfg.schemeFile, err)
	}

	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	keyFile := cfg.logKey
	if keyFile == "" {
		keyFile = filepath.Join(cfg.dataDir, logKeyFile)
	}
	logSigner, logVerifierKey, err := loadLogKey(keyFile, translog.Origin(scheme), logger)
	if err != nil {
		return err
	}
	if scheme.LogKey != "" && scheme.LogKey != logVerifierKey {
		return fmt.Errorf("the scheme file names log key %q but %s holds the key for %q: devices would refuse this relay", scheme.LogKey, keyFile, logVerifierKey)
	}

	var tlsConfig *tls.Config
	if useTLS {
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return fmt.Errorf("load TLS key pair: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	origin := cfg.origin
	if origin == "" {
		scheme := "ws://"
		if useTLS {
			scheme = "wss://"
		}
		origin = scheme + ln.Addr().String()
	}
	relay, err := server.New(ctx, server.Config{
		Scheme: scheme, Store: st, Origin: origin, Logger: logger, LogIP: cfg.logIP, MailboxTTL: cfg.ttl,
		LogSigner: logSigner, LogVerifierKey: logVerifierKey, SendRate: cfg.sendRate, SendBurst: cfg.sendBurst,
	})
	if err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{
		Handler:           relay.Handler(),
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	logger.Info("relay listening", "origin", origin, "scheme", scheme.Name, "scheme_fingerprint", scheme.Fingerprint(), "store", storeKind(cfg), "log_key", logVerifierKey)
	fmt.Fprintf(stdout, "saferef-server: listening on %s\n", origin)

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	herr := hs.Shutdown(sctx)
	rerr := relay.Shutdown(sctx)
	if err := errors.Join(herr, rerr); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

func openStore(ctx context.Context, cfg config) (store.Store, error) {
	if cfg.pgDSN != "" {
		st, err := postgres.Open(ctx, cfg.pgDSN)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL store: %w", err)
		}
		return st, nil
	}
	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(cfg.dataDir, "relay.db"))
	if err != nil {
		return nil, fmt.Errorf("open SQLite store: %w", err)
	}
	return st, nil
}

func storeKind(cfg config) string {
	if cfg.pgDSN != "" {
		return "postgres"
	}
	return "sqlite"
}

// isLoopback reports whether host names only this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
