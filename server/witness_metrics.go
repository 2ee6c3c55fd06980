package server

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// witnessAgeName is the gauge deploy/prometheus-rules.yml alerts on
// (WitnessCheckpointsStale).
const witnessAgeName = "saferef_witness_checkpoint_age_seconds"

// witnessAge is a collector for saferef_witness_checkpoint_age_seconds:
// the age of the newest checkpoint that gathered a quorum of witness
// cosignatures. It reports nothing until one has (a scheme without
// witnesses has no such age, and an absent series is not an alert), then
// the seconds since then, by the relay's clock.
type witnessAge struct {
	desc *prometheus.Desc
	now  func() time.Time
	// at is the Unix nanosecond time of the newest witnessed checkpoint, 0
	// for none. Atomic: written by the witness loop, read by scrapes.
	at atomic.Int64
}

func newWitnessAge(now func() time.Time) *witnessAge {
	return &witnessAge{
		desc: prometheus.NewDesc(witnessAgeName,
			"Seconds since the newest checkpoint cosigned by a quorum of the scheme's witnesses (absent until there is one).", nil, nil),
		now: now,
	}
}

// Describe implements prometheus.Collector.
func (w *witnessAge) Describe(ch chan<- *prometheus.Desc) { ch <- w.desc }

// Collect implements prometheus.Collector.
func (w *witnessAge) Collect(ch chan<- prometheus.Metric) {
	at := w.at.Load()
	if at == 0 {
		return
	}
	age := w.now().Sub(time.Unix(0, at)).Seconds()
	ch <- prometheus.MustNewConstMetric(w.desc, prometheus.GaugeValue, max(age, 0))
}

// NoteWitnessedCheckpoint records that a checkpoint timestamped at gathered
// a quorum of witness cosignatures; saferef_witness_checkpoint_age_seconds
// reports the age of the newest one. Older times than one already noted are
// ignored. It is safe for concurrent use.
func (s *Server) NoteWitnessedCheckpoint(at time.Time) {
	n := at.UnixNano()
	for {
		old := s.metrics.witness.at.Load()
		if n <= old || s.metrics.witness.at.CompareAndSwap(old, n) {
			return
		}
	}
}
