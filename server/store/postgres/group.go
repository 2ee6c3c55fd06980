package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/internal/storeutil"
)

// Group commit: PutEnvelope queues its put; groupWriters writers each take
// every put queued while their previous batch ran (up to maxGroup) and send
// them as one pgx.Batch, one round trip that PostgreSQL runs as one
// implicit transaction, committed without waiting for its WAL flush. The
// writer then signals each put committed (its recipients can have it),
// queues its mailboxes' notifications and hands the group to flushLoop,
// which makes it durable with one synchronous commit for every group
// committed meanwhile and only then answers the puts. The batch sends no
// NOTIFY: PostgreSQL serialises the commits of transactions that NOTIFY,
// WAL flush included, so the writers' commits could not overlap (nor their
// flushes be shared). The mailboxes are notified after the commit instead
// (notifyLoop).
const (
	groupWriters = 4
	maxGroup     = 256
	// flushQueue is how many committed groups may wait for flushLoop
	// before the writers wait too.
	flushQueue = 64
)

// groupBegin relaxes the group transaction's commit: it returns before its
// WAL is flushed, and flushLoop's synchronous commit flushes it after.
const groupBegin = `SELECT set_config('synchronous_commit', 'off', true)`

// flushSQL is a transaction that writes WAL (a transactional logical
// message, which any role may emit and which needs no table) and commits
// with the session's synchronous_commit (on by default): its commit
// returns once the WAL is flushed up to its commit record, and confirmed
// by synchronous standbys, so past every transaction committed before it
// began, the groups committed without waiting among them. (A transaction
// that only takes an id writes no WAL before its commit record, and
// PostgreSQL commits it without waiting for the flush:
// TestPutFlushedBeforeReturn.)
const flushSQL = `SELECT pg_logical_emit_message(true, 'saferef-flush', '')`

type putReq struct {
	ctx     context.Context
	e       store.Envelope
	devices [][16]byte
	quota   store.Quota
	key     int64
	// committed (capacity 1) is signalled once the put's group has
	// committed it; done (capacity 1) answers it once that is durable.
	committed chan struct{}
	done      chan error
}

// flushJob is a group of puts committed without waiting for its WAL flush,
// for flushLoop to answer once it is flushed.
type flushJob struct {
	puts    []*putReq
	results []error
}

// groupPut stores each put in one statement that reports what happened:
// whether the id was already stored, whether the quota allows it, and the
// new Seq (NULL if nothing was inserted). A put refused this way changes
// nothing and does not abort the batch.
const groupPut = `WITH
	dup AS (SELECT EXISTS (SELECT 1 FROM envelopes WHERE id = $1) AS d),
	q AS (SELECT ($7::bigint <= 0 OR COUNT(*) < $7::bigint)
	         AND ($8::bigint <= 0 OR COALESCE(SUM(size), 0) + $5::integer <= $8::bigint) AS ok
	        FROM envelopes WHERE mailbox = $2),
	ins AS (INSERT INTO envelopes (id, mailbox, expiry, received, size, body)
		SELECT $1::bytea, $2::bytea, $3::bigint, $4::bigint, $5::integer, $6::bytea
		 WHERE NOT (SELECT d FROM dup) AND (SELECT ok FROM q)
		ON CONFLICT (id) DO NOTHING
		RETURNING seq),
	dl AS (INSERT INTO deliveries (device, seq) SELECT unnest($9::bytea[]), seq FROM ins)
	SELECT (SELECT d FROM dup), (SELECT ok FROM q), (SELECT seq FROM ins)`

func (s *Store) groupLoop() {
	defer s.writers.Done()
	batch := make([]*putReq, 0, maxGroup)
	for {
		var first *putReq
		select {
		case first = <-s.puts:
		case <-s.done:
			return
		}
		batch = append(batch[:0], first)
	drain:
		for len(batch) < maxGroup {
			select {
			case p := <-s.puts:
				batch = append(batch, p)
			default:
				break drain
			}
		}
		s.commitGroup(batch)
		clear(batch)
	}
}

// commitGroup sends batch as one pgx.Batch and answers every put.
func (s *Store) commitGroup(batch []*putReq) {
	live := batch[:0:0]
	for _, p := range batch {
		if err := p.ctx.Err(); err != nil {
			p.done <- err
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return
	}
	// Lock mailboxes in key order, so that two batches (on this node or
	// another) never wait for each other in a cycle; puts of one mailbox
	// keep their queue order.
	slices.SortStableFunc(live, func(a, b *putReq) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	now := time.Now().Unix()
	b := &pgx.Batch{}
	b.Queue(groupBegin)
	var locked []int64
	for _, p := range live {
		if len(locked) == 0 || locked[len(locked)-1] != p.key {
			b.Queue(`SELECT pg_advisory_xact_lock($1)`, p.key)
			locked = append(locked, p.key)
		}
		body := p.e.Body
		if body == nil {
			body = []byte{}
		}
		b.Queue(groupPut, p.e.ID[:], p.e.Mailbox[:], storeutil.ExpirySeconds(p.e.Expiry), now, len(body), body,
			int64(p.quota.MaxEnvelopes), p.quota.MaxBytes, byteSlices(p.devices))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	results := make([]error, len(live))
	br := s.pool.SendBatch(ctx, b)
	err := func() error {
		if _, err := br.Exec(); err != nil {
			return err
		}
		prev := int64(0)
		first := true
		for i, p := range live {
			if first || p.key != prev {
				if _, err := br.Exec(); err != nil {
					return err
				}
				prev, first = p.key, false
			}
			var (
				dup, ok bool
				seq     pgtype.Int8
			)
			if err := br.QueryRow().Scan(&dup, &ok, &seq); err != nil {
				return err
			}
			switch {
			case dup:
				results[i] = store.ErrDuplicate
			case !ok:
				results[i] = fmt.Errorf("mailbox %x: %w", p.e.Mailbox, store.ErrMailboxFull)
			case !seq.Valid:
				// Another node stored the same id a moment ago.
				results[i] = store.ErrDuplicate
			}
		}
		return nil
	}()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		for _, p := range live {
			p.done <- fmt.Errorf("%w: %w", errGroup, err)
		}
		return
	}
	var stored [][16]byte
	for i, p := range live {
		if results[i] == nil {
			stored = append(stored, p.e.Mailbox)
			p.committed <- struct{}{}
		}
	}
	s.queueNotify(stored)
	select {
	case s.flushes <- flushJob{puts: slices.Clone(live), results: results}:
	case <-s.done:
		// PutEnvelope answers ErrClosed: committed, not known durable.
	}
}

// flushLoop makes committed groups durable: it takes every group the
// writers have committed since its last flush, runs one synchronous
// commit (flushSQL) and answers their puts, until the store closes.
func (s *Store) flushLoop() {
	defer s.writers.Done()
	var jobs []flushJob
	for {
		select {
		case j := <-s.flushes:
			jobs = append(jobs[:0], j)
		case <-s.done:
			return
		}
	drain:
		for {
			select {
			case j := <-s.flushes:
				jobs = append(jobs, j)
			default:
				break drain
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if s.testBeforeFlush != nil {
			s.testBeforeFlush()
		}
		_, err := s.pool.Exec(ctx, flushSQL)
		cancel()
		for _, j := range jobs {
			for i, p := range j.puts {
				r := j.results[i]
				if err != nil {
					// Not known durable: failed, a duplicate too (its
					// first copy may not be flushed yet).
					r = fmt.Errorf("%w: flush: %w", errGroup, err)
				}
				p.done <- r
			}
		}
		clear(jobs)
	}
}

// errGroup marks a failure of the whole group transaction.
var errGroup = errors.New("group commit failed")
