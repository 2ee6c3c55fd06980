package translog

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// MaxProofHashes bounds the hashes in one inclusion or consistency proof
// (protocol.MaxProofHashes is the same). A tree of up to 2^63 records
// needs fewer.
const MaxProofHashes = 128

// hashes converts tlog hashes to plain arrays, as frames carry them.
func hashes[S ~[]tlog.Hash](p S) [][32]byte {
	if p == nil {
		return nil
	}
	out := make([][32]byte, len(p))
	for i, h := range p {
		out[i] = h
	}
	return out
}

func toHashes(p [][32]byte) []tlog.Hash {
	out := make([]tlog.Hash, len(p))
	for i, h := range p {
		out[i] = h
	}
	return out
}

// VerifyInclusion checks that proof shows object to be record index of the
// tree cp signs. It fails with ErrBadProof.
func VerifyInclusion(cp *Checkpoint, index int64, object []byte, proof [][32]byte) error {
	if index < 0 || index >= cp.Size {
		return fmt.Errorf("verify record %d in %s: %w: %w", index, cp, ErrBadProof, ErrOutOfRange)
	}
	if len(proof) > MaxProofHashes {
		return fmt.Errorf("verify record %d in %s: %w: %d hashes", index, cp, ErrBadProof, len(proof))
	}
	if err := tlog.CheckRecord(toHashes(proof), cp.Size, cp.Root, index, tlog.RecordHash(object)); err != nil {
		return fmt.Errorf("verify record %d in %s: %w: %v", index, cp, ErrBadProof, err)
	}
	return nil
}

// VerifyConsistency checks that proof shows the tree newer signs to extend
// the tree older signs (older.Size <= newer.Size). Both checkpoints are
// already verified; if they cannot both be true it fails with ErrSplitView:
// equal sizes with different roots, or a proof that does not verify.
func VerifyConsistency(older, newer *Checkpoint, proof [][32]byte) error {
	if older.Size > newer.Size {
		return VerifyConsistency(newer, older, proof)
	}
	switch {
	case older.Size == newer.Size:
		if older.Root != newer.Root {
			return fmt.Errorf("compare %s with %s: %w: same size, different roots", older, newer, ErrSplitView)
		}
		return nil
	case older.Size == 0:
		return nil // every tree extends the empty one
	}
	if len(proof) > MaxProofHashes {
		return fmt.Errorf("compare %s with %s: %w: proof of %d hashes", older, newer, ErrSplitView, len(proof))
	}
	if err := tlog.CheckTree(toHashes(proof), newer.Size, newer.Root, older.Size, older.Root); err != nil {
		return fmt.Errorf("compare %s with %s: %w: no valid consistency proof: %v", older, newer, ErrSplitView, err)
	}
	return nil
}
