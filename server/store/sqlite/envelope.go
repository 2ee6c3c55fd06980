package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/internal/storeutil"
)

// PutEnvelope stores e and a pending delivery for each device in one durable
// transaction.
func (s *Store) PutEnvelope(ctx context.Context, e store.Envelope, devices [][16]byte, quota store.Quota) error {
	op := fmt.Sprintf("put envelope %x", e.ID)
	if err := s.usable(op); err != nil {
		return err
	}
	if err := storeutil.CheckEnvelope(e); err != nil {
		return err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(op, err)
	}
	defer tx.Rollback()

	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM envelopes WHERE id = ?`, e.ID[:]).Scan(&exists); err != nil {
		return s.fail(op, err)
	}
	if exists > 0 {
		return fmt.Errorf("%s: %w", op, store.ErrDuplicate)
	}
	if quota.MaxEnvelopes > 0 || quota.MaxBytes > 0 {
		var count, size int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM envelopes WHERE mailbox = ?`,
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
	res, err := tx.ExecContext(ctx,
		`INSERT INTO envelopes (id, mailbox, expiry, received, size, body) VALUES (?, ?, ?, ?, ?, ?)`,
		e.ID[:], e.Mailbox[:], storeutil.ExpirySeconds(e.Expiry), time.Now().Unix(), len(body), body)
	if err != nil {
		return s.fail(op, err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return s.fail(op, err)
	}
	if devs := storeutil.UniqueDevices(devices); len(devs) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (device, seq) VALUES (?, ?)`)
		if err != nil {
			return s.fail(op, err)
		}
		defer stmt.Close()
		for _, d := range devs {
			if _, err := stmt.ExecContext(ctx, d[:], seq); err != nil {
				return s.fail(op, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return s.fail(op, err)
	}
	return nil
}
