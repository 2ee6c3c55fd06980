package protocol

import (
	"errors"
	"fmt"
)

// ProofGet (0x24, device to relay, allowed before Auth because the log is
// public) asks for transparency-log proofs against the tree of Size entries
// (0 means the relay's current size): with HasIndex, an inclusion proof of
// entry Index (Index < Size; Index is 0 without HasIndex), and with OldSize
// above 0, a consistency proof from the tree of OldSize entries (OldSize <=
// Size). The relay answers Proof, or Error beyond-log if an index or size
// is beyond its log.
type ProofGet struct {
	ReqID    uint64 `cbor:"r"`
	HasIndex bool   `cbor:"h"`
	Index    uint64 `cbor:"i"`
	OldSize  uint64 `cbor:"o"`
	Size     uint64 `cbor:"s"`
}

// FrameType returns TypeProofGet.
func (ProofGet) FrameType() Type { return TypeProofGet }

func (f ProofGet) check() error {
	if err := checkReqID(f.ReqID); err != nil {
		return err
	}
	if !f.HasIndex && f.Index != 0 {
		return errors.New("index set without has-index")
	}
	if f.Size != 0 {
		if f.HasIndex && f.Index >= f.Size {
			return fmt.Errorf("index %d not below size %d", f.Index, f.Size)
		}
		if f.OldSize > f.Size {
			return fmt.Errorf("old size %d above size %d", f.OldSize, f.Size)
		}
	}
	return nil
}

// Proof (0x25, relay to device) answers ProofGet. Checkpoint is the relay's
// signed checkpoint for the tree the proofs are against (the requested
// Size, or the current size if it asked for 0); Inclusion is the inclusion
// proof of the requested entry (empty if none was asked for); Consistency
// is the proof that this tree extends the tree of the requested OldSize
// entries (empty if none was asked for, or OldSize equals the size). Hashes
// are SHA-256 tree hashes as golang.org/x/mod/sumdb/tlog computes them, at
// most MaxProofHashes in each proof.
type Proof struct {
	ReqID       uint64     `cbor:"r"`
	Checkpoint  []byte     `cbor:"c"`
	Inclusion   [][32]byte `cbor:"inc"`
	Consistency [][32]byte `cbor:"con"`
}

// FrameType returns TypeProof.
func (Proof) FrameType() Type { return TypeProof }

func (f Proof) check() error {
	if err := checkReqID(f.ReqID); err != nil {
		return err
	}
	if len(f.Checkpoint) == 0 || len(f.Checkpoint) > MaxCheckpointSize {
		return fmt.Errorf("checkpoint is %d bytes, want 1 to %d", len(f.Checkpoint), MaxCheckpointSize)
	}
	if len(f.Inclusion) > MaxProofHashes || len(f.Consistency) > MaxProofHashes {
		return fmt.Errorf("proofs of %d and %d hashes, limit %d", len(f.Inclusion), len(f.Consistency), MaxProofHashes)
	}
	return nil
}
