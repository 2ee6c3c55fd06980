package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/saferef/saferef/internal/pgtest"
	"github.com/saferef/saferef/internal/schemetest"

	_ "modernc.org/sqlite"
)

// runningRelay is saferef-server's run() serving in a goroutine.
type runningRelay struct {
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
	once           sync.Once
}

// startRun runs the relay with args until the test ends, waiting for its
// "listening on" line.
func startRun(t *testing.T, args ...string) *runningRelay {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningRelay{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() { r.done <- run(ctx, args, r.stdout, r.stderr) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(r.stdout.String(), "listening on") {
		select {
		case code := <-r.done:
			t.Fatalf("relay exited %d at start:\n%s", code, r.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("relay did not start:\n%s", r.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(r.stop)
	return r
}

func (r *runningRelay) stop() {
	r.once.Do(func() {
		r.cancel()
		select {
		case <-r.done:
		case <-time.After(20 * time.Second):
		}
	})
}

// addr returns the address printed after prefix on the relay's stdout.
func (r *runningRelay) addr(t *testing.T, prefix string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(prefix) + `([^\s]+)`).FindStringSubmatch(r.stdout.String())
	if m == nil {
		t.Fatalf("stdout lacks %q:\n%s", prefix, r.stdout.String())
	}
	return m[1]
}

func httpGet(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAdminListenerSeparatesMetrics runs the relay as the systemd unit
// does, with --admin-listen, and checks that /metrics is served there and
// not on the public port.
func TestAdminListenerSeparatesMetrics(t *testing.T) {
	r := startRun(t, "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--scheme", schemetest.File(t))
	public := "http://" + strings.TrimPrefix(r.addr(t, "listening on "), "ws://")
	admin := r.addr(t, "metrics and health on ")
	if code, body := httpGet(t, http.DefaultClient, public+"/metrics"); code != http.StatusNotFound || strings.Contains(body, "saferef_") {
		t.Errorf("public /metrics: %d %q", code, body)
	}
	if code, body := httpGet(t, http.DefaultClient, public+"/healthz"); code != http.StatusOK {
		t.Errorf("public /healthz: %d %q", code, body)
	}
	if code, body := httpGet(t, http.DefaultClient, admin+"/metrics"); code != http.StatusOK || !strings.Contains(body, "saferef_relay_connections_total") {
		t.Errorf("admin /metrics: %d\n%s", code, body)
	}
	if code, body := httpGet(t, http.DefaultClient, admin+"/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("admin /healthz: %d %q", code, body)
	}
	if code, _ := httpGet(t, http.DefaultClient, admin+"/v1/connect"); code != http.StatusNotFound {
		t.Errorf("admin listener serves the websocket endpoint: %d", code)
	}
}

func TestServeFlagErrors(t *testing.T) {
	scheme := schemetest.File(t)
	data := t.TempDir()
	cert, key, _ := selfSigned(t)
	base := []string{"--data", data, "--scheme", scheme}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--acme-domain", "relay.example.org"}, "--acme-domain needs --acme-email"},
		{[]string{"--acme-domain", "relay.example.org", "--acme-email", "not an address"}, "is not an email address"},
		{[]string{"--acme-domain", "https://relay.example.org", "--acme-email", "it@example.org"}, "is not a domain name"},
		{[]string{"--acme-domain", "relay.example.org:443", "--acme-email", "it@example.org"}, "is not a domain name"},
		{[]string{"--acme-domain", "192.0.2.1", "--acme-email", "it@example.org"}, "is not a domain name"},
		{[]string{"--acme-domain", "*.example.org", "--acme-email", "it@example.org"}, "is not a domain name"},
		{[]string{"--acme-domain", "relay.example.org", "--acme-email", "it@example.org", "--tls-cert", cert, "--tls-key", key}, "are alternatives"},
		{[]string{"--acme-email", "it@example.org"}, "need --acme-domain"},
		{[]string{"--acme-domain", "relay.example.org", "--acme-email", "it@example.org", "--acme-directory", "http://ca.example/dir"}, "not an https URL"},
		{[]string{"--admin-listen", "9090"}, "--admin-listen"},
		{[]string{"--listen", "127.0.0.1:8443", "--admin-listen", "127.0.0.1:8443"}, "same address"},
		{[]string{"extra"}, "unknown command"},
		{[]string{"--dat", "x"}, "unknown flag --dat"},
		{[]string{"--listen"}, "--listen needs a value"},
	} {
		var stdout, stderr bytes.Buffer
		args := append(slices.Clone(base), tc.args...)
		if tc.args[0] == "extra" {
			args = tc.args
		}
		if code := run(context.Background(), args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		if !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), "saferef-server: hint:") {
			t.Errorf("%v: stderr %q lacks %q and a hint", tc.args, stderr.String(), tc.want)
		}
		if strings.Contains(stderr.String(), "usage:") {
			t.Errorf("%v: a mistake printed the whole usage: %q", tc.args, stderr.String())
		}
	}
	// ACME without --data (PostgreSQL only) has nowhere to cache.
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--scheme", scheme, "--postgres", "postgres://x", "--log-key", "k", "--acme-domain", "relay.example.org", "--acme-email", "it@example.org"}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "needs --data") {
		t.Errorf("ACME without --data: exit %d, %q", code, stderr.String())
	}
}

// TestACMETLSConfig checks the wiring of --acme-domain: TLS 1.3 only, the
// TLS-ALPN-01 protocol offered, no HTTP/2, a 0700 cache in DATA/acme, and
// certificates refused for any other host name.
func TestACMETLSConfig(t *testing.T) {
	data := t.TempDir()
	cfg := &config{dataDir: data, acmeDomain: "relay.example.org", acmeEmail: "it@example.org", listen: "0.0.0.0:443", logLevel: "info"}
	if err := cfg.validate(false); err != nil {
		t.Fatalf("validate: %v", err)
	}
	c, err := cfg.tlsConfig(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if c.MinVersion != tls.VersionTLS13 || c.GetCertificate == nil || !slices.Contains(c.NextProtos, acme.ALPNProto) || slices.Contains(c.NextProtos, "h2") {
		t.Fatalf("TLS config: min %x, GetCertificate %v, NextProtos %v", c.MinVersion, c.GetCertificate != nil, c.NextProtos)
	}
	fi, err := os.Stat(filepath.Join(data, acmeCacheDir))
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("ACME cache dir: %v, %v; want a 0700 directory", fi, err)
	}
	// The host policy refuses other names before any network use.
	if _, err := c.GetCertificate(&tls.ClientHelloInfo{ServerName: "attacker.example"}); err == nil || !strings.Contains(err.Error(), "HostWhitelist") {
		t.Fatalf("certificate for another host: %v", err)
	}
	if got := cfg.publicOrigin(fakeAddr("[::]:443")); got != "wss://relay.example.org" {
		t.Errorf("origin on 443: %q", got)
	}
	if got := cfg.publicOrigin(fakeAddr("[::]:8443")); got != "wss://relay.example.org" {
		t.Errorf("origin on 8443 (port 443 forwarded to it): %q", got)
	}
}

type fakeAddr string

func (a fakeAddr) Network() string { return "tcp" }
func (a fakeAddr) String() string  { return string(a) }

// TestACMEServesCachedCertificate starts the relay with --acme-domain and
// a certificate already in its ACME cache (as after a first issuance), and
// checks that a device dialling the domain gets it over TLS 1.3, with no
// network access to a certificate authority.
func TestACMEServesCachedCertificate(t *testing.T) {
	data := t.TempDir()
	const domain = "relay.example.org"
	pool := seedACMECache(t, filepath.Join(data, acmeCacheDir), domain)
	r := startRun(t, "--data", data, "--listen", "127.0.0.1:0", "--scheme", schemetest.File(t),
		"--acme-domain", domain, "--acme-email", "it@example.org")
	if origin := r.addr(t, "listening on "); origin != "wss://"+domain {
		t.Fatalf("origin %q, want wss://%s", origin, domain)
	}
	port := listenPort(t, r.stderr.String())
	conn, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{ServerName: domain, RootCAs: pool, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatalf("TLS to the relay as %s: %v\n%s", domain, err, r.stderr.String())
	}
	st := conn.ConnectionState()
	conn.Close()
	if st.Version != tls.VersionTLS13 || st.PeerCertificates[0].Subject.CommonName != domain {
		t.Fatalf("TLS %x with certificate %q", st.Version, st.PeerCertificates[0].Subject.CommonName)
	}
	if _, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{ServerName: "other.example.org", InsecureSkipVerify: true}); err == nil {
		t.Fatal("relay completed a handshake for a name it was not given")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{ServerName: domain, RootCAs: pool}}}
	if code, _ := httpGet(t, client, "https://127.0.0.1:"+port+"/healthz"); code != http.StatusOK {
		t.Fatalf("healthz over ACME TLS: %d", code)
	}
}

// seedACMECache writes a self-signed certificate for domain into an
// autocert cache directory, in autocert's format (EC private key, then the
// chain), and returns a pool trusting it.
func seedACMECache(t *testing.T, dir, domain string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: domain},
		DNSNames:     []string{domain},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	pem.Encode(&b, &pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, domain), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// TestRestoreRefusedWhileServing checks that restore will not swap the
// store under a running relay, and that backup works while it runs.
func TestRestoreRefusedWhileServing(t *testing.T) {
	data := t.TempDir()
	startRun(t, "--data", data, "--listen", "127.0.0.1:0", "--scheme", schemetest.File(t))
	out := filepath.Join(t.TempDir(), "snapshot.db")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"backup", "--data", data, "--out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("backup while serving: exit %d\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "backup written to "+out+": schema version 1") {
		t.Errorf("backup output: %q", stdout.String())
	}
	stdout.Reset()
	stderr.Reset()
	code := run(context.Background(), []string{"restore", "--data", data, "--from", out}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "another saferef-server is using") || !strings.Contains(stderr.String(), "hint: stop it first") {
		t.Fatalf("restore while serving: exit %d\n%s", code, stderr.String())
	}
	// A second relay on the same data directory is refused the same way.
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"--data", data, "--listen", "127.0.0.1:0", "--scheme", schemetest.File(t)}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "another saferef-server is using") {
		t.Fatalf("second relay on one data directory: exit %d\n%s", code, stderr.String())
	}
}

func TestBackupRestoreUsage(t *testing.T) {
	data := t.TempDir()
	existing := filepath.Join(t.TempDir(), "exists.db")
	os.WriteFile(existing, []byte("x"), 0o600)
	garbage := filepath.Join(t.TempDir(), "garbage.db")
	os.WriteFile(garbage, bytes.Repeat([]byte("not a database "), 1000), 0o600)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"backup", "--out", "x.db"}, 2, "--data is required"},
		{[]string{"backup", "--data", data}, 2, "--out is required"},
		{[]string{"backup", "--data", data, "--out", existing}, 2, "already exists"},
		{[]string{"backup", "--data", data, "--out", filepath.Join(data, "new.db")}, 1, "no relay store in"},
		{[]string{"backup", "--postgres", "postgres://x", "--out", "x.db"}, 2, "pg_basebackup"},
		{[]string{"restore", "--data", data}, 2, "--from is required"},
		{[]string{"restore", "--data", data, "--from", existing}, 1, "is not a relay store"},
		{[]string{"restore", "--data", data, "--from", garbage}, 1, "cannot be restored"},
		{[]string{"check"}, 2, "--data is required"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tc.args, &stdout, &stderr); code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s", tc.args, code, tc.code, stderr.String())
		}
		if !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), "saferef-server: hint:") {
			t.Errorf("%v: stderr %q lacks %q and a hint", tc.args, stderr.String(), tc.want)
		}
		if strings.Contains(stderr.String(), "usage:") {
			t.Errorf("%v: a mistake printed the whole usage: %q", tc.args, stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(data, storeFile)); err == nil {
		t.Error("a refused command created a store")
	}
}

// TestCheckCommand runs check on a data directory before the first start,
// after it, on a store from a newer release, against the wrong scheme, and
// on PostgreSQL.
func TestCheckCommand(t *testing.T) {
	scheme := schemetest.File(t)
	data := t.TempDir()
	check := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"check"}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	code, out, errOut := check("--data", data, "--scheme", scheme)
	if code != 0 || !strings.Contains(out, "note  no store yet") || !strings.Contains(out, "note  no log signing key yet") || !strings.Contains(out, "check passed") {
		t.Fatalf("check of a new data directory: %d\n%s%s", code, out, errOut)
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Fatalf("check wrote to the data directory: %v", entries)
	}
	r := startRun(t, "--data", data, "--listen", "127.0.0.1:0", "--scheme", scheme)
	code, out, errOut = check("--data", data, "--scheme", scheme)
	if code != 0 || !strings.Contains(out, "ok    store sqlite at schema version 1") || !strings.Contains(out, "ok    log signing key") ||
		!strings.Contains(out, "ok    directory: all") {
		t.Fatalf("check of a serving relay: %d\n%s%s", code, out, errOut)
	}
	r.stop()
	// Another scheme: the log key is for another log.
	code, out, errOut = check("--data", data, "--scheme", schemetest.File(t))
	if code != 1 || !strings.Contains(out, "FAIL  log signing key") || !strings.Contains(errOut, "hint:") {
		t.Fatalf("check against another scheme: %d\n%s%s", code, out, errOut)
	}
	// A store from a newer release.
	db, err := sql.Open("sqlite", filepath.Join(data, storeFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errOut = check("--data", data)
	if code != 1 || !strings.Contains(out, "schema version 99") || !strings.Contains(errOut, "hint: install the saferef-server release that wrote this store") {
		t.Fatalf("check of a newer store: %d\n%s%s", code, out, errOut)
	}
	// The relay refuses it too, with the same advice.
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--data", data, "--listen", "127.0.0.1:0", "--scheme", scheme}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "newer release") || !strings.Contains(stderr.String(), "hint: install the saferef-server release") {
		t.Fatalf("serve on a newer store: %d\n%s", code, stderr.String())
	}
	// PostgreSQL.
	code, out, errOut = check("--postgres", pgtest.DSN(t))
	if code != 0 || !strings.Contains(out, "store postgres") && !strings.Contains(out, "note  store at schema version") {
		t.Fatalf("check on PostgreSQL: %d\n%s%s", code, out, errOut)
	}
}

// listenPort finds the port the relay bound from its "relay listening" log
// line's listen address.
func listenPort(t *testing.T, logs string) string {
	t.Helper()
	m := regexp.MustCompile(`"listen":"[^"]*:(\d+)"`).FindStringSubmatch(logs)
	if m == nil {
		t.Fatalf("no listen address logged:\n%s", logs)
	}
	return m[1]
}
