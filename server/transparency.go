package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/protocol"
)

// currentCheckpoint catches up with entries other relay nodes have
// appended and returns the log's size and its signed checkpoint.
func (s *Server) currentCheckpoint(ctx context.Context) (int64, []byte, error) {
	s.dirMu.Lock()
	err := s.reloadLocked(ctx)
	size := s.tlog.Size()
	s.dirMu.Unlock()
	if err != nil {
		return 0, nil, err
	}
	cp, err := s.tlog.Checkpoint(size)
	if err != nil {
		return 0, nil, err
	}
	return size, cp, nil
}

// servedCheckpoint returns the current size and its checkpoint with the
// witnesses' cosignatures for that size (none yet, right after a publish,
// or while they are unreachable: devices then see the view go stale).
func (s *Server) servedCheckpoint(ctx context.Context) (int64, []byte, error) {
	size, cp, err := s.currentCheckpoint(ctx)
	if err != nil {
		return 0, nil, err
	}
	return size, s.witness.cosigned(size, cp), nil
}

// handleProofGet answers a request for transparency-log proofs with the
// checkpoint for the requested size (the current one for 0) and the
// inclusion and consistency proofs asked for.
func (c *conn) handleProofGet(ctx context.Context, f *protocol.ProofGet) {
	out, err := c.s.proofs(ctx, f)
	switch {
	case errors.Is(err, translog.ErrOutOfRange):
		c.sendError(protocol.CodeBeyondLog, err.Error(), f.ReqID, false)
	case err != nil:
		c.s.cfg.Logger.Error("prove log", "err", err)
		c.sendError(protocol.CodeInternal, "the relay could not build the proof; try again", f.ReqID, false)
	default:
		c.enqueue(out)
	}
}

func (s *Server) proofs(ctx context.Context, f *protocol.ProofGet) (*protocol.Proof, error) {
	current, _, err := s.currentCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	size := current
	if f.Size != 0 {
		if f.Size > uint64(current) {
			return nil, fmt.Errorf("size %d: %w: the log has %d entries", f.Size, translog.ErrOutOfRange, current)
		}
		size = int64(f.Size)
	}
	if f.HasIndex && f.Index >= uint64(size) {
		return nil, fmt.Errorf("entry %d: %w: the tree has %d entries", f.Index, translog.ErrOutOfRange, size)
	}
	if f.OldSize > uint64(size) {
		return nil, fmt.Errorf("old size %d: %w: the tree has %d entries", f.OldSize, translog.ErrOutOfRange, size)
	}
	cp, err := s.tlog.Checkpoint(size)
	if err != nil {
		return nil, err
	}
	out := &protocol.Proof{ReqID: f.ReqID, Checkpoint: s.witness.cosigned(size, cp)}
	if f.HasIndex {
		if out.Inclusion, err = s.tlog.ProveInclusion(int64(f.Index), size); err != nil {
			return nil, err
		}
	}
	if f.OldSize > 0 {
		if out.Consistency, err = s.tlog.ProveConsistency(int64(f.OldSize), size); err != nil {
			return nil, err
		}
	}
	return out, nil
}
