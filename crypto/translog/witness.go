package translog

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/saferef/saferef/crypto"
)

// Witness errors. A device treats both as "the view cannot be trusted
// now" (an alert in plain words, and no release of household details),
// not as proof of an attack: they clear when a fresh quorum arrives.
var (
	// ErrUnwitnessed means a checkpoint lacks a quorum of valid
	// cosignatures by the scheme's witnesses.
	ErrUnwitnessed = errors.New("checkpoint not cosigned by a quorum of the scheme's witnesses")
	// ErrStale means the newest quorum of cosignatures is older than the
	// freshness window: the relay may be holding this device on an old
	// view, or the witnesses are unreachable.
	ErrStale = errors.New("the witnessed view of the log is stale")
)

// MaxClockSkew is how far in the future a cosignature's timestamp may be
// before it is not counted (a witness with a fast clock, or a forged
// freshness claim).
const MaxClockSkew = 10 * time.Minute

// Cosignature is one valid witness cosignature on a checkpoint (C2SP
// tlog-cosignature/v1): the witness's name and the time it signed.
type Cosignature struct {
	Witness string
	Time    time.Time
}

// Witnesses is the scheme's witness set as a device applies it: the
// cosignature verifiers, the quorum and the freshness windows. The zero
// value (nil) means the scheme names no witnesses.
type Witnesses struct {
	set       *crypto.WitnessSet
	verifiers []note.Verifier
}

// NewWitnesses returns the verifiers for a verified witness set (nil for
// nil).
func NewWitnesses(ws *crypto.WitnessSet) (*Witnesses, error) {
	if ws == nil {
		return nil, nil
	}
	w := &Witnesses{set: ws}
	for _, k := range ws.Witnesses {
		v, err := crypto.ParseWitnessKey(k.Key)
		if err != nil {
			return nil, fmt.Errorf("witness %q: %w", k.Name, err)
		}
		w.verifiers = append(w.verifiers, v)
	}
	return w, nil
}

// SchemeWitnesses returns the witnesses the scheme s names, or nil.
func SchemeWitnesses(s *crypto.Scheme) (*Witnesses, error) {
	if s == nil {
		return nil, nil
	}
	ws, err := s.WitnessSet()
	if err != nil {
		return nil, err
	}
	return NewWitnesses(ws)
}

// Set returns the witness set.
func (w *Witnesses) Set() *crypto.WitnessSet { return w.set }

// Quorum returns how many witnesses must cosign.
func (w *Witnesses) Quorum() int { return w.set.Quorum }

// Freshness returns the window for ordinary sends.
func (w *Witnesses) Freshness() time.Duration { return w.set.Freshness }

// ReleaseFreshness returns the window before releasing household details
// or sealing to a device for the first time.
func (w *Witnesses) ReleaseFreshness() time.Duration { return w.set.ReleaseFreshness }

// cosignatures verifies the witness signatures on the note n, at most one
// per witness (the newest valid one), and returns them.
func (w *Witnesses) cosignatures(raw []byte) []Cosignature {
	if w == nil {
		return nil
	}
	n, err := note.Open(raw, note.VerifierList(w.verifiers...))
	if err != nil || n == nil {
		var un *note.UnverifiedNoteError
		if !errors.As(err, &un) {
			return nil
		}
		n = un.Note
	}
	best := make(map[string]time.Time)
	for _, s := range n.Sigs {
		ts, err := torchwood.CosignatureTimestamp(s)
		if err != nil {
			continue
		}
		t := time.Unix(ts, 0).UTC()
		if t.After(best[s.Name]) {
			best[s.Name] = t
		}
	}
	out := make([]Cosignature, 0, len(best))
	for name, t := range best {
		out = append(out, Cosignature{Witness: name, Time: t})
	}
	slices.SortFunc(out, func(a, b Cosignature) int { return b.Time.Compare(a.Time) })
	return out
}

// QuorumTime returns the time at which a quorum of witnesses had cosigned
// cp: the Quorum-th newest of its cosignatures (skipping any dated more
// than MaxClockSkew after now). It fails with ErrUnwitnessed when fewer
// than Quorum witnesses cosigned.
func (w *Witnesses) QuorumTime(cp *Checkpoint, now time.Time) (time.Time, error) {
	var ok []Cosignature
	for _, c := range cp.Cosignatures {
		if !c.Time.After(now.Add(MaxClockSkew)) {
			ok = append(ok, c)
		}
	}
	if len(ok) < w.set.Quorum {
		return time.Time{}, fmt.Errorf("%s: %w: %d of %d needed", cp, ErrUnwitnessed, len(ok), w.set.Quorum)
	}
	return ok[w.set.Quorum-1].Time, nil
}

// CheckFresh checks that cp has a quorum of cosignatures, the quorum's
// time no older than window at now. It fails with ErrUnwitnessed or
// ErrStale.
func (w *Witnesses) CheckFresh(cp *Checkpoint, now time.Time, window time.Duration) error {
	t, err := w.QuorumTime(cp, now)
	if err != nil {
		return err
	}
	if age := now.Sub(t); age > window {
		return fmt.Errorf("%s: %w: last witnessed %s ago, at most %s allowed", cp, ErrStale, age.Truncate(time.Minute), window)
	}
	return nil
}

// AddCosignatures returns the signed checkpoint raw with the cosignature
// lines sigs (as a witness returns them: "— name base64\n" each)
// appended, for a relay serving its checkpoint with the cosignatures it
// gathered.
func AddCosignatures(raw []byte, sigs ...[]byte) []byte {
	out := bytes.Clone(raw)
	for _, s := range sigs {
		out = append(out, s...)
	}
	return out
}

// HashString returns a proof hash in the text form C2SP tlog-witness
// requests carry (standard base64).
func HashString(h [32]byte) string { return tlog.Hash(h).String() }
