package postgres

import (
	"context"
	"fmt"
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
