package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/saferef/saferef/crypto/translog"
)

// ErrStoreRolledBack means the relay's store holds less of the directory
// log than the relay has signed before (Config.CheckpointFile): an empty or
// truncated database, or one restored from an old backup. Starting on it
// would silently lose pending envelopes and tell every device to get
// itself approved again, so New refuses unless Config.AcceptEmptyStore.
var ErrStoreRolledBack = errors.New("the store is older than the relay's own log")

// checkStoreAgainstCheckpoint compares the store's log (already replayed
// into s.tlog) with the last checkpoint this relay signed. A store that is
// smaller, or holds a different log at that size, is refused unless
// AcceptEmptyStore is set.
func (s *Server) checkStoreAgainstCheckpoint() error {
	path := s.cfg.CheckpointFile
	if path == "" {
		return nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // first start with this key
	}
	if err != nil {
		return fmt.Errorf("read last checkpoint: %w", err)
	}
	v, err := translog.ParseVerifierKey(s.cfg.LogVerifierKey)
	if err != nil {
		return err
	}
	last, err := translog.OpenCheckpoint(raw, v)
	if err != nil {
		return fmt.Errorf("last checkpoint %s: %w", path, err)
	}
	size := s.tlog.Size()
	problem := ""
	if size < last.Size {
		problem = fmt.Sprintf("the store holds %d directory entries, but this relay has signed a log of %d (%s): the database is empty, truncated or restored from an older backup", size, last.Size, path)
	} else {
		cp, err := s.tlog.Checkpoint(last.Size)
		if err != nil {
			return err
		}
		now, err := translog.OpenCheckpoint(cp, v)
		if err != nil {
			return err
		}
		if now.Root != last.Root {
			problem = fmt.Sprintf("the store's first %d directory entries differ from the log this relay signed (%s): the database belongs to another log", last.Size, path)
		}
	}
	if problem == "" {
		return nil
	}
	if !s.cfg.AcceptEmptyStore {
		return fmt.Errorf("%w: %s", ErrStoreRolledBack, problem)
	}
	s.cfg.Logger.Warn("starting on a store older than the relay's log, as told (--accept-empty-store); devices will report a rollback", "problem", problem)
	return nil
}

// saveCheckpoint writes the current signed checkpoint beside the log key,
// replacing the file atomically, so that the next start can tell whether
// the store went backwards. The caller holds dirMu.
func (s *Server) saveCheckpoint() {
	path := s.cfg.CheckpointFile
	if path == "" || !s.checkpointChecked {
		return
	}
	cp, err := s.tlog.Checkpoint(s.tlog.Size())
	if err == nil {
		err = writeFileAtomic(path, cp)
	}
	if err != nil {
		s.cfg.Logger.Error("save last checkpoint", "err", err)
	}
}

func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".checkpoint-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// probeLoop checks every ProbeEvery that the store can still commit a
// write, for /healthz.
func (s *Server) probeLoop(ctx context.Context) {
	defer s.bg.Done()
	t := time.NewTicker(s.cfg.ProbeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.probeNow(ctx)
		}
	}
}

// probeNow runs the write probe once and records its outcome.
func (s *Server) probeNow(ctx context.Context) {
	p, ok := s.store.(interface {
		ProbeWrite(context.Context) error
	})
	if !ok {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := p.ProbeWrite(pctx)
	if ctx.Err() != nil {
		return
	}
	prev := s.writeFailing.Swap(err != nil)
	switch {
	case err != nil && !prev:
		s.cfg.Logger.Error("store cannot write; /healthz reports unhealthy", "err", err)
	case err == nil && prev:
		s.cfg.Logger.Info("store can write again")
	}
}
