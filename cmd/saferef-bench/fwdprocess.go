package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/saferef/saferef/crypto"
)

// The forwarder can also run as a process of its own (--forwarder-process):
// the same bare forwarder, but reached, as the relay is, through the
// kernel from another process on the same cores. What that costs over the
// in-process forwarder is a floor under any relay's latency on the
// machine, store or no store.

// forwardMode is the hidden mode "forward ORGFILE": it serves the
// forwarder for the devices listed in ORGFILE, prints its origin on
// stdout, and runs until stdin is closed.
const forwardMode = "forward"

// orgOf maps every device of the scheme to its organisation.
func (bs *benchScheme) orgOf() map[crypto.DeviceID]crypto.OrgID {
	m := make(map[crypto.DeviceID]crypto.OrgID, len(bs.devices))
	for _, d := range bs.devices {
		m[d.id] = d.org.id
	}
	return m
}

// writeOrgFile writes orgOf as lines "device organisation", in hex.
func writeOrgFile(path string, orgOf map[crypto.DeviceID]crypto.OrgID) error {
	var b strings.Builder
	for d, o := range orgOf {
		fmt.Fprintf(&b, "%x %x\n", d[:], o[:])
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// readOrgFile reads what writeOrgFile wrote.
func readOrgFile(path string) (map[crypto.DeviceID]crypto.OrgID, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := make(map[crypto.DeviceID]crypto.OrgID)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		var d crypto.DeviceID
		var o crypto.OrgID
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 || !decodeID(d[:], fields[0]) || !decodeID(o[:], fields[1]) {
			return nil, fmt.Errorf("%s:%d: want two 16-byte ids in hex", path, n)
		}
		m[d] = o
	}
	return m, sc.Err()
}

func decodeID(dst []byte, s string) bool {
	n, err := hex.Decode(dst, []byte(s))
	return err == nil && n == len(dst) && len(s) == 2*len(dst)
}

// serveForward is the forward mode.
func serveForward(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) != 1 {
		return &usageError{"forward takes one argument, the organisation file", "this mode is started by saferef-bench --forwarder-process itself"}
	}
	orgOf, err := readOrgFile(args[0])
	if err != nil {
		return err
	}
	fw, err := listenForwarder(orgOf)
	if err != nil {
		return err
	}
	defer fw.close()
	fmt.Fprintln(stdout, fw.origin)
	io.Copy(io.Discard, stdin)
	return nil
}

// forwarderProc is the forwarder running as a child process.
type forwarderProc struct {
	cmd    *exec.Cmd
	stdin  io.Closer
	origin string
}

// startForwarderProcess runs this binary in forward mode for bs's devices.
func startForwarderProcess(ctx context.Context, bs *benchScheme, dir string) (*forwarderProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	orgs := filepath.Join(dir, "forwarder-orgs")
	if err := writeOrgFile(orgs, bs.orgOf()); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, forwardMode, orgs)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the forwarder process: %w", err)
	}
	p := &forwarderProc{cmd: cmd, stdin: in}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		io.Copy(io.Discard, out)
	}()
	select {
	case origin, ok := <-line:
		if !ok || !strings.HasPrefix(origin, "ws://") {
			p.stop()
			return nil, fmt.Errorf("the forwarder process did not say where it listens")
		}
		p.origin = origin
		return p, nil
	case <-time.After(30 * time.Second):
		p.stop()
		return nil, fmt.Errorf("the forwarder process did not start within 30s")
	}
}

// cpuTime reads the CPU time the forwarder process has used so far.
func (p *forwarderProc) cpuTime() (time.Duration, error) {
	return procCPU(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
}

func (p *forwarderProc) stop() {
	p.stdin.Close()
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}
