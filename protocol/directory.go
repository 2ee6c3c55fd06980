package protocol

import (
	"errors"
	"fmt"
)

// Publish (0x20, device to relay, allowed before Auth because signed objects
// authenticate themselves) appends a signed directory object (certificate,
// revocation or key update, at most MaxObjectSize bytes) to the directory
// log. The relay verifies it against the directory before appending and
// answers PublishOK or Error with the same non-zero ReqID.
type Publish struct {
	ReqID  uint64 `cbor:"r"`
	Object []byte `cbor:"x"`
}

// FrameType returns TypePublish.
func (Publish) FrameType() Type { return TypePublish }

func (f Publish) check() error {
	return errors.Join(checkReqID(f.ReqID), checkObject(f.Object))
}

// PublishOK (0x21, relay to device) answers Publish: Index is the object's
// position (from 0) in the directory log. Publishing an object already in the
// log returns its existing index.
type PublishOK struct {
	ReqID uint64 `cbor:"r"`
	Index uint64 `cbor:"i"`
}

// FrameType returns TypePublishOK.
func (PublishOK) FrameType() Type { return TypePublishOK }

func (f PublishOK) check() error { return checkReqID(f.ReqID) }

// DirectoryGet (0x22, device to relay, allowed before Auth because the
// directory is public) asks for directory log entries from index Since
// onwards.
type DirectoryGet struct {
	ReqID uint64 `cbor:"r"`
	Since uint64 `cbor:"s"`
}

// FrameType returns TypeDirectoryGet.
func (DirectoryGet) FrameType() Type { return TypeDirectoryGet }

func (f DirectoryGet) check() error { return checkReqID(f.ReqID) }

// DirectoryEntry is one object of the directory log at position Index.
type DirectoryEntry struct {
	Index  uint64 `cbor:"i"`
	Object []byte `cbor:"x"`
}

// Directory (0x23, relay to device) answers DirectoryGet with consecutive
// log entries starting at the requested index, as many as fit in one frame
// (at most MaxDirectoryEntries, possibly none), and Size, the number of
// entries in the log now. A device asks again from the index after the last
// entry until it has Size entries. Checkpoint is the relay's signed
// transparency-log checkpoint for the tree of exactly Size entries (at most
// MaxCheckpointSize bytes); a relay always sends one, and a device verifies
// it before trusting any entry.
type Directory struct {
	ReqID      uint64           `cbor:"r"`
	Entries    []DirectoryEntry `cbor:"e"`
	Size       uint64           `cbor:"s"`
	Checkpoint []byte           `cbor:"c"`
}

// FrameType returns TypeDirectory.
func (Directory) FrameType() Type { return TypeDirectory }

func (f Directory) check() error {
	if err := checkReqID(f.ReqID); err != nil {
		return err
	}
	if len(f.Checkpoint) > MaxCheckpointSize {
		return fmt.Errorf("checkpoint is %d bytes, more than %d", len(f.Checkpoint), MaxCheckpointSize)
	}
	if len(f.Entries) > MaxDirectoryEntries {
		return fmt.Errorf("directory has %d entries, more than %d", len(f.Entries), MaxDirectoryEntries)
	}
	for i, e := range f.Entries {
		if i > 0 && e.Index != f.Entries[i-1].Index+1 {
			return fmt.Errorf("directory entry %d has index %d, want %d", i, e.Index, f.Entries[i-1].Index+1)
		}
		if e.Index >= f.Size {
			return fmt.Errorf("directory entry %d has index %d, not below size %d", i, e.Index, f.Size)
		}
		if err := checkObject(e.Object); err != nil {
			return fmt.Errorf("directory entry %d: %w", i, err)
		}
	}
	return nil
}

func checkObject(o []byte) error {
	if len(o) == 0 || len(o) > MaxObjectSize {
		return fmt.Errorf("object is %d bytes, want 1 to %d", len(o), MaxObjectSize)
	}
	return nil
}
