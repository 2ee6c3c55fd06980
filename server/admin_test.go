package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestPublicPortServesOnlyConnectAndHealthz checks that the public handler
// answers /v1/connect and /healthz and nothing else (no /metrics, no
// debug pages), and that the admin handler serves /metrics and /healthz.
func TestPublicPortServesOnlyConnectAndHealthz(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(r.hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("public /healthz: %d %q", code, body)
	}
	for _, path := range []string{"/metrics", "/debug/pprof/", "/", "/v1/metrics", "/healthz/../metrics"} {
		if code, body := get(path); code != http.StatusNotFound || strings.Contains(body, "saferef_relay") {
			t.Errorf("public %s: %d, want 404 with no metrics in the body", path, code)
		}
	}
	// The websocket endpoint is there (a plain GET is refused as not a
	// websocket handshake, not as not found).
	if code, _ := get(ConnectPath); code == http.StatusNotFound {
		t.Errorf("public %s: not found", ConnectPath)
	}
	admin := httptest.NewServer(r.srv.AdminHandler())
	defer admin.Close()
	for path, want := range map[string]string{"/metrics": "saferef_relay_connections_total", "/healthz": "ok"} {
		resp, err := http.Get(admin.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
			t.Errorf("admin %s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
}

// TestWitnessCheckpointAgeMetric checks that the staleness gauge the alert
// rule WitnessCheckpointsStale reads is absent until a witnessed checkpoint
// is noted, then reports its age.
func TestWitnessCheckpointAgeMetric(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	if m := r.scrape(t); strings.Contains(m, "saferef_witness_checkpoint_age_seconds ") {
		t.Fatalf("age reported before any witnessed checkpoint:\n%s", m)
	}
	r.srv.NoteWitnessedCheckpoint(r.clock.Now().Add(-90 * time.Second))
	if m := r.scrape(t); !strings.Contains(m, "saferef_witness_checkpoint_age_seconds 90") {
		t.Fatalf("metrics lack the age of the witnessed checkpoint:\n%s", m)
	}
}
