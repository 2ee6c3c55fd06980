package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

func benchMode(ctx context.Context, o options, stderr io.Writer) (*summary, error) {
	sum := &summary{Mode: o.mode, Store: o.store, Devices: o.devices, Fanout: o.fanout, Size: o.size}
	progress(stderr, "enrolling %d devices in %d organisations of %d", o.devices/o.fanout*o.fanout, o.devices/o.fanout, o.fanout)
	bs, err := newBenchScheme(o.devices, o.fanout)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "saferef-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if o.mode == "idle" {
		return sum, benchIdle(ctx, o, bs, dir, sum, stderr)
	}
	perOrg := 2*o.window*o.fanout + 4
	if o.mode == "latency" && o.rate > 0 {
		perOrg = max(perOrg, int(o.rate*(reuseDelay.Seconds()+1)/float64(len(bs.orgs)))+4)
	}
	progress(stderr, "sealing %d envelopes of %d payload bytes, %d recipient devices each (before timing)", perOrg*len(bs.orgs), o.size, o.fanout)
	if err := bs.sealPools(perOrg, o.size); err != nil {
		return nil, err
	}
	master := snapshotPools(bs)

	// The relay.
	relay, err := startRelay(ctx, o, bs, dir, stderr)
	if err != nil {
		return nil, err
	}
	defer relay.stop()
	progress(stderr, "relay (%s) listening at %s; publishing %d directory objects", o.store, relay.origin, len(bs.objects))
	if err := publish(relay.origin, bs.objects); err != nil {
		return nil, err
	}
	rl := newLoad(bs)
	rl.cpu = []func() (time.Duration, error){relay.cpuTime, selfCPU}
	progress(stderr, "authenticating %d devices to the relay", len(bs.devices))
	if err := rl.connect(ctx, relay.origin, bs.devices, false); err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	rate := o.rate
	if o.mode == "throughput" || rate == 0 {
		progress(stderr, "relay: %d envelopes in flight per device for %s (after %s warm-up)", o.window, o.duration, o.duration/5)
		tput, _ := rl.measure(ctx, o.duration, func(ctx context.Context) { rl.closedLoop(ctx, o.window) })
		sum.RelayMsgsPerS = round(tput, 1)
		progress(stderr, "relay: %.0f envelopes/s delivered to all %d devices (%d refused)", tput, o.fanout, rl.refused.Load())
		sum.RelayCPUus, sum.GeneratorCPUus = micros(rl.cpuPerMsg[0]), micros(rl.cpuPerMsg[1])
		progress(stderr, "relay: %.0f µs of CPU per envelope (load generator %.0f µs)", sum.RelayCPUus, sum.GeneratorCPUus)
		if o.mode == "latency" {
			rate = tput / 2
			sleep(ctx, time.Second)
			restorePools(bs, master)
			rl.reset()
		}
	}
	if o.mode == "latency" {
		progress(stderr, "relay: offering %.0f envelopes/s for %s", rate, o.duration)
		got, lat := rl.measure(ctx, o.duration, func(ctx context.Context) { rl.openLoop(ctx, rate) })
		sum.RelayCPUus, sum.GeneratorCPUus = micros(rl.cpuPerMsg[0]), micros(rl.cpuPerMsg[1])
		progress(stderr, "relay: %.0f µs of CPU per envelope (load generator %.0f µs)", sum.RelayCPUus, sum.GeneratorCPUus)
		sum.RelayMsgsPerS = round(got, 1)
		sum.P50ms, sum.P99ms, sum.P999ms = percentile(lat, 50), percentile(lat, 99), percentile(lat, 99.9)
		progress(stderr, "relay: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms over %d deliveries", sum.P50ms, sum.P99ms, sum.P999ms, len(lat))
	}
	rl.close()
	relay.stop()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// The bare forwarder, same generator, same envelopes.
	sleep(ctx, time.Second)
	restorePools(bs, master)
	fw, err := startForwarder(bs)
	if err != nil {
		return nil, err
	}
	base, err := measureForwarder(ctx, o, bs, fw.origin, rate, []func() (time.Duration, error){selfCPU}, "forwarder", stderr)
	fw.close()
	if err != nil {
		return nil, err
	}
	sum.BaselineMsgsPerS, sum.BaselineP50ms, sum.BaselineP99ms, sum.BaselineCPUus = base.rate, base.p50, base.p99, base.cpuUs
	sum.Ratio = base.ratio(o, sum)
	if !o.forwarderProcess {
		return sum, nil
	}

	// The same forwarder in a process of its own.
	sleep(ctx, time.Second)
	restorePools(bs, master)
	fp, err := startForwarderProcess(ctx, bs, dir)
	if err != nil {
		return nil, err
	}
	defer fp.stop()
	proc, err := measureForwarder(ctx, o, bs, fp.origin, rate, []func() (time.Duration, error){fp.cpuTime}, "forwarder process", stderr)
	if err != nil {
		return nil, err
	}
	sum.ProcessMsgsPerS, sum.ProcessP50ms, sum.ProcessP99ms, sum.ProcessCPUus = proc.rate, proc.p50, proc.p99, proc.cpuUs
	sum.ProcessRatio = proc.ratio(o, sum)
	return sum, nil
}

// forwarderRun is what one forwarder measurement found.
type forwarderRun struct {
	rate, p50, p99, cpuUs float64
}

// ratio is the relay's figure over the forwarder's: throughput, or in
// latency mode p99 at the same offered rate.
func (f forwarderRun) ratio(o options, sum *summary) float64 {
	if o.mode == "throughput" && f.rate > 0 {
		return round(sum.RelayMsgsPerS/f.rate, 3)
	}
	if o.mode == "latency" && f.p99 > 0 && sum.P99ms > 0 {
		return round(sum.P99ms/f.p99, 3)
	}
	return 0
}

// measureForwarder drives the forwarder at origin as the relay was driven:
// a closed loop in throughput mode, rate envelopes a second in latency mode.
// cpu[0] reads the CPU time of the process the forwarder runs in.
func measureForwarder(ctx context.Context, o options, bs *benchScheme, origin string, rate float64, cpu []func() (time.Duration, error), name string, stderr io.Writer) (forwarderRun, error) {
	var run forwarderRun
	l := newLoad(bs)
	l.cpu = cpu
	progress(stderr, "%s listening at %s; authenticating %d devices", name, origin, len(bs.devices))
	if err := l.connect(ctx, origin, bs.devices, false); err != nil {
		return run, fmt.Errorf("%s: %w", name, err)
	}
	defer l.close()
	if o.mode == "throughput" {
		tput, _ := l.measure(ctx, o.duration, func(ctx context.Context) { l.closedLoop(ctx, o.window) })
		run.rate, run.cpuUs = round(tput, 1), micros(l.cpuPerMsg[0])
		progress(stderr, "%s: %.0f envelopes/s delivered to all %d devices (%.0f µs of CPU each)", name, tput, o.fanout, run.cpuUs)
		return run, nil
	}
	progress(stderr, "%s: offering %.0f envelopes/s for %s", name, rate, o.duration)
	got, lat := l.measure(ctx, o.duration, func(ctx context.Context) { l.openLoop(ctx, rate) })
	run.rate, run.cpuUs = round(got, 1), micros(l.cpuPerMsg[0])
	run.p50, run.p99 = percentile(lat, 50), percentile(lat, 99)
	progress(stderr, "%s: p50 %.2f ms, p99 %.2f ms over %d deliveries (%.0f µs of CPU each)", name, run.p50, run.p99, len(lat), run.cpuUs)
	return run, nil
}

// micros is d in microseconds, to one decimal.
func micros(d time.Duration) float64 {
	return round(float64(d.Nanoseconds())/1000, 1)
}

func (l *load) reset() {
	l.mu.Lock()
	clear(l.inflight)
	clear(l.byReq)
	l.mu.Unlock()
}

// snapshotPools records every sealed envelope, to refill the pools between
// runs (envelopes in flight when a run stops never come back on their own).
func snapshotPools(bs *benchScheme) map[*benchOrg][]*sealed {
	m := make(map[*benchOrg][]*sealed)
	for _, o := range bs.orgs {
		for range cap(o.pool) {
			e := <-o.pool
			m[o] = append(m[o], e)
		}
		for _, e := range m[o] {
			o.pool <- e
		}
	}
	return m
}

func restorePools(bs *benchScheme, master map[*benchOrg][]*sealed) {
	for _, o := range bs.orgs {
	drain:
		for {
			select {
			case <-o.pool:
			default:
				break drain
			}
		}
		for _, e := range master[o] {
			e.freeAt = time.Time{}
			o.pool <- e
		}
	}
}

// benchIdle connects every device and leaves it idle, then reads how much
// the relay grew per connection.
func benchIdle(ctx context.Context, o options, bs *benchScheme, dir string, sum *summary, stderr io.Writer) error {
	relay, err := startRelay(ctx, o, bs, dir, stderr)
	if err != nil {
		return err
	}
	defer relay.stop()
	progress(stderr, "relay (%s) listening at %s; publishing %d directory objects", o.store, relay.origin, len(bs.objects))
	if err := publish(relay.origin, bs.objects); err != nil {
		return err
	}
	sleep(ctx, 2*time.Second)
	rss0, err := relay.rssKiB()
	if err != nil {
		return err
	}
	g0, err := relay.metric("saferef_relay_goroutines")
	if err != nil {
		return err
	}
	l := newLoad(bs)
	progress(stderr, "authenticating %d idle devices (relay RSS before: %.0f KiB, %0.f goroutines)", len(bs.devices), rss0, g0)
	if err := l.connect(ctx, relay.origin, bs.devices, true); err != nil {
		return err
	}
	defer l.close()
	sleep(ctx, 5*time.Second)
	rss1, err := relay.rssKiB()
	if err != nil {
		return err
	}
	g1, err := relay.metric("saferef_relay_goroutines")
	if err != nil {
		return err
	}
	n := float64(len(bs.devices))
	sum.RSSKiBPerConn = round((rss1-rss0)/n, 2)
	sum.GoroutinesPerConn = round((g1-g0)/n, 3)
	progress(stderr, "relay RSS after: %.0f KiB, %.0f goroutines: %.2f KiB and %.3f goroutines per idle connection", rss1, g1, sum.RSSKiBPerConn, sum.GoroutinesPerConn)
	return nil
}
