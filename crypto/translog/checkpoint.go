package translog

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/saferef/saferef/crypto"
)

// MaxCheckpointSize is the largest signed checkpoint accepted, in bytes
// (protocol.MaxCheckpointSize is the same).
const MaxCheckpointSize = 2048

// Checkpoint is a verified, signed statement by the relay that its log
// holds Size records whose Merkle tree hash is Root.
type Checkpoint struct {
	// Origin names the log; it equals the name of the key that signed it.
	Origin string
	// Size is the number of records in the tree.
	Size int64
	// Root is the tree hash (RFC 6962) of the first Size records.
	Root tlog.Hash
	// Raw is the signed note exactly as received or produced, with any
	// witness cosignatures.
	Raw []byte
	// Cosignatures are the valid cosignatures by the witnesses the
	// checkpoint was opened with (OpenWitnessed), newest first.
	Cosignatures []Cosignature
}

// SameTree reports whether c and o sign the same tree (origin, size and
// root), whatever cosignatures each carries.
func (c *Checkpoint) SameTree(o *Checkpoint) bool {
	return c != nil && o != nil && c.Origin == o.Origin && c.Size == o.Size && c.Root == o.Root
}

// Tree returns the checkpoint's size and root as a tlog.Tree.
func (c *Checkpoint) Tree() tlog.Tree { return tlog.Tree{N: c.Size, Hash: c.Root} }

// String describes the checkpoint for logs and messages: origin, size and
// the first 8 bytes of the root in hex.
func (c *Checkpoint) String() string {
	return fmt.Sprintf("%s@%d:%x", c.Origin, c.Size, c.Root[:8])
}

// FormatCheckpoint returns the checkpoint body (the text that is signed) in
// the C2SP tlog-checkpoint form: the origin, the tree size in decimal and
// the root hash in standard padded base64, each on its own line, with no
// extension lines.
func FormatCheckpoint(origin string, size int64, root tlog.Hash) []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// ParseCheckpointText parses a checkpoint body as FormatCheckpoint writes
// it, accepting nothing else (no extension lines, no leading zeros, only
// canonical base64).
func ParseCheckpointText(text []byte) (origin string, size int64, root tlog.Hash, err error) {
	lines := strings.Split(string(text), "\n")
	if len(lines) != 4 || lines[3] != "" {
		return "", 0, root, fmt.Errorf("parse checkpoint: %w: want 3 lines", ErrMalformed)
	}
	origin = lines[0]
	if origin == "" || strings.ContainsAny(origin, " \t+") {
		return "", 0, root, fmt.Errorf("parse checkpoint: %w: bad origin %q", ErrMalformed, origin)
	}
	size, perr := strconv.ParseInt(lines[1], 10, 64)
	if perr != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", 0, root, fmt.Errorf("parse checkpoint: %w: bad size %q", ErrMalformed, lines[1])
	}
	h, derr := base64.StdEncoding.Strict().DecodeString(lines[2])
	if derr != nil || len(h) != tlog.HashSize {
		return "", 0, root, fmt.Errorf("parse checkpoint: %w: bad root hash", ErrMalformed)
	}
	copy(root[:], h)
	if !bytes.Equal(FormatCheckpoint(origin, size, root), text) {
		return "", 0, root, fmt.Errorf("parse checkpoint: %w: not canonical", ErrMalformed)
	}
	return origin, size, root, nil
}

// SignCheckpoint returns the signed note for a tree of size records with
// root hash root, signed by signer, whose name is the origin.
func SignCheckpoint(signer note.Signer, size int64, root tlog.Hash) ([]byte, error) {
	n := &note.Note{Text: string(FormatCheckpoint(signer.Name(), size, root))}
	b, err := note.Sign(n, signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint for size %d: %w", size, err)
	}
	return b, nil
}

// OpenCheckpoint verifies a signed checkpoint against the verifier key
// v: it must be at most MaxCheckpointSize bytes, carry exactly one
// signature by v, and have v's name as its origin. Other signatures
// (witness cosignatures) are allowed and ignored here; OpenWitnessed
// verifies them. Failures are ErrMalformed (cannot be parsed) or
// ErrBadCheckpoint (not signed by v).
func OpenCheckpoint(raw []byte, v note.Verifier) (*Checkpoint, error) {
	return OpenWitnessed(raw, v, nil)
}

// OpenWitnessed is OpenCheckpoint that also verifies the cosignatures of
// the witnesses w (nil: none) and records the valid ones in
// Checkpoint.Cosignatures. It does not require a quorum: see
// Witnesses.CheckFresh.
func OpenWitnessed(raw []byte, v note.Verifier, w *Witnesses) (*Checkpoint, error) {
	if len(raw) == 0 || len(raw) > MaxCheckpointSize {
		return nil, fmt.Errorf("open checkpoint: %w: %d bytes, want 1 to %d", ErrMalformed, len(raw), MaxCheckpointSize)
	}
	n, err := note.Open(raw, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return nil, fmt.Errorf("open checkpoint: %w: %v", ErrBadCheckpoint, err)
		}
		return nil, fmt.Errorf("open checkpoint: %w: %v", ErrMalformed, err)
	}
	if len(n.Sigs) != 1 || len(n.Sigs)+len(n.UnverifiedSigs) > 1+crypto.MaxWitnesses*2 {
		return nil, fmt.Errorf("open checkpoint: %w: %d signatures, want one by %s and at most %d cosignatures", ErrMalformed, len(n.Sigs)+len(n.UnverifiedSigs), v.Name(), 2*crypto.MaxWitnesses)
	}
	origin, size, root, err := ParseCheckpointText([]byte(n.Text))
	if err != nil {
		return nil, fmt.Errorf("open checkpoint: %w", err)
	}
	if origin != v.Name() {
		return nil, fmt.Errorf("open checkpoint: %w: origin %q, want %q", ErrBadCheckpoint, origin, v.Name())
	}
	return &Checkpoint{Origin: origin, Size: size, Root: root, Raw: bytes.Clone(raw), Cosignatures: w.cosignatures(raw)}, nil
}
