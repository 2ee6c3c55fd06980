package translog

import (
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/note"
)

// Log is the relay's side of the transparency log: a Tree of every
// directory entry, in store order, and the key that signs its checkpoints.
// It is safe for concurrent use.
type Log struct {
	tree        *Tree
	signer      note.Signer
	verifierKey string

	mu      sync.Mutex // guards latest
	latest  []byte     // signed checkpoint of the size in latestN, or nil
	latestN int64
}

// NewLog returns an empty log whose checkpoints signer signs. verifierKey
// is the signer's verifier key text, which NewLog checks against it.
func NewLog(signer note.Signer, verifierKey string) (*Log, error) {
	if signer == nil {
		return nil, fmt.Errorf("new log: no signer")
	}
	if err := CheckKeyPair(signer, verifierKey); err != nil {
		return nil, fmt.Errorf("new log: %w", err)
	}
	return &Log{tree: NewTree(), signer: signer, verifierKey: verifierKey}, nil
}

// VerifierKey returns the verifier key text of the log's checkpoint key.
func (l *Log) VerifierKey() string { return l.verifierKey }

// Origin returns the log's origin (its key's name).
func (l *Log) Origin() string { return l.signer.Name() }

// Append adds one directory object as the next record and returns its
// index. The relay appends every entry of its store in index order.
func (l *Log) Append(object []byte) (int64, error) { return l.tree.Append(object) }

// Size returns the number of records.
func (l *Log) Size() int64 { return l.tree.Size() }

// Checkpoint returns the signed checkpoint of the tree's first size
// records (size <= Size()). The newest one is kept, so asking for the
// current size again is free.
func (l *Log) Checkpoint(size int64) ([]byte, error) {
	l.mu.Lock()
	if l.latest != nil && l.latestN == size {
		cp := l.latest
		l.mu.Unlock()
		return cp, nil
	}
	l.mu.Unlock()
	root, err := l.tree.Root(size)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	cp, err := SignCheckpoint(l.signer, size, root)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	if l.latest == nil || size >= l.latestN {
		l.latest, l.latestN = cp, size
	}
	l.mu.Unlock()
	return cp, nil
}

// ProveInclusion returns the proof that record index is in the tree of
// size records.
func (l *Log) ProveInclusion(index, size int64) ([][32]byte, error) {
	p, err := l.tree.ProveInclusion(index, size)
	return hashes(p), err
}

// ProveConsistency returns the proof that the tree of size records
// extends the tree of oldSize records.
func (l *Log) ProveConsistency(oldSize, size int64) ([][32]byte, error) {
	p, err := l.tree.ProveConsistency(oldSize, size)
	return hashes(p), err
}
