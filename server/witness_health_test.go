package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/internal/witnesstest"
)

// TestHealthzReportsStaleWitnesses (issue 12, item 9): with a scheme that
// names witnesses, /healthz says "ok" while the relay's checkpoints carry
// a fresh quorum of cosignatures, and 503 "witness checkpoints stale" once
// the newest quorum is older than the scheme's window — here the witness is
// stopped and the relay's clock moves past the window — so that a load
// balancer and the operator's alerts see what devices see.
func TestHealthzReportsStaleWitnesses(t *testing.T) {
	s := newKentScheme(t)
	_, vkey := testLogKey(t, s.Scheme.Scheme)
	wit := witnesstest.Start(t, witnesstest.Name("coordinator"), vkey)
	witnesstest.SignInto(t, s.Scheme.Scheme, s.Scheme.Roots, vkey, 1, time.Hour, time.Hour, wit)
	r := startRelay(t, s.Scheme, func(c *Config) {
		c.Witnesses = []string{wit.URL}
		c.WitnessEvery = 50 * time.Millisecond
	})
	health := func() (int, string) {
		t.Helper()
		resp, err := http.Get(strings.Replace(r.origin, "ws://", "http://", 1) + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	// Wait for the first quorum of cosignatures.
	for i := 0; r.srv.metrics.witness.at.Load() == 0; i++ {
		if i == 200 {
			t.Fatalf("the relay's checkpoint was never witnessed; litewitness log:\n%s", wit.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, body := health(); code != http.StatusOK || body != "ok" {
		t.Fatalf("healthz with fresh cosignatures = %d %q", code, body)
	}
	wit.Stop()
	r.clock.Advance(2 * time.Hour)
	if code, body := health(); code != http.StatusServiceUnavailable || body != "witness checkpoints stale" {
		t.Fatalf("healthz with cosignatures two hours old = %d %q, want 503 witness checkpoints stale", code, body)
	}
	r.clock.Advance(-2 * time.Hour) // back inside the window: the warning clears
	if code, body := health(); code != http.StatusOK {
		t.Fatalf("healthz back inside the window = %d %q", code, body)
	}
}
