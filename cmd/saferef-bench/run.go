package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"
)

// options are the command line.
type options struct {
	mode       string
	store      string
	dsn        string
	devices    int
	fanout     int
	size       int
	rate       float64
	duration   time.Duration
	window     int
	server     string
	cpuProfile string
	selfProf   string
	legacy     bool
	// forwarderProcess also measures the forwarder in a process of its own.
	forwarderProcess bool
}

// summary is the JSON line printed last.
type summary struct {
	Mode              string  `json:"mode"`
	Store             string  `json:"store"`
	Devices           int     `json:"devices"`
	Fanout            int     `json:"fanout"`
	Size              int     `json:"size"`
	RelayMsgsPerS     float64 `json:"relay_msgs_per_s"`
	BaselineMsgsPerS  float64 `json:"baseline_msgs_per_s"`
	Ratio             float64 `json:"ratio"`
	P50ms             float64 `json:"p50_ms"`
	P99ms             float64 `json:"p99_ms"`
	P999ms            float64 `json:"p999_ms"`
	BaselineP50ms     float64 `json:"baseline_p50_ms"`
	BaselineP99ms     float64 `json:"baseline_p99_ms"`
	RSSKiBPerConn     float64 `json:"rss_kib_per_conn"`
	GoroutinesPerConn float64 `json:"goroutines_per_conn"`
	// CPU time per envelope while measuring: the relay process, the
	// bench's own process during the relay's run (the load generator), and
	// during the forwarder's (generator and forwarder). 0 where /proc is
	// not readable.
	RelayCPUus     float64 `json:"relay_cpu_us_per_msg"`
	GeneratorCPUus float64 `json:"generator_cpu_us_per_msg"`
	BaselineCPUus  float64 `json:"baseline_cpu_us_per_msg"`
	// With --forwarder-process: the same forwarder in a process of its
	// own (its CPU is that process's), and the relay's ratio to it.
	ProcessMsgsPerS float64 `json:"process_baseline_msgs_per_s,omitempty"`
	ProcessP50ms    float64 `json:"process_baseline_p50_ms,omitempty"`
	ProcessP99ms    float64 `json:"process_baseline_p99_ms,omitempty"`
	ProcessCPUus    float64 `json:"process_baseline_cpu_us_per_msg,omitempty"`
	ProcessRatio    float64 `json:"process_ratio,omitempty"`
}

type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

const usage = `usage:
  saferef-bench throughput --store sqlite|postgres [--postgres DSN] --devices N --fanout F --size BYTES
  saferef-bench latency    --store sqlite|postgres [--postgres DSN] --devices N --fanout F --size BYTES [--rate R]
  saferef-bench idle       --store sqlite|postgres [--postgres DSN] --devices N
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == forwardMode {
		if err := serveForward(args[1:], os.Stdin, stdout); err != nil {
			fmt.Fprintf(stderr, "saferef-bench: error: %v\n", err)
			return 1
		}
		return 0
	}
	sum, err := bench(ctx, args, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "saferef-bench: error: %v\n", err)
		var ue *usageError
		if errors.As(err, &ue) {
			if ue.hint != "" {
				fmt.Fprintf(stderr, "saferef-bench: hint: %s\n", ue.hint)
			}
			return 2
		}
		return 1
	}
	if sum == nil {
		return 0
	}
	b, err := json.Marshal(sum)
	if err != nil {
		fmt.Fprintf(stderr, "saferef-bench: error: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, string(b))
	return 0
}

func bench(ctx context.Context, args []string, stderr io.Writer) (*summary, error) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return nil, &usageError{"no mode given", "run saferef-bench throughput, latency or idle"}
		}
		return nil, nil
	}
	o := options{mode: args[0]}
	switch o.mode {
	case "throughput", "latency", "idle":
	default:
		return nil, &usageError{fmt.Sprintf("unknown mode %q", o.mode), "use throughput, latency or idle"}
	}
	fs := flag.NewFlagSet("saferef-bench "+o.mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.store, "store", "sqlite", "the relay's store: sqlite or postgres")
	fs.StringVar(&o.dsn, "postgres", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL DSN for --store postgres (a fresh schema is made and dropped)")
	fs.IntVar(&o.devices, "devices", 1000, "enrolled devices, each with its own authenticated connection")
	fs.IntVar(&o.fanout, "fanout", 1, "devices per organisation: each envelope is delivered to this many devices")
	fs.IntVar(&o.size, "size", 4096, "payload bytes sealed into each envelope")
	fs.Float64Var(&o.rate, "rate", 0, "latency: offered envelopes per second; 0 measures the relay's throughput first and offers half of it")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each measurement runs (after a warm-up of a fifth of it)")
	fs.IntVar(&o.window, "window", 2, "throughput: envelopes each sending device keeps in flight")
	fs.StringVar(&o.server, "server", "", "the saferef-server binary (default: beside saferef-bench, else on PATH)")
	fs.StringVar(&o.cpuProfile, "relay-cpuprofile", "", "have the relay write a CPU profile of the run to this file")
	fs.BoolVar(&o.legacy, "legacy-server", false, "the --server binary predates --send-rate and --cpuprofile (for before/after comparisons with an older relay)")
	fs.BoolVar(&o.forwarderProcess, "forwarder-process", false, "also measure the forwarder in a process of its own, reached through the kernel as the relay is (a floor under any relay's figures on this machine)")
	fs.StringVar(&o.selfProf, "cpuprofile", "", "write a CPU profile of saferef-bench itself (load generator and forwarder) to this file")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil
		}
		return nil, &usageError{err.Error(), "run saferef-bench " + o.mode + " -h for the flags"}
	}
	if fs.NArg() > 0 {
		return nil, &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0)), "flags only after the mode"}
	}
	if o.store != "sqlite" && o.store != "postgres" {
		return nil, &usageError{fmt.Sprintf("--store %q", o.store), "use sqlite or postgres"}
	}
	if o.mode == "idle" {
		// Idle devices send nothing: enrol them in organisations of 50
		// (fewer certificates to publish before measuring).
		o.fanout = min(50, max(1, o.devices/2))
	}
	if o.fanout < 1 || o.fanout > 64 || o.devices < 2*o.fanout {
		return nil, &usageError{fmt.Sprintf("--devices %d --fanout %d", o.devices, o.fanout), "fan-out must be 1 to 64 and devices at least twice the fan-out"}
	}
	if o.size < 1 || o.size > 512<<10 {
		return nil, &usageError{fmt.Sprintf("--size %d", o.size), "give 1 to 524288 bytes"}
	}
	if o.duration < time.Second || o.window < 1 || o.rate < 0 {
		return nil, &usageError{"--duration, --window or --rate out of range", "duration at least 1s, window at least 1, rate not negative"}
	}
	if o.server == "" {
		p, err := findServer()
		if err != nil {
			return nil, err
		}
		o.server = p
	}
	raiseFileLimit(stderr)
	if o.selfProf != "" {
		f, err := os.Create(o.selfProf)
		if err != nil {
			return nil, fmt.Errorf("create CPU profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, fmt.Errorf("start CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	return benchMode(ctx, o, stderr)
}

// findServer looks for saferef-server beside this binary, then on PATH.
func findServer() (string, error) {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "saferef-server")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	p, err := exec.LookPath("saferef-server")
	if err != nil {
		return "", &usageError{"saferef-server not found beside saferef-bench or on PATH", "run make build (it puts both in bin/), or pass --server PATH"}
	}
	return p, nil
}

// raiseFileLimit lifts the open-file limit to its hard maximum for this
// process and the relay it starts: each connection is a file on both sides.
func raiseFileLimit(stderr io.Writer) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		fmt.Fprintf(stderr, "saferef-bench: cannot raise the open-file limit: %v\n", err)
	}
}

func progress(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "saferef-bench: "+format+"\n", args...)
}

// round keeps figures readable in the summary.
func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
