package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/protocol"
)

// DefaultPublishWait bounds how long Publish waits for an entry to appear
// in a witnessed checkpoint (a shorter context deadline bounds it too).
const DefaultPublishWait = 30 * time.Second

// publishWaitKey carries a Publish bound set by WithPublishWait.
type publishWaitKey struct{}

// WithPublishWait returns a context under which Publish waits up to d
// (instead of DefaultPublishWait) for a publication to be confirmed.
func WithPublishWait(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, publishWaitKey{}, d)
}

// ErrNotPublished means the relay did not show a published object in a
// (witnessed, when the scheme names witnesses) checkpoint within the
// bound: it may have answered "published" and withheld it.
var ErrNotPublished = errors.New("the relay did not publish it")

// NotPublishedError is ErrNotPublished for one object: What names it in
// plain words ("the revocation").
type NotPublishedError struct {
	What string
	Err  error
}

// Error says what was not published: "the relay did not publish the
// revocation".
func (e *NotPublishedError) Error() string { return "the relay did not publish " + e.What }

// Unwrap returns ErrNotPublished and the cause.
func (e *NotPublishedError) Unwrap() []error { return []error{ErrNotPublished, e.Err} }

// Publication is one confirmed publication: the object's kind, its log
// index, and the size of the witnessed checkpoint that proves it included
// (and when a quorum of witnesses cosigned that checkpoint; zero when the
// scheme names no witnesses).
type Publication struct {
	Kind      string    `json:"kind"`
	Index     uint64    `json:"index"`
	Size      int64     `json:"checkpoint_size"`
	Witnessed time.Time `json:"witnessed_at,omitzero"`
	At        time.Time `json:"published_at"`
}

// StateFile is the admin directory's record of the relay's log: the log
// key trusted and the newest checkpoint verified (and the newest witnessed
// one), as a translog.Monitor. Every audit and publication checks the
// relay's log against it, so a rollback or a fork between runs is caught.
const StateFile = "log-state.json"

// PublicationsFile lists every confirmed publication made from the admin
// directory, one JSON object per line.
const PublicationsFile = "publications.jsonl"

// describeKind names a directory object in plain words.
func describeKind(kind string) string {
	switch kind {
	case crypto.TypeRevocation:
		return "the revocation"
	case crypto.TypeDeviceCert:
		return "the device approval"
	case crypto.TypeOrgCert:
		return "the organisation certificate"
	case crypto.TypeOrgPolicy:
		return "the retention policy"
	case crypto.TypeSchemeUpdate:
		return "the root rotation"
	case crypto.TypeKeyUpdate:
		return "the key update"
	case crypto.TypeWitnessSet:
		return "the witness set"
	}
	return "the entry"
}

// logMonitor returns the admin directory's log monitor: the stored state
// if there is one (its key must be the scheme's), otherwise a new one for
// the key the scheme names (in its root-signed witness set or log_key),
// or, for a scheme that names neither, served (the relay's, on first use).
func logMonitor(dir string, s *crypto.Scheme, served string) (*translog.Monitor, error) {
	w, err := translog.SchemeWitnesses(s)
	if err != nil {
		return nil, fmt.Errorf("scheme witnesses: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	var m *translog.Monitor
	switch {
	case errors.Is(err, os.ErrNotExist):
		key, err := translog.PinnedKey(s, "", served)
		if err != nil {
			return nil, markf(ErrLogKey, "relay log key: %w", err)
		}
		if m, err = translog.NewMonitor(key); err != nil {
			return nil, markf(ErrLogKey, "relay log key: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", StateFile, err)
	default:
		if m, err = translog.UnmarshalMonitor(b); err != nil {
			return nil, markf(ErrAuditFailed, "%s in %s: %w", StateFile, dir, err)
		}
		if _, err := translog.PinnedKey(s, m.VerifierKey(), served); err != nil {
			return nil, markf(ErrLogKey, "relay log key: %w", err)
		}
	}
	m.SetWitnesses(w)
	return m, nil
}

// saveMonitor writes the monitor state to DIR/log-state.json.
func saveMonitor(dir string, m *translog.Monitor) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, StateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("save %s: %w", StateFile, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, StateFile)); err != nil {
		return fmt.Errorf("save %s: %w", StateFile, err)
	}
	return nil
}

// checkAgainstState checks the relay's whole log (objects, signed by
// checkpoint) against the admin directory's state: the checkpoint must be
// no smaller than the one verified before and the log must extend it (a
// rollback or a fork fails, wrapping ErrAuditFailed). The state is then
// saved with the new checkpoint.
func checkAgainstState(dir string, s *crypto.Scheme, served string, checkpoint []byte, objects [][]byte) (*translog.Monitor, error) {
	m, err := logMonitor(dir, s, served)
	if err != nil {
		return nil, err
	}
	var proof [][32]byte
	if old := m.Latest(); old != nil {
		cp, err := m.Open(checkpoint)
		if err != nil {
			return nil, markf(ErrAuditFailed, "relay checkpoint: %w", err)
		}
		if cp.Size > old.Size && int64(len(objects)) >= cp.Size {
			t := translog.NewTree()
			for _, o := range objects[:cp.Size] {
				if _, err := t.Append(o); err != nil {
					return nil, err
				}
			}
			p, err := t.ProveConsistency(old.Size, cp.Size)
			if err != nil {
				return nil, markf(ErrAuditFailed, "relay log: %w", err)
			}
			for _, h := range p {
				proof = append(proof, h)
			}
		}
	}
	if _, err := m.Update(checkpoint, proof); err != nil {
		return nil, markf(ErrAuditFailed, "the relay's log does not extend the one this admin directory verified before (%s): %w", StateFile, err)
	}
	if err := saveMonitor(dir, m); err != nil {
		return nil, err
	}
	return m, nil
}

// Publish sends signed directory objects to the relay (no authentication
// is needed: they verify themselves) and confirms each: it waits until the
// relay proves the object included in a checkpoint that extends the one
// DIR/log-state.json holds and, when the scheme names witnesses, that a
// fresh quorum of them cosigned. It returns the publications (also
// appended to DIR/publications.jsonl). A relay that does not show it
// within DefaultPublishWait (or the context's deadline) fails with a
// *NotPublishedError.
func Publish(ctx context.Context, dir, relayURL string, objects ...[]byte) ([]Publication, error) {
	s, err := ReadScheme(dir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, relayTimeout)
	defer cancel()
	c, err := relay.Dial(ctx, relayURL, nil)
	if err != nil {
		return nil, markf(ErrRelay, "publish: %w", err)
	}
	defer c.Close()
	m, err := logMonitor(dir, s, c.Hello().LogKey)
	if err != nil {
		return nil, err
	}
	var out []Publication
	for _, o := range objects {
		kind := "entry"
		if sd, err := crypto.ParseSigned(o, ""); err == nil {
			kind = sd.Type
		}
		i, err := c.Publish(ctx, o)
		if err != nil {
			return out, markf(ErrRelay, "publish %s: %w", describeKind(kind)[4:], err)
		}
		p, err := confirm(ctx, c, m, i, o)
		if err != nil {
			return out, &NotPublishedError{What: describeKind(kind), Err: err}
		}
		p.Kind = kind
		out = append(out, *p)
		if err := saveMonitor(dir, m); err != nil {
			return out, err
		}
		if err := recordPublication(dir, p); err != nil {
			return out, err
		}
	}
	return out, nil
}

// confirm polls the relay until object is proved to be record index of a
// checkpoint that extends m's latest and (with witnesses) carries a fresh
// quorum of cosignatures.
func confirm(ctx context.Context, c *relay.Conn, m *translog.Monitor, index uint64, object []byte) (*Publication, error) {
	start := time.Now()
	wait := DefaultPublishWait
	if d, ok := ctx.Value(publishWaitKey{}).(time.Duration); ok && d > 0 {
		wait = d
	}
	deadline := start.Add(wait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d.Add(-100 * time.Millisecond)
	}
	var last error
	for {
		p, err := tryConfirm(ctx, c, m, index, object)
		if err == nil {
			return p, nil
		}
		last = err
		if errors.Is(err, translog.ErrSplitView) || errors.Is(err, translog.ErrRollback) || errors.Is(err, translog.ErrBadCheckpoint) {
			return nil, err
		}
		if !time.Now().Add(250 * time.Millisecond).Before(deadline) {
			return nil, fmt.Errorf("not shown in a witnessed checkpoint within %s: %w", time.Since(start).Round(time.Second), last)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (last: %w)", ctx.Err(), last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func tryConfirm(ctx context.Context, c *relay.Conn, m *translog.Monitor, index uint64, object []byte) (*Publication, error) {
	q := protocol.ProofGet{HasIndex: true, Index: index}
	if old := m.Latest(); old != nil {
		q.OldSize = uint64(old.Size)
	}
	pr, err := c.Proof(ctx, q)
	if err != nil {
		return nil, err
	}
	cp, err := m.Update(pr.Checkpoint, pr.Consistency)
	if err != nil {
		return nil, err
	}
	if err := translog.VerifyInclusion(cp, int64(index), object, pr.Inclusion); err != nil {
		return nil, err
	}
	p := &Publication{Index: index, Size: cp.Size, At: time.Now().UTC()}
	if w := m.Witnesses(); w != nil {
		wit := m.Witnessed()
		if wit == nil || wit.Size <= int64(index) {
			return nil, fmt.Errorf("entry %d: %w", index, translog.ErrUnwitnessed)
		}
		t, err := w.QuorumTime(wit, time.Now())
		if err != nil {
			return nil, err
		}
		if err := w.CheckFresh(wit, time.Now(), w.Freshness()); err != nil {
			return nil, err
		}
		p.Size, p.Witnessed = wit.Size, t
	}
	return p, nil
}

// recordPublication appends p to DIR/publications.jsonl.
func recordPublication(dir string, p *Publication) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, PublicationsFile), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("record publication: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("record publication: %w", err)
	}
	return f.Close()
}

// Publications returns the confirmed publications recorded in DIR, oldest
// first.
func Publications(dir string) ([]Publication, error) {
	b, err := os.ReadFile(filepath.Join(dir, PublicationsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read publications: %w", err)
	}
	return parsePublications(b)
}

// parsePublications decodes DIR/publications.jsonl: one JSON object per
// line, no unknown fields.
func parsePublications(b []byte) ([]Publication, error) {
	var out []Publication
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	for dec.More() {
		var p Publication
		if err := dec.Decode(&p); err != nil {
			return out, fmt.Errorf("read publications: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// WitnessedView reports the newest witnessed checkpoint the admin
// directory has verified (DIR/log-state.json): its size and when a quorum
// of the scheme's witnesses cosigned it. ok is false when the scheme names
// no witnesses; size 0 means none verified yet.
func WitnessedView(dir string) (size int64, at time.Time, ok bool, err error) {
	s, err := ReadScheme(dir)
	if err != nil {
		return 0, time.Time{}, false, err
	}
	m, err := logMonitor(dir, s, "")
	if err != nil {
		return 0, time.Time{}, false, err
	}
	w := m.Witnesses()
	if w == nil {
		return 0, time.Time{}, false, nil
	}
	cp := m.Witnessed()
	if cp == nil {
		return 0, time.Time{}, true, nil
	}
	t, err := w.QuorumTime(cp, time.Now())
	if err != nil {
		return cp.Size, time.Time{}, true, nil
	}
	return cp.Size, t, true, nil
}
