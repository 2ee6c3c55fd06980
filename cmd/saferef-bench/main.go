// Command saferef-bench measures the relay near its limit: it starts the
// real saferef-server binary as a child process (SQLite or PostgreSQL
// store), enrols real devices, seals real envelopes before timing, and
// drives the relay over loopback websockets. In the same invocation it
// drives a bare gorilla/websocket forwarder (no store, no checks) with the
// same load generator, so that the ratio between the two holds however busy
// the machine is.
//
// Usage:
//
//	saferef-bench throughput --store sqlite|postgres [--postgres DSN] --devices N --fanout F --size BYTES
//	saferef-bench latency    --store sqlite|postgres [--postgres DSN] --devices N --fanout F --size BYTES [--rate R]
//	saferef-bench idle       --store sqlite|postgres [--postgres DSN] --devices N
//
// It prints progress on stderr while it runs and a JSON summary as the last
// line of stdout:
//
//	{"mode":…, "store":…, "devices":…, "fanout":…, "size":…, "relay_msgs_per_s":…, "baseline_msgs_per_s":…, "ratio":…, "p50_ms":…, "p99_ms":…, "rss_kib_per_conn":…, "goroutines_per_conn":…}
//
// With --forwarder-process it also runs the forwarder as a process of its
// own (this binary in the hidden mode "forward"), to measure what being a
// separate process on the same cores costs any relay.
//
// It finds saferef-server beside itself or on PATH. docs/PERFORMANCE.md
// says what each figure means and records the measurements.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
