package deploy_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"debug/elf"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/protocol"
)

// tool finds a program the deploy checks need. It never skips: `make
// sysdeps` installs every one of them (docs/OPERATIONS.md).
func tool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "../bin/tools"} {
		p, _ := filepath.Abs(filepath.Join(dir, name))
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	t.Fatalf("%s not found; run 'make sysdeps' (it installs what the tests need)", name)
	return ""
}

var (
	buildOnce sync.Once
	relayBin  string
	buildErr  error
)

// relayBinary builds saferef-server as the Containerfile does (static,
// CGO_ENABLED=0) once per test run.
func relayBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "saferef-deploy-bin")
		if err != nil {
			buildErr = err
			return
		}
		relayBin = filepath.Join(dir, "saferef-server")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s", "-o", relayBin, "../cmd/saferef-server")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build saferef-server: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return relayBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if relayBin != "" {
		os.RemoveAll(filepath.Dir(relayBin))
	}
	os.Exit(code)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// runCheck runs `saferef-server check` with the flags args, with the data
// directory and scheme file swapped for test ones, and fails unless it
// passes.
func runCheck(t *testing.T, args []string) string {
	t.Helper()
	data, scheme := t.TempDir(), schemetest.File(t)
	for i, a := range args {
		switch {
		case a == "/etc/saferef/scheme.json":
			args[i] = scheme
		case a == "${STATE_DIRECTORY}" || a == "/var/lib/saferef":
			args[i] = data
		}
	}
	out, err := exec.Command(relayBinary(t), append([]string{"check"}, args...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "check passed") {
		t.Fatalf("saferef-server check %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// unitValues returns every value of key in a unit file.
func unitValues(unit, key string) []string {
	var vs []string
	for _, line := range strings.Split(unit, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			vs = append(vs, v)
		}
	}
	return vs
}

// TestSystemdUnit checks deploy/saferef-server.service with systemd's own
// verifier and security review, that it carries the hardening the runbook
// promises, and that its command lines are ones saferef-server accepts.
func TestSystemdUnit(t *testing.T) {
	unit := readFile(t, "saferef-server.service")
	for key, want := range map[string]string{
		"DynamicUser": "yes", "User": "saferef", "ProtectSystem": "strict", "NoNewPrivileges": "yes",
		"StateDirectory": "saferef", "StateDirectoryMode": "0700", "Restart": "on-failure", "ProtectHome": "yes",
		"PrivateTmp": "yes", "UMask": "0077", "CapabilityBoundingSet": "CAP_NET_BIND_SERVICE",
	} {
		if got := unitValues(unit, key); len(got) != 1 || got[0] != want {
			t.Errorf("%s=%v, want %s", key, got, want)
		}
	}
	// systemd-analyze verify needs the binary at the ExecStart path.
	dir := t.TempDir()
	bin := filepath.Join(dir, "saferef-server")
	if err := os.Link(relayBinary(t), bin); err != nil {
		b, _ := os.ReadFile(relayBinary(t))
		if err := os.WriteFile(bin, b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	unitPath := filepath.Join(dir, "saferef-server.service")
	if err := os.WriteFile(unitPath, []byte(strings.ReplaceAll(unit, "/usr/local/bin/saferef-server", bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	analyze := tool(t, "systemd-analyze")
	out, err := exec.Command(analyze, "verify", unitPath).CombinedOutput()
	if err != nil || strings.Contains(string(out), "saferef-server.service:") {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err = exec.Command(analyze, "security", "--offline=true", "--no-pager", unitPath).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for saferef-server.service: ([0-9.]+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	if level, _ := strconv.ParseFloat(m[1], 64); level > 2.0 {
		t.Fatalf("exposure level %s, want at most 2.0 (systemd's \"OK\" band):\n%s", m[1], out)
	}
	// The unit's command lines are accepted by saferef-server itself.
	for _, key := range []string{"ExecStartPre", "ExecStart"} {
		v := unitValues(unit, key)
		if len(v) != 1 {
			t.Fatalf("%s: %v", key, v)
		}
		args := strings.Fields(v[0])[1:]
		if args[0] == "check" {
			args = args[1:]
		}
		runCheck(t, args)
	}
}

// TestContainerfile parses deploy/Containerfile: a distroless or scratch
// final stage running as a non-root user, an ENTRYPOINT the binary
// accepts, and a build stage whose command, run here, gives a static
// binary.
func TestContainerfile(t *testing.T) {
	text := readFile(t, "Containerfile")
	type instr struct{ op, arg string }
	var stages [][]instr
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(text, "\\\n", " ")))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		op, arg, _ := strings.Cut(line, " ")
		op = strings.ToUpper(op)
		switch op {
		case "FROM", "WORKDIR", "ENV", "COPY", "RUN", "USER", "VOLUME", "EXPOSE", "ENTRYPOINT", "CMD", "ARG", "LABEL":
		default:
			t.Fatalf("unknown instruction %q", line)
		}
		if op == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("%s before FROM", op)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], instr{op, strings.TrimSpace(arg)})
	}
	if len(stages) != 2 {
		t.Fatalf("%d stages, want build and final", len(stages))
	}
	final := stages[1]
	if base := final[0].arg; !strings.Contains(base, "distroless/static") && base != "scratch" {
		t.Errorf("final image %q is neither distroless static nor scratch", base)
	}
	var user, entry string
	for _, in := range final {
		switch in.op {
		case "USER":
			user = in.arg
		case "ENTRYPOINT":
			entry = in.arg
		case "RUN":
			t.Errorf("RUN in the final stage (it has no shell): %s", in.arg)
		}
	}
	if u, _, _ := strings.Cut(user, ":"); u == "" || u == "0" || u == "root" {
		t.Errorf("final stage runs as %q, want a non-root user", user)
	}
	var argv []string
	if err := json.Unmarshal([]byte(entry), &argv); err != nil || len(argv) < 2 {
		t.Fatalf("ENTRYPOINT %q is not an exec-form JSON array: %v", entry, err)
	}
	// The documented run adds the ACME flags to the entrypoint's.
	runCheck(t, append(argv[1:], "--acme-domain", "relay.example.org", "--acme-email", "it-ops@example.org"))

	// Run the build stage's go build, writing to a temporary directory.
	var build string
	for _, in := range stages[0] {
		if in.op == "RUN" && strings.Contains(in.arg, "go build") {
			build = in.arg
		}
	}
	if !strings.Contains(build, "CGO_ENABLED=0") || !strings.Contains(build, "./cmd/saferef-server") {
		t.Fatalf("build stage's go build %q is not a static build of ./cmd/saferef-server", build)
	}
	out := t.TempDir()
	cmd := exec.Command("sh", "-c", strings.ReplaceAll(build, "/out/", out+"/"))
	cmd.Dir = ".."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, b)
	}
	f, err := elf.Open(filepath.Join(out, "saferef-server"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("the binary is dynamically linked (%v): it would not run on %s", p.Type, final[0].arg)
		}
	}
}

// TestPrometheusRules runs promtool over deploy/prometheus-rules.yml: the
// syntax check and the unit tests in prometheus-rules.test.yml, which make
// each alert fire on the series that should raise it.
func TestPrometheusRules(t *testing.T) {
	promtool := tool(t, "promtool")
	for _, args := range [][]string{{"check", "rules", "prometheus-rules.yml"}, {"test", "rules", "prometheus-rules.test.yml"}} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "SUCCESS") {
			t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	rules := readFile(t, "prometheus-rules.yml")
	for _, alert := range []string{"SaferefRelayDown", "SaferefStorageNearFull", "SaferefWitnessCheckpointsStale", "SaferefDeliveryBacklogGrowing", "SaferefConnectionDrops"} {
		if !strings.Contains(rules, "alert: "+alert+"\n") {
			t.Errorf("no %s rule", alert)
		}
	}
}

// relayProc is a saferef-server child process.
type relayProc struct {
	listen, admin string
	cmd           *exec.Cmd
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startRelay runs the static relay on loopback, as behind a proxy.
func startRelay(t *testing.T, extra ...string) *relayProc {
	t.Helper()
	r := &relayProc{listen: freePort(t)}
	args := append([]string{"--data", t.TempDir(), "--scheme", schemetest.File(t), "--listen", r.listen, "--admin-listen", "127.0.0.1:0"}, extra...)
	r.cmd = exec.Command(relayBinary(t), args...)
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.cmd.Process.Signal(os.Interrupt)
		r.cmd.Wait()
	})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "saferef-server: metrics and health on "); ok {
				r.admin = a
			}
			if strings.Contains(sc.Text(), "listening on") {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("relay did not start")
	}
	return r
}

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestNginxSnippetProxiesRelay runs the real nginx with
// deploy/nginx/saferef-site.conf (ports and certificate paths changed for
// the test) and saferef-locations.conf in front of a relay, and checks
// that a device's websocket reaches the relay through it, that /healthz
// does, that /metrics does not, and that nginx logs no client address.
func TestNginxSnippetProxiesRelay(t *testing.T) {
	nginx := tool(t, "nginx")
	const domain = "relay.example.org"
	r := startRelay(t, "--origin", "wss://"+domain)
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir, domain)
	port := freePort(t)
	site := readFile(t, "nginx/saferef-site.conf")
	locations, err := filepath.Abs("nginx/saferef-locations.conf")
	if err != nil {
		t.Fatal(err)
	}
	for old, repl := range map[string]string{
		"listen 443 ssl;":        "listen " + port + " ssl;",
		"listen [::]:443 ssl;":   "",
		"server 127.0.0.1:8443;": "server " + r.listen + ";",
		"/etc/letsencrypt/live/relay.example.org/fullchain.pem": certFile,
		"/etc/letsencrypt/live/relay.example.org/privkey.pem":   keyFile,
		"/etc/nginx/snippets/saferef-locations.conf":            locations,
	} {
		if !strings.Contains(site, old) {
			t.Fatalf("saferef-site.conf lacks %q", old)
		}
		site = strings.ReplaceAll(site, old, repl)
	}
	accessLog := filepath.Join(dir, "access.log")
	conf := fmt.Sprintf(`user root;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events {}
http {
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    access_log %[2]s;
%[3]s
}
`, dir, accessLog, site)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(nginx, "-t", "-p", dir, "-c", confPath).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, nginx, "-p", dir, "-c", confPath, "-g", "daemon off;")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })

	tlsConf := &tls.Config{ServerName: domain, RootCAs: pool}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConf}}
	base := "https://" + port
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not come up: %v\n%s", err, readFile(t, filepath.Join(dir, "error.log")))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, body := get(t, client, base+"/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz through nginx: %d %q", code, body)
	}
	for _, path := range []string{"/metrics", "/", "/debug/pprof/"} {
		if code, body := get(t, client, base+path); code != http.StatusNotFound || strings.Contains(body, "saferef_relay") {
			t.Errorf("%s through nginx: %d", path, code)
		}
	}
	// A device's websocket: the relay's first frame names its public origin.
	d := websocket.Dialer{TLSClientConfig: tlsConf, HandshakeTimeout: 10 * time.Second}
	ws, _, err := d.Dial("wss://"+port+"/v1/connect", nil)
	if err != nil {
		t.Fatalf("websocket through nginx: %v\n%s", err, readFile(t, filepath.Join(dir, "error.log")))
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	kind, msg, err := ws.ReadMessage()
	if err != nil || kind != websocket.BinaryMessage {
		t.Fatalf("first frame through nginx: %v, %v", kind, err)
	}
	f, err := protocol.Decode(msg)
	if err != nil {
		t.Fatal(err)
	}
	hello, ok := f.(*protocol.ServerHello)
	if !ok || hello.Origin != "wss://"+domain {
		t.Fatalf("first frame %T %+v, want a ServerHello for wss://%s", f, f, domain)
	}
	// Still open after a round trip: the upgrade held.
	if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second)); err != nil {
		t.Fatalf("ping through nginx: %v", err)
	}
	if b, err := os.ReadFile(accessLog); err == nil && len(b) > 0 {
		t.Errorf("nginx logged requests (client addresses):\n%s", b)
	}
	// The relay's metrics are where the runbook says, not behind nginx.
	if code, body := get(t, http.DefaultClient, r.admin+"/metrics"); code != http.StatusOK || !strings.Contains(body, "saferef_relay_connections_total") {
		t.Errorf("admin /metrics: %d", code)
	}
}

// TestRulesAndRunbookNameRealMetrics checks that every saferef_ series the
// alert rules use is one the relay exports (or, for the witness age, one
// it exports once a checkpoint is witnessed), and that docs/OPERATIONS.md
// describes every series the relay exports.
func TestRulesAndRunbookNameRealMetrics(t *testing.T) {
	r := startRelay(t)
	_, scrape := get(t, http.DefaultClient, r.admin+"/metrics")
	exported := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^# TYPE (saferef_[a-z_]+) `).FindAllStringSubmatch(scrape, -1) {
		exported[m[1]] = true
	}
	if len(exported) < 8 {
		t.Fatalf("only %d saferef series exported:\n%s", len(exported), scrape)
	}
	// Series with labels appear once a label value is seen, and the
	// witness age once a checkpoint is witnessed: take those from the
	// relay's source, where every series is defined with a quoted name.
	sources, _ := filepath.Glob("../server/*.go")
	for _, src := range sources {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		for _, m := range regexp.MustCompile(`"(saferef_[a-z_]+)"`).FindAllStringSubmatch(readFile(t, src), -1) {
			exported[m[1]] = true
		}
	}
	if !exported["saferef_witness_checkpoint_age_seconds"] {
		t.Fatal("the relay no longer defines saferef_witness_checkpoint_age_seconds, which the rules use")
	}
	for _, m := range regexp.MustCompile(`saferef_[a-z_]+`).FindAllString(readFile(t, "prometheus-rules.yml"), -1) {
		if !exported[m] && m != "saferef_relay" {
			t.Errorf("prometheus-rules.yml uses %s, which the relay does not export", m)
		}
	}
	runbook := readFile(t, "../docs/OPERATIONS.md")
	for name := range exported {
		if !strings.Contains(runbook, "`"+name+"`") {
			t.Errorf("docs/OPERATIONS.md does not describe %s", name)
		}
	}
}

// selfSigned writes a certificate for domain and its key into dir.
func selfSigned(t *testing.T, dir, domain string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: domain},
		DNSNames:     []string{domain},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
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
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
