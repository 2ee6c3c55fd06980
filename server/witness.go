package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/saferef/saferef/crypto/translog"
)

// maxCosignatureResponse bounds a witness's answer (a few cosignature
// lines).
const maxCosignatureResponse = 4096

// errWitnessConflict is a witness's 409: it has cosigned another size.
type errWitnessConflict struct{ known int64 }

func (e *errWitnessConflict) Error() string {
	return fmt.Sprintf("the witness has cosigned size %d", e.known)
}

// witnessState is what the relay knows about one witness.
type witnessState struct {
	url   string
	known int64  // the size the witness last cosigned, as far as the relay knows
	size  int64  // the size cosig is for
	cosig []byte // its newest cosignature lines, for size
}

// witnesser submits the relay's checkpoints to the scheme's witnesses
// (C2SP tlog-witness add-checkpoint) and keeps the cosignatures they
// return, so that checkpoints are served with them. One goroutine
// (run) talks to the witnesses; kick wakes it after a publish.
type witnesser struct {
	s      *Server
	client *http.Client
	kickCh chan struct{}

	mu        sync.Mutex // guards witnesses
	witnesses []*witnessState
}

func newWitnesser(s *Server) *witnesser {
	w := &witnesser{s: s, client: s.cfg.WitnessClient, kickCh: make(chan struct{}, 1)}
	for _, u := range s.cfg.Witnesses {
		w.witnesses = append(w.witnesses, &witnessState{url: strings.TrimSuffix(u, "/")})
	}
	return w
}

// kick asks for the current checkpoint to be witnessed now.
func (w *witnesser) kick() {
	select {
	case w.kickCh <- struct{}{}:
	default:
	}
}

// run witnesses the current checkpoint at start, after every kick, and
// every WitnessEvery (so that cosignatures stay fresh while the log does
// not change).
func (w *witnesser) run(ctx context.Context) {
	defer w.s.bg.Done()
	t := time.NewTicker(w.s.cfg.WitnessEvery)
	defer t.Stop()
	for {
		w.round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.kickCh:
		}
	}
}

// round submits the current checkpoint to every witness, one after the
// other.
func (w *witnesser) round(ctx context.Context) {
	size, cp, err := w.s.currentCheckpoint(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.s.cfg.Logger.Error("witness round: current checkpoint", "err", err)
		}
		return
	}
	w.mu.Lock()
	ws := append([]*witnessState(nil), w.witnesses...)
	w.mu.Unlock()
	for _, st := range ws {
		if ctx.Err() != nil {
			return
		}
		cosig, known, err := w.submitWithRetry(ctx, st, size, cp)
		w.mu.Lock()
		if err == nil {
			st.known, st.size, st.cosig = size, size, cosig
		} else if known >= 0 {
			st.known = known
		}
		w.mu.Unlock()
		if err != nil {
			w.s.metrics.witnessFailed.Inc()
			w.s.cfg.Logger.Warn("witness did not cosign", "witness", st.url, "size", size, "err", err)
			continue
		}
		w.s.metrics.witnessCosigned.Inc()
	}
	w.noteQuorum(size, cp)
}

// noteQuorum records, for saferef_witness_checkpoint_age_seconds, when
// the served checkpoint for size last gathered a quorum of the scheme's
// witnesses (the set in the directory: the scheme file's or a later one).
func (w *witnesser) noteQuorum(size int64, cp []byte) {
	set, err := translog.NewWitnesses(w.s.dir.WitnessSet())
	if err != nil || set == nil {
		return
	}
	c, err := translog.OpenWitnessed(w.cosigned(size, cp), w.s.logVerifier, set)
	if err != nil {
		return
	}
	if t, err := set.QuorumTime(c, w.s.cfg.Now()); err == nil {
		w.s.NoteWitnessedCheckpoint(t)
	}
}

// submitWithRetry submits cp (for size) to one witness from the size it
// is known to have, and once more from the size it says it has if that
// was wrong (after a relay restart). known is the witness's size when it
// said, else -1.
func (w *witnesser) submitWithRetry(ctx context.Context, st *witnessState, size int64, cp []byte) (cosig []byte, known int64, err error) {
	w.mu.Lock()
	old := st.known
	w.mu.Unlock()
	if old > size {
		old = 0
	}
	known = -1
	for range 2 {
		cosig, err = w.submit(ctx, st.url, old, size, cp)
		var conflict *errWitnessConflict
		if !errors.As(err, &conflict) {
			return cosig, known, err
		}
		known = conflict.known
		if known > size {
			return nil, known, fmt.Errorf("the witness has cosigned a larger log (%d entries) than this relay holds (%d): this relay is behind or was restored from an old backup", known, size)
		}
		old = known
	}
	return nil, known, err
}

// submit makes one add-checkpoint request.
func (w *witnesser) submit(ctx context.Context, url string, old, size int64, cp []byte) ([]byte, error) {
	var body bytes.Buffer
	fmt.Fprintf(&body, "old %d\n", old)
	if old > 0 && old < size {
		proof, err := w.s.tlog.ProveConsistency(old, size)
		if err != nil {
			return nil, fmt.Errorf("consistency proof from %d to %d: %w", old, size, err)
		}
		for _, h := range proof {
			body.WriteString(tlog.Hash(h).String() + "\n")
		}
	}
	body.WriteString("\n")
	body.Write(cp)
	ctx, cancel := context.WithTimeout(ctx, w.s.cfg.WitnessTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/add-checkpoint", &body)
	if err != nil {
		return nil, fmt.Errorf("add-checkpoint: %w", err)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("add-checkpoint: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxCosignatureResponse+1))
	if err != nil {
		return nil, fmt.Errorf("add-checkpoint: read answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusConflict:
		n, perr := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if perr != nil || n < 0 {
			return nil, fmt.Errorf("add-checkpoint: conflict with an unreadable size")
		}
		return nil, &errWitnessConflict{known: n}
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("add-checkpoint: %s: %s", resp.Status, strings.TrimSpace(string(firstLine(b))))
	case len(b) == 0 || len(b) > maxCosignatureResponse || b[len(b)-1] != '\n':
		return nil, fmt.Errorf("add-checkpoint: malformed cosignature answer of %d bytes", len(b))
	}
	// Check it is what we asked for before serving it to devices: a
	// cosignature line on our checkpoint (devices verify the signature).
	if _, err := translog.OpenCheckpoint(translog.AddCosignatures(cp, b), w.s.logVerifier); err != nil {
		return nil, fmt.Errorf("add-checkpoint: the answer is not a cosignature line: %w", err)
	}
	return b, nil
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

// cosigned returns the checkpoint cp for size with every cosignature the
// witnesses gave for that size.
func (w *witnesser) cosigned(size int64, cp []byte) []byte {
	if w == nil {
		return cp
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var sigs [][]byte
	for _, st := range w.witnesses {
		if st.size == size && st.cosig != nil {
			sigs = append(sigs, st.cosig)
		}
	}
	return translog.AddCosignatures(cp, sigs...)
}
