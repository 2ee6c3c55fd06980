package server

import (
	"context"
	"sync"
	"time"

	"github.com/saferef/saferef/server/store"
)

// Acknowledgements are applied to the store in batches gathered from every
// connection: a device sees only a few deliveries a second, so batching per
// device would save nothing, while one commit for all of them costs one
// fsync instead of one per Ack frame.
const (
	// ackDelay is how long the acker gathers acknowledgements after the
	// first one of a batch before applying them.
	ackDelay = 2 * time.Millisecond
	// ackBatchIDs applies a batch at once when it holds this many ids.
	ackBatchIDs = 4096
)

// acker gathers Ack frames from every connection and applies them with
// store.AckBatch.
type acker struct {
	s    *Server
	kick chan struct{} // capacity 1: a batch has started
	full chan struct{} // capacity 1: a batch is full

	mu    sync.Mutex
	batch []store.Acks // guarded by mu
	ids   int          // guarded by mu: ids in batch
	// added counts the Ack frames queued, done those whose batch has been
	// applied (or has failed); settle waits on doneCond. Guarded by mu.
	added, done uint64
	doneCond    *sync.Cond
}

func newAcker(s *Server) *acker {
	a := &acker{s: s, kick: make(chan struct{}, 1), full: make(chan struct{}, 1)}
	a.doneCond = sync.NewCond(&a.mu)
	return a
}

// settle waits until every acknowledgement queued before it was called has
// been applied (or its batch has failed), so that a device's new
// connection does not read back envelopes its previous connection has just
// acknowledged. It gives up when ctx ends.
func (a *acker) settle(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
		a.mu.Lock()
		a.doneCond.Broadcast()
		a.mu.Unlock()
	})
	defer stop()
	a.mu.Lock()
	defer a.mu.Unlock()
	for target := a.added; a.done < target && ctx.Err() == nil; {
		a.doneCond.Wait()
	}
}

// add queues one device's acknowledgements. It never waits for the store.
func (a *acker) add(_ context.Context, acks store.Acks) {
	if len(acks.IDs) == 0 {
		return
	}
	a.mu.Lock()
	first := len(a.batch) == 0
	a.batch = append(a.batch, acks)
	a.ids += len(acks.IDs)
	a.added++
	full := a.ids >= ackBatchIDs
	a.mu.Unlock()
	if first {
		signal(a.kick)
	}
	if full {
		signal(a.full)
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// loop applies batches until ctx ends, then applies what is left.
func (a *acker) loop(ctx context.Context) {
	defer a.s.bg.Done()
	t := time.NewTimer(ackDelay)
	defer t.Stop()
	for {
		select {
		case <-a.kick:
		case <-ctx.Done():
			a.flush(context.Background())
			return
		}
		t.Reset(ackDelay)
		select {
		case <-t.C:
		case <-a.full:
		case <-ctx.Done():
		}
		a.flush(ctx)
	}
}

// flush applies the gathered batch. A batch that fails is logged and
// dropped: its envelopes stay pending and are delivered again.
func (a *acker) flush(ctx context.Context) {
	a.mu.Lock()
	batch := a.batch
	upto := a.added
	a.batch, a.ids = nil, 0
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.done = max(a.done, upto)
		a.doneCond.Broadcast()
		a.mu.Unlock()
	}()
	select {
	case <-a.full:
	default:
	}
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	n, err := a.s.store.AckBatch(ctx, batch)
	if err != nil {
		a.s.cfg.Logger.Error("apply acknowledgements; their envelopes will be delivered again", "devices", len(batch), "err", err)
		a.s.metrics.ackBatchesFailed.Inc()
		return
	}
	a.s.metrics.envelopesDeleted.Add(float64(n))
}
