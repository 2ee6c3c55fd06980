package translog

import (
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// Tree holds the stored hashes (tlog.StoredHashes) of a log's records in
// memory, so that it can compute the root of any size and prove inclusion
// and consistency. At the scheme's scale (tens of thousands of records,
// about 64 bytes each) this is cheap, and both the relay and a client can
// keep one. Record i's hash is tlog.RecordHash of the i-th directory
// object's bytes. A Tree is safe for concurrent use.
type Tree struct {
	mu     sync.RWMutex
	hashes []tlog.Hash // the stored hashes, in tlog.StoredHashIndex order
	size   int64       // number of records
}

// NewTree returns an empty tree.
func NewTree() *Tree { return &Tree{} }

// reader reads stored hashes; the caller holds t.mu.
func (t *Tree) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x < 0 || x >= int64(len(t.hashes)) {
				return nil, fmt.Errorf("read stored hash %d of %d: %w", x, len(t.hashes), ErrOutOfRange)
			}
			out[i] = t.hashes[x]
		}
		return out, nil
	})
}

// Append adds a record and returns its index.
func (t *Tree) Append(object []byte) (int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	hs, err := tlog.StoredHashes(t.size, object, t.reader())
	if err != nil {
		return 0, fmt.Errorf("append record %d: %w", t.size, err)
	}
	t.hashes = append(t.hashes, hs...)
	t.size++
	return t.size - 1, nil
}

// Size returns the number of records.
func (t *Tree) Size() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.size
}

// Root returns the tree hash of the first size records (size 0 is the hash
// of the empty tree).
func (t *Tree) Root(size int64) (tlog.Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if size < 0 || size > t.size {
		return tlog.Hash{}, fmt.Errorf("root of size %d: %w: log has %d records", size, ErrOutOfRange, t.size)
	}
	h, err := tlog.TreeHash(size, t.reader())
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("root of size %d: %w", size, err)
	}
	return h, nil
}

// ProveInclusion returns the proof that record index is in the tree of the
// first size records.
func (t *Tree) ProveInclusion(index, size int64) (tlog.RecordProof, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if index < 0 || size > t.size || index >= size {
		return nil, fmt.Errorf("prove record %d in size %d: %w: log has %d records", index, size, ErrOutOfRange, t.size)
	}
	p, err := tlog.ProveRecord(size, index, t.reader())
	if err != nil {
		return nil, fmt.Errorf("prove record %d in size %d: %w", index, size, err)
	}
	return p, nil
}

// ProveConsistency returns the proof that the tree of the first size
// records extends the tree of the first oldSize records. It is empty when
// oldSize is 0 or equals size.
func (t *Tree) ProveConsistency(oldSize, size int64) (tlog.TreeProof, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if oldSize < 0 || oldSize > size || size > t.size {
		return nil, fmt.Errorf("prove size %d extends %d: %w: log has %d records", size, oldSize, ErrOutOfRange, t.size)
	}
	if oldSize == 0 || oldSize == size {
		return tlog.TreeProof{}, nil
	}
	p, err := tlog.ProveTree(size, oldSize, t.reader())
	if err != nil {
		return nil, fmt.Errorf("prove size %d extends %d: %w", size, oldSize, err)
	}
	return p, nil
}

// RootOf returns the tree hash of objects taken as records 0..len-1: what a
// client replaying the whole log compares with a checkpoint's root.
func RootOf(objects [][]byte) (tlog.Hash, error) {
	t := NewTree()
	for _, o := range objects {
		if _, err := t.Append(o); err != nil {
			return tlog.Hash{}, err
		}
	}
	return t.Root(int64(len(objects)))
}
