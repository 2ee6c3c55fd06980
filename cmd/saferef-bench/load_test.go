package main

import (
	"context"
	"testing"
	"time"
)

// BenchmarkForwarderFanout10 drives the bare forwarder with the load
// generator in this process (1,000 devices in organisations of 10, 4 KiB
// payloads, 2 envelopes in flight per device), so that the generator's own
// cost can be profiled: go test -run '^$' -bench Forwarder -cpuprofile.
// One iteration is one envelope delivered to all 10 devices.
func BenchmarkForwarderFanout10(b *testing.B) {
	const devices, fanout, window = 1000, 10, 2
	bs, err := newBenchScheme(devices, fanout)
	if err != nil {
		b.Fatal(err)
	}
	if err := bs.sealPools(2*window*fanout+4, 4096); err != nil {
		b.Fatal(err)
	}
	fw, err := startForwarder(bs)
	if err != nil {
		b.Fatal(err)
	}
	defer fw.close()
	l := newLoad(bs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := l.connect(ctx, fw.origin, bs.devices, false); err != nil {
		b.Fatal(err)
	}
	defer l.close()
	l.measuring.Store(true)
	b.ResetTimer()
	start := time.Now()
	l.closedLoop(ctx, window)
	for l.completed.Load() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(l.completed.Load())/time.Since(start).Seconds(), "envelopes/s")
}
