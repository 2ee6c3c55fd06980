package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// acmeCacheDir is where ACME account keys and certificates are cached,
// inside the data directory (mode 0700, files 0600: they hold private keys).
const acmeCacheDir = "acme"

// dnsName is what --acme-domain accepts: a lowercase DNS name with at
// least one dot, no port, no scheme, no wildcard.
var dnsName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)

func (cfg *config) validateACME() error {
	if cfg.acmeDomain == "" {
		if cfg.acmeEmail != "" || cfg.acmeDirectory != "" {
			return &usageError{"--acme-email and --acme-directory need --acme-domain", "pass the relay's public domain name, e.g. --acme-domain relay.example.org"}
		}
		return nil
	}
	if cfg.tlsCert != "" {
		return &usageError{"--acme-domain and --tls-cert are alternatives", "let ACME obtain the certificate, or give your own, not both"}
	}
	if !dnsName.MatchString(cfg.acmeDomain) || net.ParseIP(cfg.acmeDomain) != nil {
		return &usageError{fmt.Sprintf("--acme-domain %q is not a domain name", cfg.acmeDomain), "give the relay's public DNS name alone, e.g. relay.example.org (no scheme, port or path)"}
	}
	if cfg.acmeEmail == "" {
		return &usageError{"--acme-domain needs --acme-email", "give an address that reads certificate expiry warnings, e.g. --acme-email it-ops@example.org"}
	}
	if a, err := mail.ParseAddress(cfg.acmeEmail); err != nil || a.Address != cfg.acmeEmail {
		return &usageError{fmt.Sprintf("--acme-email %q is not an email address", cfg.acmeEmail), "give a plain address, e.g. it-ops@example.org"}
	}
	if cfg.dataDir == "" {
		return &usageError{"--acme-domain needs --data for its certificate cache", "pass --data; certificates are cached in DATA/acme so that restarts do not ask for new ones"}
	}
	if cfg.acmeDirectory != "" {
		if u, err := url.Parse(cfg.acmeDirectory); err != nil || u.Scheme != "https" || u.Host == "" {
			return &usageError{fmt.Sprintf("--acme-directory %q is not an https URL", cfg.acmeDirectory), "e.g. https://acme-staging-v02.api.letsencrypt.org/directory"}
		}
	}
	return nil
}

func (cfg *config) tlsKind() string {
	switch {
	case cfg.acmeDomain != "":
		return "acme"
	case cfg.tlsCert != "":
		return "files"
	default:
		return "none"
	}
}

// acmeManager returns the autocert manager for --acme-domain, creating
// its cache directory (0700) so that a permission problem shows at start,
// not at the first renewal.
func (cfg *config) acmeManager() (*autocert.Manager, error) {
	dir := filepath.Join(cfg.dataDir, acmeCacheDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create ACME certificate cache: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ACME certificate cache: %w", err)
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(dir),
		HostPolicy: autocert.HostWhitelist(cfg.acmeDomain),
		Email:      cfg.acmeEmail,
	}
	if cfg.acmeDirectory != "" {
		m.Client = &acme.Client{DirectoryURL: cfg.acmeDirectory}
	}
	return m, nil
}

// tlsConfig returns the public listener's TLS configuration (TLS 1.3
// only), or nil for plain ws:// on loopback. With --acme-domain,
// certificates come from the ACME manager, answering the TLS-ALPN-01
// challenge on the same port; with --tls-cert, from the files, read once
// at start (restart after renewing them).
func (cfg *config) tlsConfig(logger *slog.Logger) (*tls.Config, error) {
	switch {
	case cfg.acmeDomain != "":
		m, err := cfg.acmeManager()
		if err != nil {
			return nil, err
		}
		c := m.TLSConfig()
		c.MinVersion = tls.VersionTLS13
		// Websockets are HTTP/1.1; leave HTTP/2 off, as with --tls-cert.
		c.NextProtos = []string{"http/1.1", acme.ALPNProto}
		logger.Info("TLS certificates by ACME", "domain", cfg.acmeDomain, "cache", filepath.Join(cfg.dataDir, acmeCacheDir))
		return c, nil
	case cfg.tlsCert != "":
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("load TLS key pair: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}, nil
	}
	return nil, nil
}
