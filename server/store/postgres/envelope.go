package postgres

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/internal/storeutil"
)

// uniqueViolation is PostgreSQL's SQLSTATE for a unique constraint failure.
const uniqueViolation = "23505"

// insertEnvelope inserts the envelope unless the mailbox's quota refuses
// it, in which case it returns no row. A duplicate id is always attempted,
// so that it fails with a unique violation rather than a quota refusal.
const insertEnvelope = `INSERT INTO envelopes (id, mailbox, expiry, received, size, body)
	SELECT $1::bytea, $2::bytea, $3::bigint, $4::bigint, $5::integer, $6::bytea
	 WHERE EXISTS (SELECT 1 FROM envelopes WHERE id = $1)
	    OR (($7::bigint <= 0 OR (SELECT COUNT(*) FROM envelopes WHERE mailbox = $2) < $7::bigint)
	    AND ($8::bigint <= 0 OR (SELECT COALESCE(SUM(size), 0) FROM envelopes WHERE mailbox = $2) + $5::integer <= $8::bigint))
	RETURNING seq`

// PutEnvelope stores e and a pending delivery for each device, and notifies
// every node's listeners of e's mailbox, in one round trip: the statements
// go as one pgx.Batch, which PostgreSQL runs as one implicit transaction,
// committed (and flushed, with synchronous_commit on) before the answer.
// Puts to one mailbox are ordered by a transaction-scoped advisory lock on
// that mailbox, so puts to different mailboxes never wait on one another,
// on this node or any other.
func (s *Store) PutEnvelope(ctx context.Context, e store.Envelope, devices [][16]byte, quota store.Quota) error {
	op := fmt.Sprintf("put envelope %x", e.ID)
	if err := s.usable(op); err != nil {
		return err
	}
	if err := storeutil.CheckEnvelope(e); err != nil {
		return err
	}
	body := e.Body
	if body == nil {
		body = []byte{}
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, s.keys.mailbox(e.Mailbox))
	b.Queue(insertEnvelope, e.ID[:], e.Mailbox[:], storeutil.ExpirySeconds(e.Expiry), time.Now().Unix(), len(body), body,
		int64(quota.MaxEnvelopes), quota.MaxBytes)
	devs := storeutil.UniqueDevices(devices)
	if len(devs) > 0 {
		b.Queue(`INSERT INTO deliveries (device, seq) SELECT unnest($1::bytea[]), seq FROM envelopes WHERE id = $2`,
			byteSlices(devs), e.ID[:])
	}
	b.Queue(`SELECT pg_notify($1, $2)`, s.channel, s.notifyPayload(e.Mailbox))
	br := s.pool.SendBatch(ctx, b)
	full := false
	_, err := br.Exec()
	if err == nil {
		var seq int64
		err = br.QueryRow().Scan(&seq)
		if errors.Is(err, pgx.ErrNoRows) {
			full, err = true, nil
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
			return fmt.Errorf("%s: %w", op, store.ErrDuplicate)
		}
		return s.fail(op, err)
	}
	if full {
		return fmt.Errorf("%s: mailbox %x: %w", op, e.Mailbox, store.ErrMailboxFull)
	}
	return nil
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
