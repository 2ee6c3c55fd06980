package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/saferef/saferef/protocol"
)

// relayProc is the saferef-server child process.
type relayProc struct {
	cmd    *exec.Cmd
	origin string // ws://127.0.0.1:PORT
	admin  string // http://127.0.0.1:PORT of /metrics
	exited chan struct{}
	drop   func() // drops the PostgreSQL schema, if any
}

// startRelay starts saferef-server on a free loopback port with the bench
// scheme and a fresh store, and waits until it listens.
func startRelay(ctx context.Context, o options, bs *benchScheme, dir string, stderr io.Writer) (*relayProc, error) {
	schemeFile := filepath.Join(dir, "scheme.json")
	if err := os.WriteFile(schemeFile, bs.raw, 0o600); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	aln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	adminAddr := aln.Addr().String()
	aln.Close()
	args := []string{"--data", filepath.Join(dir, "relay"), "--listen", addr, "--scheme", schemeFile, "--log-level", "warn"}
	if !o.legacy {
		// The bench measures capacity, not the per-device rate limit.
		args = append(args, "--send-rate", "1000000", "--send-burst", "1000000")
	}
	p := &relayProc{origin: "ws://" + addr, admin: "http://" + adminAddr, exited: make(chan struct{}), drop: func() {}}
	if o.legacy {
		p.admin = "http://" + addr // metrics were on the public port then
	} else {
		args = append(args, "--admin-listen", adminAddr)
	}
	if o.store == "postgres" {
		dsn, drop, err := freshSchema(ctx, o.dsn)
		if err != nil {
			return nil, err
		}
		p.drop = drop
		args = append(args, "--postgres", dsn)
	}
	if o.cpuProfile != "" && !o.legacy {
		args = append(args, "--cpuprofile", o.cpuProfile)
	}
	p.cmd = exec.Command(o.server, args...)
	p.cmd.Stderr = stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		p.drop()
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		p.drop()
		return nil, fmt.Errorf("start %s: %w", o.server, err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		signalled := false
		for sc.Scan() {
			if !signalled && strings.Contains(sc.Text(), "listening on") {
				close(ready)
				signalled = true
			}
		}
		p.cmd.Wait()
		close(p.exited)
	}()
	select {
	case <-ready:
		return p, nil
	case <-p.exited:
		p.drop()
		return nil, fmt.Errorf("saferef-server exited before listening (its log is above)")
	case <-time.After(60 * time.Second):
		p.stop()
		return nil, fmt.Errorf("saferef-server did not listen within a minute")
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
}

// stop ends the relay with SIGTERM (so that a CPU profile is written) and
// waits for it.
func (p *relayProc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	p.drop()
}

// rssKiB reads the relay's resident memory from /proc.
func (p *relayProc) rssKiB() (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				return strconv.ParseFloat(f[0], 64)
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", p.cmd.Process.Pid)
}

// cpuTime reads the CPU time (user and system) the relay has used so far
// from /proc.
func (p *relayProc) cpuTime() (time.Duration, error) {
	return procCPU(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
}

// procCPU reads utime and stime from a /proc/PID/stat file, in clock ticks
// of 1/100 s (USER_HZ, 100 on every Linux architecture Go supports).
func procCPU(path string) (time.Duration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: fields count from
	// after its closing parenthesis (state is field 3, utime 14, stime 15).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: no command name", path)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: %d fields after the command name", path, len(f))
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// selfCPU reads the CPU time this process (load generator, and the
// forwarder when it runs) has used so far.
func selfCPU() (time.Duration, error) {
	return procCPU("/proc/self/stat")
}

// metric reads one unlabelled series from the relay's /metrics.
func (p *relayProc) metric(name string) (float64, error) {
	resp, err := http.Get(p.admin + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(rest), 64)
		}
	}
	return 0, fmt.Errorf("metric %s not found", name)
}

// publish sends every directory object to the relay, a window at a time,
// on a new connection every 1,000 (the relay bounds what an anonymous
// connection may send).
func publish(origin string, objects [][]byte) error {
	for len(objects) > 0 {
		n := min(len(objects), 1000)
		if err := publishSome(origin, objects[:n]); err != nil {
			return err
		}
		objects = objects[n:]
	}
	return nil
}

func publishSome(origin string, objects [][]byte) error {
	ws, _, err := websocket.DefaultDialer.Dial(origin+"/v1/connect", nil)
	if err != nil {
		return fmt.Errorf("dial relay: %w", err)
	}
	defer ws.Close()
	if _, _, err := ws.ReadMessage(); err != nil { // ServerHello
		return err
	}
	const window = 64
	sent, got := 0, 0
	for got < len(objects) {
		for sent < len(objects) && sent-got < window {
			b, err := protocol.Encode(&protocol.Publish{ReqID: uint64(sent + 1), Object: objects[sent]})
			if err != nil {
				return err
			}
			if err := ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
				return err
			}
			sent++
		}
		_, b, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		f, err := protocol.Decode(b)
		if err != nil {
			return err
		}
		if e, ok := f.(*protocol.Error); ok {
			return fmt.Errorf("publish: %s: %s", e.Code, e.Message)
		}
		got++
	}
	return nil
}

// freshSchema makes a new schema in the database at dsn and returns a DSN
// whose search_path is that schema, and a function that drops it.
func freshSchema(ctx context.Context, dsn string) (string, func(), error) {
	var b [6]byte
	rand.Read(b[:])
	schema := "saferef_bench_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "", nil, &usageError{"--postgres must be a postgres:// URL", "e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable"}
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	}
	return u.String(), drop, nil
}
