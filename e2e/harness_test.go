// Package e2e drives the real binaries — saferef-server, saferef-admin and
// saferef — over real websockets on loopback, as an operator and two
// caseworkers would.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bin is the directory holding the freshly built binaries.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "saferef-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The saferef_testvault tag keeps SAFEREF_VAULT_WORK_FACTOR working in
	// these binaries (release builds ignore it: TestReleaseIgnoresWorkFactorHook).
	build := exec.Command("go", "build", "-tags", "saferef_testvault", "-o", dir+string(os.PathSeparator), "../cmd/saferef-server", "../cmd/saferef-admin", "../cmd/saferef")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build binaries:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	bin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testEnv is what every command runs with: scripted passphrases and a low
// vault work factor so that the tests are quick (real vaults use 18).
func testEnv(passphrase string) []string {
	env := []string{"SAFEREF_PASSPHRASE=" + passphrase, "SAFEREF_VAULT_WORK_FACTOR=10", "LANG=en_GB.UTF-8"}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "TMPDIR=") {
			env = append(env, kv)
		}
	}
	return env
}

// cli runs one command to completion and returns its stdout, failing the
// test (with stderr shown) if it does not exit 0.
func cli(t *testing.T, passphrase, name string, args ...string) string {
	t.Helper()
	out, errOut, err := tryCLI(passphrase, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, out, errOut)
	}
	return out
}

func tryCLI(passphrase, name string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, name), args...)
	cmd.Env = testEnv(passphrase)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// lastLine returns the last non-empty line of s, trimmed.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// relayProcess is a saferef-server child process.
type relayProcess struct {
	t       *testing.T
	cmd     *exec.Cmd
	data    string
	scheme  string
	listen  string
	url     string
	admin   string // http://ADDR of the admin listener (metrics)
	logs    *lockedBuffer
	exited  chan struct{}
	waitErr error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// freePort returns a loopback address with a port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startRelay starts saferef-server and waits until it is listening.
func startRelay(t *testing.T, data, scheme, listen string, extra ...string) *relayProcess {
	t.Helper()
	r := &relayProcess{t: t, data: data, scheme: scheme, listen: listen, url: "ws://" + listen, logs: &lockedBuffer{}, exited: make(chan struct{})}
	r.cmd = exec.Command(filepath.Join(bin, "saferef-server"), append([]string{"--data", data, "--listen", listen, "--scheme", scheme, "--admin-listen", "127.0.0.1:0"}, extra...)...)
	r.cmd.Env = testEnv("")
	r.cmd.Stderr = r.logs
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start relay: %v", err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "saferef-server: metrics and health on "); ok {
				r.admin = a
			}
			if strings.Contains(sc.Text(), "listening on") {
				ready <- sc.Text()
			}
			r.logs.Write(append(sc.Bytes(), '\n'))
		}
	}()
	go func() {
		r.waitErr = r.cmd.Wait()
		close(r.exited)
	}()
	select {
	case <-ready:
	case <-r.exited:
		t.Fatalf("relay exited at start: %v\n%s", r.waitErr, r.logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("relay did not start:\n%s", r.logs.String())
	}
	t.Cleanup(func() { r.stop(syscall.SIGTERM) })
	return r
}

// stop sends sig and waits for the process to exit.
func (r *relayProcess) stop(sig syscall.Signal) {
	select {
	case <-r.exited:
		return
	default:
	}
	r.cmd.Process.Signal(sig)
	select {
	case <-r.exited:
	case <-time.After(20 * time.Second):
		r.cmd.Process.Kill()
		<-r.exited
		r.t.Errorf("relay did not stop on %v", sig)
	}
}

// get fetches path from the relay's public port.
func (r *relayProcess) get(t *testing.T, path string) string {
	t.Helper()
	return httpGet(t, "http://"+r.listen+path)
}

// getAdmin fetches path from the relay's admin listener (metrics).
func (r *relayProcess) getAdmin(t *testing.T, path string) string {
	t.Helper()
	return httpGet(t, r.admin+path)
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
