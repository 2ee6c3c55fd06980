package server

import (
	"context"
	"net/http"

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
	m.envelopesStored = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_envelopes_stored_total", Help: "Envelopes durably stored.",
	})
	m.envelopesDeliver = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_envelopes_delivered_total", Help: "Envelopes written to a device (including redeliveries).",
	})
	m.envelopesDeleted = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "saferef_relay_envelopes_acknowledged_total", Help: "Envelopes deleted after every device acknowledged them.",
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
	for _, c := range []prometheus.Collector{m.connections, m.authenticated, m.connectionsTotal, m.dropped,
		m.envelopesStored, m.envelopesDeliver, m.envelopesDeleted, m.envelopesExpired, m.rejected, m.directoryAccepted} {
		f(c)
	}
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
