package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/internal/storeutil"
)

// PutEnvelope stores e and a pending delivery for each device. It hands the
// write to the group-commit writer, calls stored (if not nil) once the
// group holding it has committed, and returns once the WAL has been synced
// after that commit (see syncLoop).
func (s *Store) PutEnvelope(ctx context.Context, e store.Envelope, devices [][16]byte, quota store.Quota, stored func()) error {
	op := fmt.Sprintf("put envelope %x", e.ID)
	if err := s.writable(op); err != nil {
		return err
	}
	if err := storeutil.CheckEnvelope(e); err != nil {
		return err
	}
	r := s.submit(&writeOp{ctx: ctx, put: &putOp{e: e, devices: storeutil.UniqueDevices(devices), quota: quota}}, stored)
	if r.err != nil {
		if errors.Is(r.err, store.ErrDuplicate) || errors.Is(r.err, store.ErrMailboxFull) {
			return fmt.Errorf("%s: %w", op, r.err)
		}
		return s.fail(op, r.err)
	}
	return nil
}
