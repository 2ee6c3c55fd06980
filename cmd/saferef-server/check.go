package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/postgres"
	"github.com/saferef/saferef/server/store/sqlite"
)

const checkUsage = `usage: saferef-server check --data DIR | --postgres DSN [--scheme SCHEME_FILE] [any serving flag]

Checks a configuration and a store without serving and without changing
anything: the flags, the scheme file, the log signing key, the TLS
certificate, the store's integrity and schema version, and (with --scheme)
that every directory entry verifies against the scheme. Safe to run while
the relay serves. Exit 0 when all is well, 1 when something must be fixed.

`

// checker prints one line per check and remembers the first failure.
type checker struct {
	out    io.Writer
	failed error
	hint   string
}

func (c *checker) ok(format string, args ...any) {
	fmt.Fprintf(c.out, "ok    "+format+"\n", args...)
}

func (c *checker) note(format string, args ...any) {
	fmt.Fprintf(c.out, "note  "+format+"\n", args...)
}

func (c *checker) fail(err error, hint string) {
	fmt.Fprintf(c.out, "FAIL  %v\n", err)
	if c.failed == nil {
		c.failed, c.hint = err, hint
	}
}

func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("saferef-server check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := serveFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, checkUsage); fs.PrintDefaults() }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.validate(false); err != nil {
		return err
	}
	c := &checker{out: stdout}
	c.ok("flags")

	var scheme *crypto.Scheme
	if cfg.schemeFile != "" {
		s, err := readScheme(cfg.schemeFile)
		if err != nil {
			c.fail(err, "pass the scheme.json your scheme coordinator gave you")
		} else {
			scheme = s
			c.ok("scheme %q, fingerprint %s", s.Name, s.Fingerprint())
		}
	} else {
		c.note("no --scheme: the directory is not checked against it")
	}
	if scheme != nil && (cfg.dataDir != "" || cfg.logKey != "") {
		checkLogKey(c, cfg, scheme)
	}
	checkTLS(c, cfg)
	checkStore(ctx, c, cfg, scheme)

	if c.failed != nil {
		return &hintedError{fmt.Errorf("check failed: %w", c.failed), c.hint}
	}
	fmt.Fprintln(stdout, "saferef-server: check passed")
	return nil
}

// checkLogKey reads the log signing key without creating it.
func checkLogKey(c *checker, cfg *config, scheme *crypto.Scheme) {
	path := cfg.logKeyPath()
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, iofs.ErrNotExist) && cfg.logKey == "":
		if scheme.LogKey != "" {
			c.fail(fmt.Errorf("no log signing key at %s, and the scheme pins one", path), "restore log-signing.key from your copy of it: a new key would make every device refuse this relay")
			return
		}
		c.note("no log signing key yet: the relay creates %s at first start (keep a copy of it)", path)
		return
	case err != nil:
		c.fail(fmt.Errorf("log signing key: %w", err), "pass --log-key with the key file every node shares")
		return
	case fi.Mode().Perm()&0o077 != 0:
		c.fail(fmt.Errorf("log signing key %s is readable by others (mode %v)", path, fi.Mode().Perm()), "chmod 600 "+path)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		c.fail(fmt.Errorf("log signing key: %w", err), "check the file's owner: it must be the relay's user")
		return
	}
	signer, vkey, err := translog.ParseSignerKey(string(b))
	switch {
	case err != nil:
		c.fail(fmt.Errorf("log signing key %s: %w", path, err), "restore log-signing.key from your copy of it")
	case signer.Name() != translog.Origin(scheme):
		c.fail(fmt.Errorf("log signing key %s is for log %q, not this scheme's %q", path, signer.Name(), translog.Origin(scheme)), "use the key made for this scheme's relay")
	case scheme.LogKey != "" && scheme.LogKey != vkey:
		c.fail(fmt.Errorf("the scheme pins log key %q but %s holds %q", scheme.LogKey, path, vkey), "restore the key the scheme names: devices would refuse this one")
	default:
		c.ok("log signing key %s", vkey)
	}
}

// checkTLS loads the certificate files, or looks at the ACME cache.
func checkTLS(c *checker, cfg *config) {
	now := time.Now()
	switch {
	case cfg.tlsCert != "":
		pair, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			c.fail(fmt.Errorf("TLS key pair: %w", err), "pass the PEM certificate chain and its private key")
			return
		}
		leaf, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			c.fail(fmt.Errorf("TLS certificate: %w", err), "pass the PEM certificate chain and its private key")
			return
		}
		if err := leafUsable(cfg, leaf, now); err != nil {
			c.fail(err, "renew the certificate, or let the relay do it with --acme-domain")
			return
		}
		c.ok("TLS certificate for %v, valid until %s", leaf.DNSNames, leaf.NotAfter.UTC().Format(time.DateOnly))
	case cfg.acmeDomain != "":
		dir := filepath.Join(cfg.dataDir, acmeCacheDir)
		if b, err := os.ReadFile(filepath.Join(dir, cfg.acmeDomain)); err == nil {
			if leaf := cachedLeaf(b); leaf != nil {
				c.ok("ACME certificate for %s cached, valid until %s (renewed automatically 30 days before)", cfg.acmeDomain, leaf.NotAfter.UTC().Format(time.DateOnly))
				return
			}
		}
		c.note("no ACME certificate cached in %s yet: the relay asks for one at the first TLS connection (port 443 must reach it)", dir)
	default:
		c.note("no TLS: plain ws:// on loopback (development, or behind a TLS reverse proxy)")
	}
}

// leafUsable checks a certificate's dates and, when the origin is known,
// its name.
func leafUsable(cfg *config, leaf *x509.Certificate, now time.Time) error {
	if now.After(leaf.NotAfter) {
		return fmt.Errorf("TLS certificate expired on %s", leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	if now.Before(leaf.NotBefore) {
		return fmt.Errorf("TLS certificate not valid until %s", leaf.NotBefore.UTC().Format(time.DateOnly))
	}
	if cfg.origin != "" {
		u, err := url.Parse(cfg.origin)
		if err == nil && u.Hostname() != "" {
			if err := leaf.VerifyHostname(u.Hostname()); err != nil {
				return fmt.Errorf("TLS certificate does not cover the origin %s: %w", cfg.origin, err)
			}
		}
	}
	return nil
}

// cachedLeaf parses the certificate in an autocert cache entry (private
// key PEM, then the chain).
func cachedLeaf(b []byte) *x509.Certificate {
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return nil
		}
		if block.Type == "CERTIFICATE" {
			leaf, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil
			}
			return leaf
		}
	}
}

// checkStore inspects the store without changing it, and with a scheme
// replays the directory against it.
func checkStore(ctx context.Context, c *checker, cfg *config, scheme *crypto.Scheme) {
	var version, current int
	var dirSize uint64
	var envelopes int64
	var err error
	if cfg.pgDSN != "" {
		var in *postgres.Inspection
		in, err = postgres.Inspect(ctx, cfg.pgDSN)
		current = postgres.SchemaVersion()
		if in != nil {
			version, dirSize, envelopes = in.SchemaVersion, in.Directory, in.Envelopes
		}
	} else {
		path := filepath.Join(cfg.dataDir, storeFile)
		if _, serr := os.Stat(path); errors.Is(serr, iofs.ErrNotExist) {
			c.note("no store yet in %s: the relay creates %s at first start", cfg.dataDir, storeFile)
			return
		}
		var in *sqlite.Inspection
		in, err = sqlite.Inspect(ctx, path)
		current = sqlite.SchemaVersion()
		if in != nil {
			version, dirSize, envelopes = in.SchemaVersion, in.Directory, in.Envelopes
		}
	}
	switch {
	case errors.Is(err, store.ErrSchemaNewer):
		c.fail(err, "install the saferef-server release that wrote this store (docs/OPERATIONS.md, \"Upgrade\")")
		return
	case err != nil:
		c.fail(fmt.Errorf("store: %w", err), "restore the newest backup (docs/OPERATIONS.md, \"Restore\")")
		return
	case version < current:
		c.note("store at schema version %d: the relay migrates it to %d at start (take a backup first)", version, current)
		return
	}
	c.ok("store %s at schema version %d: %d directory entries, %d envelopes waiting", storeKind(*cfg), version, dirSize, envelopes)
	if scheme == nil {
		return
	}
	var st store.Store
	if cfg.pgDSN != "" {
		st, err = postgres.Open(ctx, cfg.pgDSN) // at the current version: no migration
	} else {
		st, err = sqlite.Open(ctx, filepath.Join(cfg.dataDir, storeFile))
	}
	if err != nil {
		c.fail(fmt.Errorf("open store: %w", err), "see the error above")
		return
	}
	defer st.Close()
	dir := crypto.NewDirectory(scheme)
	var bad []uint64
	for next := uint64(0); ; {
		entries, err := st.Directory(ctx, next, 1000)
		if err != nil {
			c.fail(fmt.Errorf("read directory: %w", err), "restore the newest backup (docs/OPERATIONS.md, \"Restore\")")
			return
		}
		if len(entries) == 0 {
			break
		}
		for _, e := range entries {
			if _, err := dir.Add(e.Object, e.Added); err != nil {
				bad = append(bad, e.Index)
			}
			next = e.Index + 1
		}
	}
	if len(bad) > 0 {
		c.fail(fmt.Errorf("%d directory entries do not verify against the scheme (first: index %d)", len(bad), bad[0]),
			"is this the right --scheme file? if it is, the store was changed outside the relay: tell your scheme coordinator")
		return
	}
	c.ok("directory: all %d entries verify against the scheme", dirSize)
}
