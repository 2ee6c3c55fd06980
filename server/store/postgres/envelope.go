package postgres

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/internal/storeutil"
)

// uniqueViolation is PostgreSQL's SQLSTATE for a unique constraint failure.
const uniqueViolation = "23505"

// PutEnvelope stores e and a pending delivery for each device in one
// committed transaction, and notifies every node's listeners of e's mailbox.
func (s *Store) PutEnvelope(ctx context.Context, e store.Envelope, devices [][16]byte, quota store.Quota) error {
	op := fmt.Sprintf("put envelope %x", e.ID)
	if err := s.usable(op); err != nil {
		return err
	}
	if err := storeutil.CheckEnvelope(e); err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.fail(op, err)
	}
	defer rollback(ctx, tx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.keys.put); err != nil {
		return s.fail(op, err)
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM envelopes WHERE id = $1)`, e.ID[:]).Scan(&exists); err != nil {
		return s.fail(op, err)
	}
	if exists {
		return fmt.Errorf("%s: %w", op, store.ErrDuplicate)
	}
	if quota.MaxEnvelopes > 0 || quota.MaxBytes > 0 {
		var count, size int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM envelopes WHERE mailbox = $1`,
			e.Mailbox[:]).Scan(&count, &size); err != nil {
			return s.fail(op, err)
		}
		if quota.MaxEnvelopes > 0 && count >= int64(quota.MaxEnvelopes) {
			return fmt.Errorf("%s: mailbox %x holds %d envelopes: %w", op, e.Mailbox, count, store.ErrMailboxFull)
		}
		if quota.MaxBytes > 0 && size+int64(len(e.Body)) > quota.MaxBytes {
			return fmt.Errorf("%s: mailbox %x holds %d bytes: %w", op, e.Mailbox, size, store.ErrMailboxFull)
		}
	}
	body := e.Body
	if body == nil {
		body = []byte{}
	}
	var seq int64
	err = tx.QueryRow(ctx,
		`INSERT INTO envelopes (id, mailbox, expiry, received, size, body) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq`,
		e.ID[:], e.Mailbox[:], storeutil.ExpirySeconds(e.Expiry), time.Now().Unix(), len(body), body).Scan(&seq)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
			return fmt.Errorf("%s: %w", op, store.ErrDuplicate)
		}
		return s.fail(op, err)
	}
	if devs := storeutil.UniqueDevices(devices); len(devs) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO deliveries (device, seq) SELECT unnest($1::bytea[]), $2`,
			byteSlices(devs), seq); err != nil {
			return s.fail(op, err)
		}
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, s.channel, hex.EncodeToString(e.Mailbox[:])); err != nil {
		return s.fail(op, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return s.fail(op, err)
	}
	return nil
}
