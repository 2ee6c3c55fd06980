package translog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Monitor is a client's memory of the relay's log: the pinned log key and
// the newest checkpoint it has verified. Every new checkpoint must extend
// that one (Update); a checkpoint that arrives inside a peer's envelope
// must be consistent with it (CheckPeer); and a certificate or key is used
// only once an inclusion proof shows it in the log (VerifyInclusion).
// Marshal and UnmarshalMonitor persist it. A Monitor is safe for
// concurrent use.
type Monitor struct {
	key      string
	verifier note.Verifier

	mu        sync.Mutex
	latest    *Checkpoint // nil until the first Update
	witnesses *Witnesses  // nil: the scheme names no witnesses
	// witnessed is the newest checkpoint seen with a quorum of the
	// witnesses' cosignatures (latest itself when it has one), or nil.
	witnessed *Checkpoint
}

// SetWitnesses makes the monitor verify the cosignatures of w (the
// scheme's witnesses) on every checkpoint, and re-reads those on the
// checkpoints it holds.
func (m *Monitor) SetWitnesses(w *Witnesses) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.witnesses = w
	for _, p := range []**Checkpoint{&m.latest, &m.witnessed} {
		if *p == nil {
			continue
		}
		if cp, err := OpenWitnessed((*p).Raw, m.verifier, w); err == nil {
			*p = cp
		}
	}
	if m.witnessed != nil && !m.hasQuorum(m.witnessed) {
		m.witnessed = nil
	}
	if m.latest != nil && m.hasQuorum(m.latest) {
		m.witnessed = m.latest
	}
}

// Witnesses returns the witnesses the monitor checks, or nil.
func (m *Monitor) Witnesses() *Witnesses {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.witnesses
}

// hasQuorum reports whether cp carries a quorum of cosignatures; m.mu is
// held.
func (m *Monitor) hasQuorum(cp *Checkpoint) bool {
	if m.witnesses == nil {
		return false
	}
	_, err := m.witnesses.QuorumTime(cp, time.Now().Add(MaxClockSkew))
	return err == nil
}

// Witnessed returns the newest checkpoint seen with a quorum of
// cosignatures, or nil.
func (m *Monitor) Witnessed() *Checkpoint {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.witnessed == nil {
		return nil
	}
	c := *m.witnessed
	return &c
}

// CheckFresh checks the device's view against the scheme's witnesses:
// the newest checkpoint must have a quorum of cosignatures (or, while the
// relay has not yet had a newer one witnessed, the newest witnessed one
// stands for it) whose quorum time is within window of now. With no
// witnesses in the scheme it always succeeds. Errors: ErrUnwitnessed,
// ErrStale.
func (m *Monitor) CheckFresh(now time.Time, window time.Duration) error {
	m.mu.Lock()
	w, wit, latest := m.witnesses, m.witnessed, m.latest
	m.mu.Unlock()
	if w == nil {
		return nil
	}
	if wit == nil {
		if latest == nil {
			return fmt.Errorf("check witnessed view: %w: no checkpoint yet", ErrUnwitnessed)
		}
		return fmt.Errorf("check witnessed view: %s: %w", latest, ErrUnwitnessed)
	}
	if err := w.CheckFresh(wit, now, window); err != nil {
		return fmt.Errorf("check witnessed view: %w", err)
	}
	return nil
}

// NewMonitor returns a monitor trusting the log verifier key text
// verifierKey (see PinnedKey), with no checkpoint yet.
func NewMonitor(verifierKey string) (*Monitor, error) {
	v, err := ParseVerifierKey(verifierKey)
	if err != nil {
		return nil, fmt.Errorf("new log monitor: %w", err)
	}
	return &Monitor{key: verifierKey, verifier: v}, nil
}

// VerifierKey returns the pinned log verifier key text.
func (m *Monitor) VerifierKey() string { return m.key }

// Latest returns the newest verified checkpoint, or nil if there is none
// yet. Its Raw bytes are what a client puts in its envelopes
// (crypto.Packet.Checkpoint).
func (m *Monitor) Latest() *Checkpoint {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.latest == nil {
		return nil
	}
	c := *m.latest
	c.Raw = bytes.Clone(c.Raw)
	return &c
}

// LatestRaw returns the newest verified checkpoint's signed bytes, or nil.
func (m *Monitor) LatestRaw() []byte {
	if c := m.Latest(); c != nil {
		return c.Raw
	}
	return nil
}

// Open verifies a signed checkpoint with the pinned key, without comparing
// it with anything.
func (m *Monitor) Open(raw []byte) (*Checkpoint, error) {
	m.mu.Lock()
	w := m.witnesses
	m.mu.Unlock()
	return OpenWitnessed(raw, m.verifier, w)
}

// Update verifies a checkpoint the relay presents as its current state
// (in a Directory or Proof frame) and, if it extends the latest one, makes
// it the latest. consistency is the proof from the latest checkpoint's
// size to the new one's (ProofGet with OldSize = Latest().Size); it is
// not needed for the first checkpoint or an unchanged size. Errors:
// ErrBadCheckpoint or ErrMalformed (not a checkpoint of this log),
// ErrRollback (smaller than the latest: a rolled-back or restored relay),
// ErrSplitView (cannot extend the latest). On error the monitor is
// unchanged.
func (m *Monitor) Update(raw []byte, consistency [][32]byte) (*Checkpoint, error) {
	cp, err := m.Open(raw)
	if err != nil {
		return nil, fmt.Errorf("update log checkpoint: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.latest != nil {
		if cp.Size < m.latest.Size {
			return nil, fmt.Errorf("update log checkpoint: %w: relay offers %s after %s", ErrRollback, cp, m.latest)
		}
		if err := VerifyConsistency(m.latest, cp, consistency); err != nil {
			return nil, fmt.Errorf("update log checkpoint: %w", err)
		}
	}
	switch {
	case m.latest == nil || cp.Size > m.latest.Size:
		m.latest = cp
	case m.fresher(cp, m.latest):
		m.latest = cp // the same tree, witnessed more recently
	}
	if m.hasQuorum(cp) && (m.witnessed == nil || cp.Size > m.witnessed.Size || (cp.Size == m.witnessed.Size && m.fresher(cp, m.witnessed))) {
		m.witnessed = cp
	}
	c := *cp
	return &c, nil
}

// fresher reports whether a has a later quorum time than b (or b has no
// quorum and a has); m.mu is held.
func (m *Monitor) fresher(a, b *Checkpoint) bool {
	if m.witnesses == nil {
		return false
	}
	far := time.Now().Add(MaxClockSkew)
	ta, erra := m.witnesses.QuorumTime(a, far)
	tb, errb := m.witnesses.QuorumTime(b, far)
	return erra == nil && (errb != nil || ta.After(tb))
}

// PeerProof says which consistency proof CheckPeer needs for a checkpoint
// received from a peer: from size oldSize to size (ask the relay with
// ProofGet{OldSize: oldSize, Size: size}). need is false when no proof is
// needed (equal sizes, or an empty tree), and then CheckPeer takes nil.
func (m *Monitor) PeerProof(raw []byte) (oldSize, size int64, need bool, err error) {
	cp, err := m.Open(raw)
	if err != nil {
		return 0, 0, false, fmt.Errorf("peer checkpoint: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.latest == nil {
		return 0, 0, false, fmt.Errorf("peer checkpoint: %w: this device has no checkpoint yet", ErrOutOfRange)
	}
	lo, hi := min(cp.Size, m.latest.Size), max(cp.Size, m.latest.Size)
	return lo, hi, lo != hi && lo != 0, nil
}

// CheckPeer checks a checkpoint carried in a peer's envelope (which the
// peer signed, so the relay cannot strip or change it) against the latest
// checkpoint of this device: they must be the same tree, or one must
// extend the other by proof (see PeerProof for which proof). It fails with
// ErrSplitView when they cannot both be true: the relay has shown this
// device and the peer different logs. An empty raw (the peer has none yet)
// is accepted. CheckPeer never changes the monitor; a client that wants
// to adopt a newer peer checkpoint passes it to Update.
func (m *Monitor) CheckPeer(raw []byte, consistency [][32]byte) error {
	if len(raw) == 0 {
		return nil
	}
	m.mu.Lock()
	latest := m.latest
	m.mu.Unlock()
	if latest != nil && bytes.Equal(raw, latest.Raw) {
		return nil // the common case: the peer saw the same checkpoint
	}
	cp, err := m.Open(raw)
	if err != nil {
		return fmt.Errorf("check peer checkpoint: %w", err)
	}
	if cp.SameTree(latest) {
		return nil
	}
	if latest == nil {
		return fmt.Errorf("check peer checkpoint: %w: this device has no checkpoint yet", ErrOutOfRange)
	}
	if err := VerifyConsistency(latest, cp, consistency); err != nil {
		return fmt.Errorf("check peer checkpoint: %w", err)
	}
	return nil
}

// VerifyInclusion checks that object is record index of the log, by proof
// against the latest checkpoint. A client calls it for every certificate
// and key update it uses (ProofGet with Index and Size = Latest().Size).
func (m *Monitor) VerifyInclusion(index int64, object []byte, proof [][32]byte) error {
	m.mu.Lock()
	latest := m.latest
	m.mu.Unlock()
	if latest == nil {
		return fmt.Errorf("verify record %d: %w: no checkpoint yet", index, ErrBadProof)
	}
	return VerifyInclusion(latest, index, object, proof)
}

// VerifyRecords checks that objects, taken as records 0, 1, ... of the log
// (the whole directory a client has fetched), are exactly what the latest
// checkpoint signs for its size: a client that replays the whole log this
// way has proved inclusion of every entry at once. objects may run beyond
// the checkpoint's size; the extra ones are not covered. It fails with
// ErrTreeMismatch, or ErrOutOfRange if there are fewer objects than the
// checkpoint's size.
func (m *Monitor) VerifyRecords(objects [][]byte) error {
	m.mu.Lock()
	latest := m.latest
	m.mu.Unlock()
	if latest == nil {
		return fmt.Errorf("verify log records: %w: no checkpoint yet", ErrTreeMismatch)
	}
	return VerifyRecords(latest, objects)
}

// VerifyRecords checks that the first cp.Size objects hash to cp.Root.
func VerifyRecords(cp *Checkpoint, objects [][]byte) error {
	if int64(len(objects)) < cp.Size {
		return fmt.Errorf("verify log records against %s: %w: have %d records", cp, ErrOutOfRange, len(objects))
	}
	root, err := RootOf(objects[:cp.Size])
	if err != nil {
		return fmt.Errorf("verify log records against %s: %w", cp, err)
	}
	if root != cp.Root {
		return fmt.Errorf("verify log records against %s: %w", cp, ErrTreeMismatch)
	}
	return nil
}

// monitorState is a Monitor's persisted form.
type monitorState struct {
	Version    int    `json:"version"`
	LogKey     string `json:"log_key"`
	Checkpoint string `json:"checkpoint,omitempty"`
	// Witnessed is the newest checkpoint seen with a quorum of witness
	// cosignatures, when it is not Checkpoint.
	Witnessed string `json:"witnessed,omitempty"`
}

// Marshal returns the monitor's state as JSON: the pinned log key and the
// latest checkpoint's signed text. Neither is secret.
func (m *Monitor) Marshal() ([]byte, error) {
	st := monitorState{Version: 1, LogKey: m.key}
	if raw := m.LatestRaw(); raw != nil {
		st.Checkpoint = string(raw)
	}
	if w := m.Witnessed(); w != nil && string(w.Raw) != st.Checkpoint {
		st.Witnessed = string(w.Raw)
	}
	b, err := json.Marshal(&st)
	if err != nil {
		return nil, fmt.Errorf("marshal log monitor: %w", err)
	}
	return b, nil
}

// UnmarshalMonitor restores a monitor from Marshal's output, verifying the
// stored checkpoint again with the stored key.
func UnmarshalMonitor(b []byte) (*Monitor, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var st monitorState
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("load log monitor: %w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("load log monitor: %w: trailing data", ErrMalformed)
	}
	if st.Version != 1 {
		return nil, fmt.Errorf("load log monitor: %w: version %d", ErrMalformed, st.Version)
	}
	m, err := NewMonitor(st.LogKey)
	if err != nil {
		return nil, fmt.Errorf("load log monitor: %w", err)
	}
	if st.Checkpoint != "" {
		if _, err := m.Update([]byte(st.Checkpoint), nil); err != nil {
			return nil, fmt.Errorf("load log monitor: %w", err)
		}
	}
	if st.Witnessed != "" {
		cp, err := m.Open([]byte(st.Witnessed))
		if err != nil {
			return nil, fmt.Errorf("load log monitor: witnessed checkpoint: %w", err)
		}
		if m.latest == nil || cp.Size > m.latest.Size {
			return nil, fmt.Errorf("load log monitor: %w: witnessed checkpoint beyond the latest", ErrMalformed)
		}
		// Its cosignatures are counted once SetWitnesses names the
		// witnesses; until then it is kept as it is.
		m.witnessed = cp
	}
	return m, nil
}
