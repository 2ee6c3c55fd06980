// Package witnesstest runs the real litewitness (filippo.io/torchwood
// cmd/litewitness v0.6.1, installed by the Makefile) for tests: its own
// ssh-agent holding a fresh Ed25519 key, a SQLite database set up with
// witnessctl for one log, and an HTTP listener on a loopback port. A
// Witness can be stopped and started again on the same port and database,
// for tests of what relays and devices do while it is away, and of what
// it remembers across a restart.
package witnesstest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/saferef/saferef/crypto"
)

// Witness is one running (or stopped) litewitness.
type Witness struct {
	// URL is its base URL (http://127.0.0.1:PORT), the relay's --witness.
	URL string
	// Name is the name it cosigns with.
	Name string
	// VerifierKey is its cosignature verifier key text, for the scheme's
	// witness set.
	VerifierKey string
	// DB is its SQLite database.
	DB string

	t      testing.TB
	bin    string
	addr   string
	sock   string
	keyFP  string
	logger *os.File

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Binary returns the path of a torchwood command (litewitness,
// witnessctl), from PATH or GOPATH/bin, failing the test with what to run
// if it is not installed.
func Binary(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	gopath, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("%s is not installed: run 'make tools' (go install filippo.io/torchwood/cmd/%s@v0.6.1)", name, name)
	return ""
}

// Start runs a litewitness named name that witnesses the log whose note
// verifier key is logKey (origin: the key's name), until the test ends.
func Start(t testing.TB, name, logKey string) *Witness {
	t.Helper()
	w := New(t, name)
	w.AddLog(logKey)
	w.Restart()
	return w
}

// New prepares a litewitness named name (its ssh-agent, key and port)
// without starting it: VerifierKey is known, for a scheme created before
// the log it witnesses. AddLog, then Restart, start it.
func New(t testing.TB, name string) *Witness {
	t.Helper()
	dir, err := os.MkdirTemp("", "lw") // short: a socket path is limited to about 100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	w := &Witness{Name: name, DB: filepath.Join(dir, "witness.db"), sock: filepath.Join(dir, "agent.sock"), t: t,
		bin: Binary(t, "litewitness")}

	// A dedicated ssh-agent holds the witness key, as in production.
	agentCmd := exec.Command("ssh-agent", "-D", "-a", w.sock)
	if err := agentCmd.Start(); err != nil {
		t.Fatalf("start ssh-agent (Debian package openssh-client): %v", err)
	}
	t.Cleanup(func() { agentCmd.Process.Kill(); agentCmd.Wait() })
	var conn net.Conn
	for i := 0; ; i++ {
		if conn, err = net.Dial("unix", w.sock); err == nil {
			break
		}
		if i == 100 {
			t.Fatalf("ssh-agent did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer conn.Close()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := agent.NewClient(conn).Add(agent.AddedKey{PrivateKey: priv, Comment: "litewitness"}); err != nil {
		t.Fatalf("add witness key to ssh-agent: %v", err)
	}
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	w.keyFP = ssh.FingerprintSHA256(pub)
	cs, err := torchwood.NewCosignatureSigner(name, priv)
	if err != nil {
		t.Fatalf("witness name %q: %v", name, err)
	}
	w.VerifierKey = cs.Verifier().String()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.addr = ln.Addr().String()
	ln.Close()
	w.URL = "http://" + w.addr
	if w.logger, err = os.Create(filepath.Join(dir, "litewitness.log")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.logger.Close() })
	t.Cleanup(w.Stop)
	return w
}

// AddLog tells the witness (with witnessctl, as an operator would) to
// witness the log whose note verifier key is logKey.
func (w *Witness) AddLog(logKey string) {
	t := w.t
	t.Helper()
	origin, _, _ := strings.Cut(logKey, "+")
	ctl := Binary(t, "witnessctl")
	for _, args := range [][]string{
		{"add-log", "-db", w.DB, "-origin", origin},
		{"add-key", "-db", w.DB, "-origin", origin, "-key", logKey},
	} {
		if out, err := exec.Command(ctl, args...).CombinedOutput(); err != nil {
			t.Fatalf("witnessctl %s: %v\n%s", args[0], err, out)
		}
	}
}

// Restart starts the witness again (after Stop) on the same port, key and
// database, and waits until it answers.
func (w *Witness) Restart() {
	t := w.t
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd != nil {
		return
	}
	cmd := exec.Command(w.bin, "-name", w.Name, "-db", w.DB, "-ssh-agent", w.sock, "-key", w.keyFP, "-listen", w.addr)
	cmd.Stdout, cmd.Stderr = w.logger, w.logger
	if err := cmd.Start(); err != nil {
		t.Fatalf("start litewitness: %v", err)
	}
	w.cmd = cmd
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.URL+"/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return
		}
		if ctx.Err() != nil {
			log, _ := os.ReadFile(w.logger.Name())
			t.Fatalf("litewitness did not answer: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops the witness: its port refuses connections until Restart.
func (w *Witness) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd == nil {
		return
	}
	w.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { w.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		w.cmd.Process.Kill()
		<-done
	}
	w.cmd = nil
}

// Log returns what litewitness has logged, for failure messages.
func (w *Witness) Log() string {
	b, _ := os.ReadFile(w.logger.Name())
	return string(b)
}

// AddCheckpoint makes one C2SP tlog-witness add-checkpoint request, as a
// relay would, and returns the HTTP status and body.
func (w *Witness) AddCheckpoint(oldSize int64, proof []string, checkpoint []byte) (int, string, error) {
	body := fmt.Sprintf("old %d\n", oldSize)
	for _, h := range proof {
		body += h + "\n"
	}
	body += "\n" + string(checkpoint)
	resp, err := http.Post(w.URL+"/add-checkpoint", "text/plain", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String(), nil
}

// Name returns a witness name for tests ("witness.test/" and suffix).
func Name(suffix string) string { return "witness.test/" + suffix }

// SignInto signs a witness set naming ws (quorum of them, with the given
// freshness windows; zero means the defaults) and the log key logKey with
// the scheme's roots, and puts it into s.
func SignInto(t testing.TB, s *crypto.Scheme, roots []ed25519.PrivateKey, logKey string, quorum int, fresh, release time.Duration, ws ...*Witness) {
	t.Helper()
	set := &crypto.WitnessSet{Seq: 1, LogKey: logKey, Quorum: quorum, Freshness: fresh, ReleaseFreshness: release, Issued: time.Now()}
	if cur, err := s.WitnessSet(); err == nil && cur != nil {
		set.Seq = cur.Seq + 1
	}
	for _, w := range ws {
		wi, err := crypto.NewWitness(w.VerifierKey)
		if err != nil {
			t.Fatal(err)
		}
		set.Witnesses = append(set.Witnesses, wi)
	}
	signed, err := crypto.SignWitnessSet(set, roots)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetWitnesses(signed); err != nil {
		t.Fatal(err)
	}
}
