package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/saferef/saferef/server/store"
)

// Listen calls fn with the mailbox of every envelope stored in this schema
// by any node (own is true for puts made through s) until ctx ends (then it returns nil) or the connection fails
// (then it returns the wrapped error). Payloads that are not a mailbox id
// are ignored.
func (s *Store) Listen(ctx context.Context, fn func(mailbox [16]byte, own bool)) error {
	const op = "listen for mailboxes"
	if err := s.usable(op); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()

	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return s.listenEnd(ctx, op, err)
	}
	defer func() {
		closeCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer done()
		conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return s.listenEnd(ctx, op, err)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return s.listenEnd(ctx, op, err)
		}
		mailbox, node, ok := parseNotifyPayload(n.Payload)
		if !ok {
			continue
		}
		fn(mailbox, node == s.node)
	}
}

// listenEnd is what Listen returns when it stops with err: nil if the
// caller's context ended, store.ErrClosed if the store was closed, otherwise
// the connection error.
func (s *Store) listenEnd(ctx context.Context, op string, err error) error {
	switch {
	case s.closed.Load():
		return fmt.Errorf("%s: %w", op, store.ErrClosed)
	case ctx.Err() != nil:
		return nil
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}

// notices holds the mailboxes stored into since notifyLoop last sent
// their notifications.
type notices struct {
	mu        sync.Mutex
	mailboxes map[[16]byte]struct{} // guarded by mu
	kick      chan struct{}         // capacity 1: mailboxes is not empty
}

// queueNotify asks notifyLoop to notify mailboxes, whose puts have
// committed. It never waits.
func (s *Store) queueNotify(mailboxes [][16]byte) {
	if len(mailboxes) == 0 {
		return
	}
	n := &s.notices
	n.mu.Lock()
	if n.mailboxes == nil {
		n.mailboxes = make(map[[16]byte]struct{})
	}
	for _, m := range mailboxes {
		n.mailboxes[m] = struct{}{}
	}
	n.mu.Unlock()
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

// notifySQL sends one notification per payload, in a transaction that does
// not wait for its WAL flush: a notification is a wake-up, at most once
// (Listen's callers catch up from Pending anyway), and waiting for the
// flush would hold PostgreSQL's notify lock, which every notifying commit
// in the cluster needs, for as long as an fsync.
const notifySQL = `SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, p) FROM unnest($2::text[]) AS p`

// notifyLoop sends the notifications queued by committed puts, everything
// queued meanwhile in one statement, until the store closes. A failed
// notification is dropped (notification is at most once).
func (s *Store) notifyLoop() {
	defer s.writers.Done()
	// base ends when the store closes, cutting short a notification in
	// flight.
	base, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		select {
		case <-s.done:
			stop()
		case <-base.Done():
		}
	}()
	n := &s.notices
	for {
		select {
		case <-n.kick:
		case <-s.done:
			return
		}
		n.mu.Lock()
		payloads := make([]string, 0, len(n.mailboxes))
		for m := range n.mailboxes {
			payloads = append(payloads, s.notifyPayload(m))
		}
		clear(n.mailboxes)
		n.mu.Unlock()
		ctx, cancel := context.WithTimeout(base, 10*time.Second)
		s.pool.Exec(ctx, notifySQL, s.channel, payloads)
		cancel()
	}
}
