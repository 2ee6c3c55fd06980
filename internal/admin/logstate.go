package admin

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/saferef/saferef/crypto/translog"
)

// VerifiedCheckpointFile is where 'log verify' keeps, in the admin
// directory, the newest checkpoint it verified, so that a relay whose store
// went back (emptied, truncated, restored from an old backup) is reported
// as a rollback instead of "entries: 0 ... log ok".
const VerifiedCheckpointFile = "log-verified.checkpoint"

// checkVerifiedBefore compares the relay's log (checkpoint cp over
// objects, already audited) with the checkpoint this admin directory
// verified before: the log must be at least as large, and its first
// entries must hash to the same root. On success the new checkpoint is
// kept.
func checkVerifiedBefore(dir, key string, cp []byte, objects [][]byte) error {
	path := filepath.Join(dir, VerifiedCheckpointFile)
	v, err := translog.ParseVerifierKey(key)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read %s: %w", path, err)
	default:
		before, err := translog.OpenCheckpoint(raw, v)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if int64(len(objects)) < before.Size {
			return markf(ErrLogRolledBack, "the relay's log has %d entries, but this admin directory verified %d before", len(objects), before.Size)
		}
		root, err := translog.RootOf(objects[:before.Size])
		if err != nil {
			return err
		}
		if root != before.Root {
			return markf(ErrLogRolledBack, "the relay's first %d entries differ from the log this admin directory verified", before.Size)
		}
	}
	if err := os.WriteFile(path, cp, 0o644); err != nil {
		return fmt.Errorf("keep the verified checkpoint: %w", err)
	}
	return nil
}
