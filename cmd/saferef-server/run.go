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

// hintedError is a failure with advice on what to do next: exit code 1.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }

// storeFile is the SQLite store's file name in the data directory.
const storeFile = "relay.db"

// run is the whole command, with its exit code; main only wires signals.
// The first argument may name a subcommand (backup, restore, check);
// otherwise the relay serves.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var err error
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub = args[0]
	}
	switch sub {
	case "":
		var cfg *config
		cfg, err = parseServe(args, stderr)
		if cfg == nil && err == nil {
			return 0 // -h
		}
		if err == nil {
			err = serve(ctx, *cfg, stdout, stderr)
		}
	case "backup":
		err = backupCmd(ctx, args[1:], stdout, stderr)
	case "restore":
		err = restoreCmd(ctx, args[1:], stdout, stderr)
	case "check":
		err = checkCmd(ctx, args[1:], stdout, stderr)
	default:
		err = &usageError{fmt.Sprintf("unknown command %q", sub), "the commands are backup, restore and check; with flags only, saferef-server serves (saferef-server -h)"}
	}
	return exitWith(err, stderr)
}

// exitWith prints err (and its hint) the way every subcommand does and
// returns the exit code.
func exitWith(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue *usageError
	fmt.Fprintf(stderr, "saferef-server: error: %v\n", err)
	var he *hintedError
	switch {
	case errors.As(err, &ue):
		if ue.hint != "" {
			fmt.Fprintf(stderr, "saferef-server: hint: %s\n", ue.hint)
		}
		return 2
	case errors.As(err, &he):
		fmt.Fprintf(stderr, "saferef-server: hint: %s\n", he.hint)
	case errors.Is(err, server.ErrStoreRolledBack):
		fmt.Fprintf(stderr, "saferef-server: hint: restore the store from your latest backup; only if you reset it on purpose, start once with --accept-empty-store\n")
	case errors.Is(err, store.ErrSchemaNewer):
		fmt.Fprintf(stderr, "saferef-server: hint: install the saferef-server release that wrote this store (docs/OPERATIONS.md, \"Upgrade\")\n")
	}
	return 1
}

// config is the serving configuration, from flags.
type config struct {
	dataDir, listen, schemeFile, tlsCert, tlsKey, origin, pgDSN, logKey, logLevel string
	acmeDomain, acmeEmail, acmeDirectory, adminListen                             string
	ttl                                                                           time.Duration
	logIP                                                                         bool
	witnesses                                                                     stringList
	witnessEvery                                                                  time.Duration
	acceptEmptyStore                                                              bool
	sendRate                                                                      float64
	sendBurst                                                                     int
	cpuProfile                                                                    string
}

// serveFlags registers the serving flags on fs.
func serveFlags(fs *flag.FlagSet) *config {
	c := &config{}
	fs.StringVar(&c.dataDir, "data", "", "directory for the relay's SQLite store, log key and certificate cache (created 0700 if missing)")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8443", "address to listen on; plain ws:// only on loopback")
	fs.StringVar(&c.schemeFile, "scheme", "", "the scheme file (scheme.json) from the scheme coordinator")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate chain (PEM); required off loopback unless --acme-domain")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS private key (PEM)")
	fs.StringVar(&c.acmeDomain, "acme-domain", "", "obtain and renew this domain's certificate by ACME (Let's Encrypt), cached in DATA/acme; the relay must be reachable on port 443 at the domain")
	fs.StringVar(&c.acmeEmail, "acme-email", "", "contact address given to the ACME certificate authority (expiry warnings); required with --acme-domain")
	fs.StringVar(&c.acmeDirectory, "acme-directory", "", "ACME directory URL (default Let's Encrypt production); e.g. the Let's Encrypt staging URL, or a private CA")
	fs.StringVar(&c.adminListen, "admin-listen", "", "address for /metrics and /healthz, e.g. 127.0.0.1:9090 (default: not served); never the public port")
	fs.StringVar(&c.origin, "origin", "", "public origin clients dial, if not the listen address (e.g. wss://relay.example.org behind a proxy)")
	fs.StringVar(&c.pgDSN, "postgres", "", "PostgreSQL DSN: share one store between several relay nodes instead of SQLite")
	fs.StringVar(&c.logKey, "log-key", "", "the transparency log's checkpoint signing key (default DATA/log-signing.key, created on first start); every node sharing a --postgres store must use the same file")
	fs.DurationVar(&c.ttl, "mailbox-ttl", 30*24*time.Hour, "how long an undelivered envelope is kept")
	fs.BoolVar(&c.logIP, "log-ip", false, "log clients' IP addresses (off by default: they can locate a survivor's worker)")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.Var(&c.witnesses, "witness", "base URL of a witness (C2SP tlog-witness, e.g. http://127.0.0.1:7380); repeat for each witness the scheme names")
	fs.DurationVar(&c.witnessEvery, "witness-every", 10*time.Minute, "how often the unchanged checkpoint is witnessed again, to keep its cosignatures fresh")
	fs.Float64Var(&c.sendRate, "send-rate", 20, "envelopes one device may send per second, on average")
	fs.IntVar(&c.sendBurst, "send-burst", 100, "envelopes one device may send in a burst (a device may also send one per envelope it has just received and acknowledged)")
	fs.BoolVar(&c.acceptEmptyStore, "accept-empty-store", false, "start even if the store holds less of the directory log than this relay last signed (after a deliberate reset); devices will report a rollback")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) of the whole run to this file, for saferef-bench and performance work")
	return c
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

// Set adds one value.
func (l *stringList) Set(v string) error {
	if v == "" {
		return errors.New("empty value")
	}
	*l = append(*l, v)
	return nil
}

const serveUsage = `usage: saferef-server --data DIR --listen ADDR --scheme SCHEME_FILE [--tls-cert F --tls-key F | --acme-domain D --acme-email E] [--admin-listen ADDR]
       saferef-server backup --data DIR --out FILE
       saferef-server restore --data DIR --from FILE
       saferef-server check --data DIR | --postgres DSN [--scheme SCHEME_FILE ...]

docs/OPERATIONS.md is the operator's runbook.

`

// parseServe parses the serving command line; a nil config and nil error
// mean help was printed.
func parseServe(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("saferef-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := serveFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, serveUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil
		}
		return nil, err
	}
	return cfg, nil
}

// validate checks the flags that need no file or network; needScheme is
// false for check, which can inspect a store alone.
func (cfg *config) validate(needScheme bool) error {
	if needScheme && cfg.schemeFile == "" {
		return &usageError{"--scheme is required", "pass the scheme.json your scheme coordinator gave you"}
	}
	if cfg.dataDir == "" && cfg.pgDSN == "" {
		return &usageError{"--data is required", "pass a directory for the relay's store, e.g. --data /var/lib/saferef"}
	}
	if cfg.pgDSN != "" && cfg.dataDir == "" && cfg.logKey == "" && needScheme {
		return &usageError{"--postgres without --data needs --log-key", "pass the log signing key file shared by every relay node, e.g. --log-key /etc/saferef/log-signing.key"}
	}
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		return &usageError{"--tls-cert and --tls-key go together", "pass both, or neither on a loopback address"}
	}
	if err := cfg.validateACME(); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(cfg.listen)
	if err != nil {
		return &usageError{fmt.Sprintf("--listen %q: %v", cfg.listen, err), "give host:port, e.g. 127.0.0.1:8443"}
	}
	if !cfg.useTLS() && !isLoopback(host) {
		return &usageError{fmt.Sprintf("refusing plain ws:// on %q: off loopback the relay requires TLS", cfg.listen),
			"pass --tls-cert and --tls-key, or --acme-domain and --acme-email, or listen on 127.0.0.1 for development (and behind a reverse proxy)"}
	}
	if cfg.adminListen != "" {
		if _, _, err := net.SplitHostPort(cfg.adminListen); err != nil {
			return &usageError{fmt.Sprintf("--admin-listen %q: %v", cfg.adminListen, err), "give host:port, e.g. 127.0.0.1:9090"}
		}
		if _, port, _ := net.SplitHostPort(cfg.listen); cfg.adminListen == cfg.listen && port != "0" {
			return &usageError{"--admin-listen is the same address as --listen", "metrics go on their own port, e.g. --admin-listen 127.0.0.1:9090"}
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return &usageError{fmt.Sprintf("--log-level %q: %v", cfg.logLevel, err), "use debug, info, warn or error"}
	}
	return nil
}

func (cfg *config) useTLS() bool { return cfg.tlsCert != "" || cfg.acmeDomain != "" }

func (cfg *config) logger(stderr io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.logLevel)) // validated
	return slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
}

func readScheme(path string) (*crypto.Scheme, error) {
	schemeBytes, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scheme: %w", err)
	}
	scheme, err := crypto.ParseScheme(schemeBytes)
	if err != nil {
		return nil, fmt.Errorf("read scheme %s: %w", path, err)
	}
	return scheme, nil
}

func (cfg *config) logKeyPath() string {
	if cfg.logKey != "" {
		return cfg.logKey
	}
	return filepath.Join(cfg.dataDir, logKeyFile)
}

func serve(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	if err := cfg.validate(true); err != nil {
		return err
	}
	logger := cfg.logger(stderr)
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
	scheme, err := readScheme(cfg.schemeFile)
	if err != nil {
		return err
	}
	if cfg.pgDSN == "" {
		if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
		unlock, err := lockDataDir(cfg.dataDir)
		if err != nil {
			return err
		}
		defer unlock()
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	keyFile := cfg.logKeyPath()
	logSigner, logVerifierKey, err := loadLogKey(keyFile, translog.Origin(scheme), logger)
	if err != nil {
		return err
	}
	if ws, err := scheme.WitnessSet(); err == nil && ws != nil && ws.LogKey != logVerifierKey {
		return fmt.Errorf("the scheme's witness set names log key %q but %s holds the key for %q: devices would refuse this relay; pass the key file the coordinator created (--log-key)", ws.LogKey, keyFile, logVerifierKey)
	}
	if scheme.LogKey != "" && scheme.LogKey != logVerifierKey {
		return fmt.Errorf("the scheme file names log key %q but %s holds the key for %q: devices would refuse this relay", scheme.LogKey, keyFile, logVerifierKey)
	}

	tlsConfig, err := cfg.tlsConfig(logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	origin := cfg.publicOrigin(ln.Addr())
	relay, err := server.New(ctx, server.Config{
		Scheme: scheme, Store: st, Origin: origin, Logger: logger, LogIP: cfg.logIP, MailboxTTL: cfg.ttl,
		LogSigner: logSigner, LogVerifierKey: logVerifierKey,
		Witnesses: cfg.witnesses, WitnessEvery: cfg.witnessEvery,
		CheckpointFile: keyFile + ".checkpoint", AcceptEmptyStore: cfg.acceptEmptyStore,
		SendRate: cfg.sendRate, SendBurst: cfg.sendBurst,
	})
	if err != nil {
		ln.Close()
		return err
	}
	servers := []*http.Server{{
		Handler:           relay.Handler(),
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	listeners := []net.Listener{ln}
	if cfg.adminListen != "" {
		aln, err := net.Listen("tcp", cfg.adminListen)
		if err != nil {
			ln.Close()
			relay.Shutdown(context.WithoutCancel(ctx))
			return fmt.Errorf("admin listen: %w", err)
		}
		if host, _, _ := net.SplitHostPort(cfg.adminListen); !isLoopback(host) {
			logger.Warn("the admin listener (metrics) is not on loopback: firewall it so only your monitoring can reach it", "admin_listen", cfg.adminListen)
		}
		servers = append(servers, &http.Server{
			Handler:           relay.AdminHandler(),
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		})
		listeners = append(listeners, aln)
		fmt.Fprintf(stdout, "saferef-server: metrics and health on http://%s\n", aln.Addr())
	}
	errc := make(chan error, len(servers))
	for i, hs := range servers {
		go func() { errc <- hs.Serve(listeners[i]) }()
	}
	logger.Info("relay listening", "origin", origin, "listen", ln.Addr().String(), "scheme", scheme.Name, "scheme_fingerprint", scheme.Fingerprint(), "store", storeKind(cfg), "log_key", logVerifierKey, "tls", cfg.tlsKind())
	fmt.Fprintf(stdout, "saferef-server: listening on %s\n", origin)

	select {
	case err := <-errc:
		for _, hs := range servers {
			hs.Close()
		}
		relay.Shutdown(context.WithoutCancel(ctx))
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var errs []error
	for _, hs := range servers {
		errs = append(errs, hs.Shutdown(sctx))
	}
	errs = append(errs, relay.Shutdown(sctx))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// publicOrigin is the origin devices dial: --origin, else wss://DOMAIN
// with ACME, else the listen address.
func (cfg *config) publicOrigin(addr net.Addr) string {
	if cfg.origin != "" {
		return cfg.origin
	}
	if cfg.acmeDomain != "" {
		// The certificate authority checks the domain on port 443
		// (TLS-ALPN-01), so that is where devices reach it, whatever port
		// a container or a port forward maps to the listener.
		return "wss://" + cfg.acmeDomain
	}
	if cfg.useTLS() {
		return "wss://" + addr.String()
	}
	return "ws://" + addr.String()
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
	st, err := sqlite.Open(ctx, filepath.Join(cfg.dataDir, storeFile))
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
