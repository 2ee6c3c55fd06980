package postgres

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/internal/storeutil"
)

// uniqueViolation is PostgreSQL's SQLSTATE for a unique constraint failure.
const uniqueViolation = "23505"

// PutEnvelope stores e and a pending delivery for each device, and notifies
// every node's listeners of e's mailbox. It queues the put for the group
// writers, calls stored (if not nil) once the transaction holding it has
// committed, and returns once that commit's WAL has been flushed: one
// round trip carries every put queued meanwhile, and one synchronous
// commit flushes every group committed meanwhile (see groupLoop). Puts to
// one mailbox are ordered by a transaction-scoped advisory lock on that
// mailbox, so puts to different mailboxes never wait on one another, on
// this node or any other.
func (s *Store) PutEnvelope(ctx context.Context, e store.Envelope, devices [][16]byte, quota store.Quota, stored func()) error {
	op := fmt.Sprintf("put envelope %x", e.ID)
	if err := s.usable(op); err != nil {
		return err
	}
	if err := storeutil.CheckEnvelope(e); err != nil {
		return err
	}
	p := &putReq{ctx: ctx, e: e, devices: storeutil.UniqueDevices(devices), quota: quota,
		key: s.keys.mailbox(e.Mailbox), committed: make(chan struct{}, 1), done: make(chan error, 1)}
	select {
	case s.puts <- p:
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", op, ctx.Err())
	case <-s.done:
		return fmt.Errorf("%s: %w", op, store.ErrClosed)
	}
	err, ok := storeutil.AwaitPut(p.committed, p.done, s.done, stored)
	if !ok {
		// The writers stop when the store closes; a put they were
		// committing may or may not have been stored.
		return fmt.Errorf("%s: %w", op, store.ErrClosed)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrDuplicate), errors.Is(err, store.ErrMailboxFull):
		return fmt.Errorf("%s: %w", op, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
		return fmt.Errorf("%s: %w", op, store.ErrDuplicate)
	}
	return s.fail(op, err)
}

// MailboxLock returns the key of the transaction-scoped advisory lock that
// orders puts to mailbox in this store's schema, as pg_locks shows it (the
// high and low 32 bits in classid and objid), for operators tracing lock
// waits and for tests.
func (s *Store) MailboxLock(mailbox [16]byte) int64 { return s.keys.mailbox(mailbox) }

// notifyPayload is the NOTIFY payload for a put to mailbox: the mailbox id
// and this Store's node tag, in hex, so that Listen can tell its own puts.
func (s *Store) notifyPayload(mailbox [16]byte) string {
	return hex.EncodeToString(mailbox[:]) + "." + hex.EncodeToString(s.node[:])
}

// parseNotifyPayload reads a payload written by notifyPayload (or a bare
// mailbox id, as older nodes sent).
func parseNotifyPayload(p string) (mailbox [16]byte, node [8]byte, ok bool) {
	m, n, hasNode := stringsCut(p, '.')
	if hex.DecodedLen(len(m)) != len(mailbox) {
		return mailbox, node, false
	}
	if _, err := hex.Decode(mailbox[:], []byte(m)); err != nil {
		return mailbox, node, false
	}
	if hasNode {
		if hex.DecodedLen(len(n)) != len(node) {
			return mailbox, node, false
		}
		if _, err := hex.Decode(node[:], []byte(n)); err != nil {
			return mailbox, node, false
		}
	}
	return mailbox, node, true
}

func stringsCut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
