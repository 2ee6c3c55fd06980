package server

import (
	"context"
	"net/http"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the relay's Prometheus series. They count frames, envelopes
// and connections; no label ever carries an identifier, a key or an address.
type metrics struct {
	registry *prometheus.Registry

	connections       prometheus.Gauge
	authenticated     prometheus.Gauge
	connectionsTotal  prometheus.Counter
	dropped           *prometheus.CounterVec // by reason
	envelopesStored   prometheus.Counter
	envelopesDeliver  prometheus.Counter
	envelopesDeleted  prometheus.Counter
	envelopesExpired  prometheus.Counter
	rejected          *prometheus.CounterVec // by error code
	directoryAccepted prometheus.Counter
	witnessCosigned   prometheus.Counter
	witnessFailed     prometheus.Counter
	preAuthRefused    *prometheus.CounterVec // by limit: connections, bytes
	storeUnavailable  prometheus.Counter
	ackBatchesFailed  prometheus.Counter
	witness           *witnessAge
}

func newMetrics(s *Server) *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.registry.MustRegister(c) }
	m.connections = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "saferef_relay_connections", Help: "Open websocket connections.",
	})
	m.authenticated = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "saferef_relay_authenticated_connections", Help: "Open connections with an authenticated device.",
	})
	m.connectionsTotal = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_connections_total", Help: "Websocket connections accepted.",
	})
	m.dropped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "saferef_relay_connections_dropped_total", Help: "Connections the relay closed, by reason.",
	}, []string{"reason"})
	for _, r := range dropReasons() {
		m.dropped.WithLabelValues(string(r)) // every reason reads 0 until it happens
	}
	m.envelopesStored = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_envelopes_stored_total", Help: "Envelopes durably stored.",
	})
	m.envelopesDeliver = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_envelopes_delivered_total", Help: "Envelopes written to a device (including redeliveries).",
	})
	m.envelopesDeleted = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_envelopes_acknowledged_total", Help: "Envelopes deleted after every device acknowledged them.",
	})
	m.ackBatchesFailed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_ack_batches_failed_total", Help: "Batches of acknowledgements the store could not apply (their envelopes are delivered again).",
	})
	m.envelopesExpired = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_envelopes_expired_total", Help: "Envelopes deleted unacknowledged at their expiry.",
	})
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "saferef_relay_rejected_total", Help: "Frames refused, by error code.",
	}, []string{"reason"})
	m.directoryAccepted = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_directory_published_total", Help: "Signed directory objects accepted.",
	})
	m.witnessCosigned = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_witness_cosignatures_total", Help: "Checkpoint cosignatures received from witnesses.",
	})
	m.witnessFailed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_witness_failures_total", Help: "Checkpoint submissions a witness did not cosign (unreachable, refused or conflicting).",
	})
	m.preAuthRefused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "saferef_relay_preauth_refused_total", Help: "Unauthenticated connections or frames refused by the pre-authentication limits, by limit.",
	}, []string{"limit"})
	m.storeUnavailable = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_store_unavailable_total", Help: "Requests answered 'unavailable' because the store failed.",
	})
	for _, c := range []prometheus.Collector{m.connections, m.authenticated, m.connectionsTotal, m.dropped,
		m.envelopesStored, m.envelopesDeliver, m.envelopesDeleted, m.envelopesExpired, m.rejected, m.directoryAccepted,
		m.witnessCosigned, m.witnessFailed, m.preAuthRefused, m.storeUnavailable, m.ackBatchesFailed} {
		f(c)
	}
	f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "saferef_relay_preauth_connections", Help: "Open connections that have not authenticated.",
	}, func() float64 { return float64(s.preAuth.conns.Load()) }))
	f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "saferef_relay_preauth_bytes", Help: "Bytes reserved by frames being read before authentication.",
	}, func() float64 { return float64(s.preAuth.bytes.Load()) }))
	f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "saferef_relay_goroutines", Help: "Goroutines in the relay process (two per connection, plus a few).",
	}, func() float64 { return float64(runtime.NumGoroutine()) }))
	f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "saferef_relay_envelopes_held", Help: "Envelopes currently stored.",
	}, func() float64 {
		st, err := s.store.Stats(context.Background())
		if err != nil {
			return -1
		}
		return float64(st.Envelopes)
	}))
	f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "saferef_relay_envelope_bytes_held", Help: "Bytes of envelopes currently stored.",
	}, func() float64 {
		st, err := s.store.Stats(context.Background())
		if err != nil {
			return -1
		}
		return float64(st.Bytes)
	}))
	m.witness = newWitnessAge(s.cfg.Now)
	f(m.witness)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
