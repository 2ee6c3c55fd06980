package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/server/store"
)

// directoryPage is the most directory entries sent in one Directory frame.
const directoryPage = 1000

// directoryPageBytes caps the objects' total size in one Directory frame.
const directoryPageBytes = 512 << 10

// handlePublish accepts a signed certificate, revocation or key update if it
// verifies up to the scheme root, and appends it to the directory log.
func (c *conn) handlePublish(ctx context.Context, f *protocol.Publish) {
	index, err := c.s.publish(ctx, f.Object)
	if errors.Is(err, errStore) {
		c.storeFailed(ctx, "publish", err, f.ReqID, false)
		return
	}
	if err != nil {
		c.sendError(protocol.CodeBadCertificate, err.Error(), f.ReqID, false)
		return
	}
	c.enqueue(&protocol.PublishOK{ReqID: f.ReqID, Index: index})
}

// publish verifies obj against the directory, appends it to the store and,
// for a revocation, shuts out the devices it revokes at once.
func (s *Server) publish(ctx context.Context, obj []byte) (uint64, error) {
	s.dirMu.Lock()
	defer s.dirMu.Unlock()
	if err := s.reloadLocked(ctx); err != nil {
		return 0, fmt.Errorf("publish: %w: %w", errStore, err)
	}
	kind, err := s.dir.Add(obj, s.cfg.Now())
	s.dirGen.Add(1)
	if err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	index, err := s.store.AppendDirectory(ctx, kind, obj)
	if err != nil {
		// The directory in memory is now ahead of the store; the object
		// verified, so the worst case is that it is forgotten at restart
		// and has to be published again.
		return 0, fmt.Errorf("publish %s: %w: %w", kind, errStore, err)
	}
	switch {
	case index == s.dirNext:
		if _, err := s.tlog.Append(obj); err != nil {
			return 0, fmt.Errorf("publish: %w", err)
		}
		s.dirNext++
		s.saveCheckpoint()
	case index > s.dirNext:
		// Another node appended in between: catch up, this entry included
		// (adding it to the directory again is a no-op).
		if err := s.reloadLocked(ctx); err != nil {
			return 0, fmt.Errorf("publish: %w", err)
		}
	}
	s.metrics.directoryAccepted.Inc()
	if s.witness != nil {
		s.witness.kick()
	}
	s.cfg.Logger.Info("directory entry published", "kind", kind, "index", index)
	if kind == "revocation" {
		s.enforceRevocations(ctx)
	}
	return index, nil
}

// enforceRevocations closes the sessions of devices that are no longer
// current and removes their pending deliveries.
func (s *Server) enforceRevocations(ctx context.Context) {
	s.mu.Lock()
	var gone []*conn
	for c := range s.conns {
		if c.authed && s.checkDevice(c.device) != nil {
			gone = append(gone, c)
		}
	}
	s.mu.Unlock()
	for _, c := range gone {
		c.closeWith(protocol.CodeDeviceRevoked, "this device has been revoked; ask your organisation admin", dropRevoked)
	}
	for _, org := range s.dir.Orgs() {
		for _, d := range s.dir.Devices(org.Cert.Org) {
			if s.checkDevice(d.Cert.Device) == nil {
				continue
			}
			if n, err := s.store.DropDevice(ctx, [16]byte(d.Cert.Device)); err != nil {
				s.cfg.Logger.Error("drop revoked device's deliveries", "err", err)
			} else if n > 0 {
				s.metrics.envelopesDeleted.Add(float64(n))
			}
		}
	}
}

// handleDirectoryGet sends a page of the directory log from f.Since, the
// log's size and the signed checkpoint for that size.
func (c *conn) handleDirectoryGet(ctx context.Context, f *protocol.DirectoryGet) {
	size, cp, err := c.s.servedCheckpoint(ctx)
	if err != nil {
		c.storeFailed(ctx, "read directory", err, f.ReqID, false)
		return
	}
	var entries []store.DirectoryEntry
	if f.Since < uint64(size) {
		entries, err = c.s.store.Directory(ctx, f.Since, int(min(directoryPage, uint64(size)-f.Since)))
		if err != nil {
			c.storeFailed(ctx, "read directory", err, f.ReqID, false)
			return
		}
	}
	out := &protocol.Directory{ReqID: f.ReqID, Size: uint64(size), Checkpoint: cp}
	bytes := 0
	for _, e := range entries {
		if e.Index >= uint64(size) {
			break // appended since the checkpoint: next time
		}
		// Keep the frame well under the frame size limit; the client
		// asks again from the next index.
		if bytes+len(e.Object) > directoryPageBytes && len(out.Entries) > 0 {
			break
		}
		bytes += len(e.Object) + 16
		out.Entries = append(out.Entries, protocol.DirectoryEntry{Index: e.Index, Object: e.Object})
	}
	c.enqueue(out)
}
