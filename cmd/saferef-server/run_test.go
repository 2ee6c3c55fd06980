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
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saferef/saferef/internal/schemetest"
)

func TestRefusesPlainWebsocketOffLoopback(t *testing.T) {
	scheme := schemetest.File(t)
	for _, listen := range []string{"0.0.0.0:0", ":8443", "192.0.2.10:8443", "[::]:0"} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"--data", t.TempDir(), "--listen", listen, "--scheme", scheme}, &stdout, &stderr)
		if code != 2 {
			t.Errorf("--listen %s without TLS: exit %d, want 2", listen, code)
		}
		if !strings.Contains(stderr.String(), "requires TLS") || !strings.Contains(stderr.String(), "hint: pass --tls-cert and --tls-key") {
			t.Errorf("--listen %s: stderr lacks the reason and hint:\n%s", listen, stderr.String())
		}
	}
}

func TestUsageErrors(t *testing.T) {
	scheme := schemetest.File(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", t.TempDir()}, "--scheme is required"},
		{[]string{"--scheme", scheme}, "--data is required"},
		{[]string{"--data", t.TempDir(), "--scheme", scheme, "--tls-cert", "x"}, "go together"},
		{[]string{"--data", t.TempDir(), "--scheme", scheme, "--listen", "nonsense"}, "--listen"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tc.args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		if !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), "saferef-server: hint:") {
			t.Errorf("%v: stderr %q lacks %q and a hint", tc.args, stderr.String(), tc.want)
		}
	}
}

// TestServesTLS starts the relay with a certificate on a loopback address
// and checks it speaks TLS 1.3 (and not plain HTTP), then shuts it down with
// its context as SIGTERM would.
func TestServesTLS(t *testing.T) {
	scheme := schemetest.File(t)
	certFile, keyFile, pool := selfSigned(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--data", t.TempDir(), "--listen", addr, "--scheme", scheme, "--tls-cert", certFile, "--tls-key", keyFile}, &stdout, &stderr)
	}()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var resp *http.Response
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err = client.Get("https://" + addr + "/healthz")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("https healthz: %v\n%s", err, stderr.String())
	}
	resp.Body.Close()
	if resp.TLS == nil || resp.TLS.Version != tls.VersionTLS13 {
		t.Fatalf("not TLS 1.3: %+v", resp.TLS)
	}
	if !strings.Contains(stdout.String(), "listening on wss://"+addr) {
		t.Errorf("stdout %q does not announce the wss origin", stdout.String())
	}
	if plain, err := http.Get("http://" + addr + "/healthz"); err == nil && plain.StatusCode == 200 {
		plain.Body.Close()
		t.Error("relay with TLS also answered plain HTTP")
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after shutdown:\n%s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("relay did not shut down")
	}
	if !strings.Contains(stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop logged:\n%s", stderr.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "relay.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
