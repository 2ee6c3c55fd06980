package server

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/saferef/saferef/protocol"
)

// TestDropReasonsCreatedUpFront: every reason a connection can be closed
// for is a series of saferef_relay_connections_dropped_total from the
// start (0 until it happens), so that alert rules and dashboards see a
// reason before its first occurrence; and a fatal protocol error counts
// under its error code.
func TestDropReasonsCreatedUpFront(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	m := r.srv.metrics
	if got, want := testutil.CollectAndCount(m.dropped), len(dropReasons()); got != want {
		t.Fatalf("%d dropped-connection series at start, want %d (one per reason)", got, want)
	}
	for _, want := range []string{"client-closed", "shutdown", "queue-full", "write-failed", "store-error", "revoked", protocol.CodeAuthFailed, protocol.CodeRateLimited} {
		if v := testutil.ToFloat64(m.dropped.WithLabelValues(want)); v != 0 {
			t.Errorf("reason %q reads %v at start, want 0", want, v)
		}
	}
	c := r.dial(t)
	defer c.close()
	c.send(&protocol.Auth{Device: [16]byte(s.wealdA.Secrets.Device), Time: r.clock.Now().Unix(), Sig: make([]byte, 64)})
	c.expectError(protocol.CodeAuthFailed, true)
	for i := 0; testutil.ToFloat64(m.dropped.WithLabelValues(protocol.CodeAuthFailed)) != 1; i++ {
		if i == 100 {
			t.Fatalf("a connection closed for a bad signature is not counted under %q", protocol.CodeAuthFailed)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := testutil.CollectAndCount(m.dropped); n != len(dropReasons()) {
		t.Errorf("%d series after a drop: a reason outside dropReasons was used", n)
	}
}
