package relay

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/protocol"
)

// DirectoryLog is what DirectoryLog fetched: the entries from the index
// asked for, the log's size when the last page was sent, and the relay's
// signed checkpoint for exactly that size.
type DirectoryLog struct {
	Entries    []protocol.DirectoryEntry
	Size       uint64
	Checkpoint []byte
}

// DirectoryLog fetches every directory log entry from index since onwards,
// asking again until it has all the entries the log held, and returns them
// with the checkpoint of the last page (the one for the size it reached).
// The caller verifies the checkpoint (translog.Monitor) before trusting any
// entry.
func (c *Conn) DirectoryLog(ctx context.Context, since uint64) (*DirectoryLog, error) {
	out := &DirectoryLog{}
	for {
		f, err := c.request(ctx, func(id uint64) protocol.Frame { return &protocol.DirectoryGet{ReqID: id, Since: since} })
		if err != nil {
			return nil, fmt.Errorf("get directory from %d: %w", since, err)
		}
		d, ok := f.(*protocol.Directory)
		if !ok {
			return nil, fmt.Errorf("get directory: %w: answered with %v", ErrProtocol, f.FrameType())
		}
		if len(d.Entries) > 0 && d.Entries[0].Index != since {
			return nil, fmt.Errorf("get directory: %w: asked from %d, got from %d", ErrProtocol, since, d.Entries[0].Index)
		}
		out.Entries = append(out.Entries, d.Entries...)
		out.Size, out.Checkpoint = d.Size, d.Checkpoint
		since += uint64(len(d.Entries))
		if since >= d.Size || len(d.Entries) == 0 {
			return out, nil
		}
	}
}

// Proof asks the relay for transparency-log proofs (see protocol.ProofGet:
// ReqID is filled in here) and returns its answer. A refusal (beyond-log)
// is a *protocol.Error.
func (c *Conn) Proof(ctx context.Context, q protocol.ProofGet) (*protocol.Proof, error) {
	f, err := c.request(ctx, func(id uint64) protocol.Frame {
		q.ReqID = id
		return &q
	})
	if err != nil {
		return nil, fmt.Errorf("get log proof (index %d, sizes %d to %d): %w", q.Index, q.OldSize, q.Size, err)
	}
	p, ok := f.(*protocol.Proof)
	if !ok {
		return nil, fmt.Errorf("get log proof: %w: answered with %v", ErrProtocol, f.FrameType())
	}
	return p, nil
}
