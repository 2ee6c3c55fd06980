package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/server/store/sqlite"
)

// logView is what an unauthenticated reader fetched from a relay: its log
// key, every directory entry and the checkpoint for them.
type logView struct {
	key        string
	objects    [][]byte
	checkpoint []byte
}

// fetchLog reads the whole directory and its checkpoint without
// authenticating, as the admin tool's log verify does.
func (r *testRelay) fetchLog(t *testing.T) logView {
	t.Helper()
	c := r.dial(t)
	defer c.close()
	v := logView{key: c.hello.LogKey}
	for req := uint64(1); ; req++ {
		c.send(&protocol.DirectoryGet{ReqID: req, Since: uint64(len(v.objects))})
		d, ok := c.read().(*protocol.Directory)
		if !ok || d.ReqID != req {
			t.Fatalf("no Directory for request %d", req)
		}
		for _, e := range d.Entries {
			v.objects = append(v.objects, e.Object)
		}
		v.checkpoint = d.Checkpoint
		if uint64(len(v.objects)) >= d.Size {
			return v
		}
	}
}

// proof asks the relay for proofs; it returns the Proof, or the Error.
func (r *testRelay) proof(t *testing.T, f *protocol.ProofGet) (*protocol.Proof, *protocol.Error) {
	t.Helper()
	c := r.dial(t)
	defer c.close()
	c.send(f)
	switch g := c.read().(type) {
	case *protocol.Proof:
		if g.ReqID != f.ReqID {
			t.Fatalf("Proof for request %d, want %d", g.ReqID, f.ReqID)
		}
		return g, nil
	case *protocol.Error:
		return nil, g
	default:
		t.Fatalf("ProofGet answered with %T", g)
		return nil, nil
	}
}

// update brings m up to the relay's current checkpoint, with a consistency
// proof from m's latest.
func (r *testRelay) update(t *testing.T, m *translog.Monitor) (*translog.Checkpoint, error) {
	t.Helper()
	var old uint64
	if l := m.Latest(); l != nil {
		old = uint64(l.Size)
	}
	p, e := r.proof(t, &protocol.ProofGet{ReqID: 1, OldSize: old})
	if e != nil {
		return nil, e
	}
	return m.Update(p.Checkpoint, p.Consistency)
}

func TestRelayServesVerifiableLog(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects[:4]...)

	v := r.fetchLog(t)
	_, wantKey := testLogKey(t, s.Scheme.Scheme)
	if v.key != wantKey {
		t.Fatalf("ServerHello log key %q, want %q", v.key, wantKey)
	}
	if !strings.Contains(r.logs.String(), wantKey) {
		t.Fatal("the relay did not log its log key at start")
	}
	key, err := translog.PinnedKey(s.Scheme.Scheme, "", v.key)
	if err != nil {
		t.Fatal(err)
	}
	m, err := translog.NewMonitor(key)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := m.Update(v.checkpoint, nil)
	if err != nil {
		t.Fatalf("first checkpoint: %v", err)
	}
	if cp.Size != 4 {
		t.Fatalf("checkpoint size %d, want 4", cp.Size)
	}
	if err := m.VerifyRecords(v.objects); err != nil {
		t.Fatalf("replay: %v", err)
	}
	// Inclusion of each entry, one by one.
	for i, o := range v.objects {
		p, e := r.proof(t, &protocol.ProofGet{ReqID: 7, HasIndex: true, Index: uint64(i), Size: 4})
		if e != nil {
			t.Fatalf("proof of %d: %v", i, e)
		}
		if err := m.VerifyInclusion(int64(i), o, p.Inclusion); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}

	// The log grows; the client follows with consistency proofs.
	r.publish(t, s.Objects[4:]...)
	rev := s.wealdB.Revoke(t, time.Now(), "staff member left")
	r.publish(t, rev)
	cp, err = r.update(t, m)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if cp.Size != int64(len(s.Objects)) {
		t.Fatalf("checkpoint size %d, want %d", cp.Size, len(s.Objects))
	}
	p, e := r.proof(t, &protocol.ProofGet{ReqID: 8, HasIndex: true, Index: uint64(cp.Size) - 1})
	if e != nil {
		t.Fatal(e)
	}
	if err := m.VerifyInclusion(cp.Size-1, rev, p.Inclusion); err != nil {
		t.Fatalf("revocation not provably logged: %v", err)
	}
	// The whole log audits clean.
	v = r.fetchLog(t)
	rep, err := translog.Audit(s.Scheme.Scheme, key, v.checkpoint, v.objects)
	if err != nil || !rep.OK() {
		t.Fatalf("audit: %v %+v", err, rep)
	}
}

// stop shuts the relay down (its cleanup then does nothing more).
func (r *testRelay) stop(t *testing.T) {
	t.Helper()
	r.hs.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// startFileRelay starts a relay on the SQLite file at path.
func startFileRelay(t *testing.T, sch *schemetest.Scheme, path string) (*testRelay, func()) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	r := startRelayOn(t, sch, st, nil)
	return r, func() {
		r.stop(t)
		if err := st.Close(); err != nil {
			t.Fatalf("close store: %v", err)
		}
	}
}

func monitorFor(t *testing.T, r *testRelay) *translog.Monitor {
	t.Helper()
	v := r.fetchLog(t)
	m, err := translog.NewMonitor(v.key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Update(v.checkpoint, nil); err != nil {
		t.Fatalf("first checkpoint: %v", err)
	}
	if err := m.VerifyRecords(v.objects); err != nil {
		t.Fatalf("replay: %v", err)
	}
	return m
}

// TestForkedRelayCaught: a relay that shows two devices different logs
// (here, to hide a revocation from the landlord) is caught when they
// exchange checkpoints inside their signed envelopes.
func TestForkedRelayCaught(t *testing.T) {
	s := newKentScheme(t)
	base := append([][]byte(nil), s.Objects...)
	rev := s.wealdB.Revoke(t, time.Now(), "laptop stolen")
	extra := s.medway.AddDevice(t, "Medway housing officer").Raw
	more := s.medway.AddDevice(t, "Medway night officer").Raw

	// The view shown to the refuge, and the forked view shown to Weald:
	// the same key signs both, as one dishonest relay would.
	honest := startRelay(t, s.Scheme, nil)
	honest.publish(t, append(append([][]byte(nil), base...), rev)...)
	fork := startRelay(t, s.Scheme, nil)
	fork.publish(t, append(append([][]byte(nil), base...), extra)...)

	alice := monitorFor(t, honest) // refuge laptop
	bob := monitorFor(t, fork)     // Weald liaison officer
	if alice.Latest().Size != bob.Latest().Size {
		t.Fatal("the views should have the same size")
	}

	// Alice writes to Weald with her checkpoint inside the signed envelope.
	dir := s.Directory(t)
	var to []crypto.Recipient
	for _, rc := range dir.Recipients(s.weald.ID, time.Now()) {
		if rc.Device == s.wealdA.Secrets.Device {
			to = append(to, rc)
		}
	}
	env, err := crypto.Seal(s.refugeLaptop.Keys, s.weald.ID, to, &crypto.Packet{
		PayloadType: "case-message/v1", Payload: []byte("offer accepted"), Checkpoint: alice.LatestRaw(),
	}, crypto.SealOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opened, err := crypto.Open(env, s.wealdA.Secrets.Device, s.wealdA.Keys.Identities(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, need, err := bob.PeerProof(opened.Checkpoint); err != nil || need {
		t.Fatalf("PeerProof = %v, %v", need, err)
	}
	if err := bob.CheckPeer(opened.Checkpoint, nil); !errors.Is(err, translog.ErrSplitView) {
		t.Fatalf("same size, different roots: %v", err)
	}

	// The fork grows, and Bob follows it: now the sizes differ, and the
	// relay cannot prove one view a prefix of the other.
	fork.publish(t, more)
	if _, err := fork.update(t, bob); err != nil {
		t.Fatalf("bob follows the fork: %v", err)
	}
	lo, hi, need, err := bob.PeerProof(alice.LatestRaw())
	if err != nil || !need {
		t.Fatalf("PeerProof = %d, %d, %v, %v", lo, hi, need, err)
	}
	p, e := fork.proof(t, &protocol.ProofGet{ReqID: 2, OldSize: uint64(lo), Size: uint64(hi)})
	if e != nil {
		t.Fatal(e)
	}
	if err := bob.CheckPeer(alice.LatestRaw(), p.Consistency); !errors.Is(err, translog.ErrSplitView) {
		t.Fatalf("bob accepts alice's checkpoint: %v", err)
	}
	// Alice's relay has no tree of Bob's size at all.
	if _, e := honest.proof(t, &protocol.ProofGet{ReqID: 3, OldSize: uint64(lo), Size: uint64(hi)}); e == nil || e.Code != protocol.CodeBeyondLog {
		t.Fatalf("honest relay proved a tree it does not have: %v", e)
	}
	if err := alice.CheckPeer(bob.LatestRaw(), nil); !errors.Is(err, translog.ErrSplitView) {
		t.Fatalf("alice accepts bob's checkpoint without a proof: %v", err)
	}
}

// backup copies the live SQLite store at path, as an operator's backup job
// would.
func backup(t *testing.T, path, to string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`VACUUM INTO ?`, to); err != nil {
		t.Fatalf("backup: %v", err)
	}
}

// TestRolledBackRelayCaught: a relay restarted from an old backup serves a
// smaller log than the client has seen (rollback), and once it has grown
// past it again, a log that does not extend the one the client saw.
func TestRolledBackRelayCaught(t *testing.T) {
	s := newKentScheme(t)
	dirPath := t.TempDir()
	live, old := filepath.Join(dirPath, "relay.db"), filepath.Join(dirPath, "backup.db")
	r, stop := startFileRelay(t, s.Scheme, live)
	r.publish(t, s.Objects[:4]...)
	backup(t, live, old)
	r.publish(t, s.Objects[4:]...)
	m := monitorFor(t, r)
	seen := m.Latest()
	stop()

	restored, stopRestored := startFileRelay(t, s.Scheme, old)
	defer stopRestored()
	v := restored.fetchLog(t)
	if v.key != m.VerifierKey() {
		t.Fatal("the restored relay has another log key")
	}
	if _, err := m.Update(v.checkpoint, nil); !errors.Is(err, translog.ErrRollback) {
		t.Fatalf("rolled-back checkpoint: %v", err)
	}
	if _, err := restored.update(t, m); err == nil {
		t.Fatal("restored relay proved consistency from a size it does not have")
	}
	// Devices approved since are published again, in another order, plus
	// one more: the log is longer than before, but not an extension of it.
	extra := s.medway.AddDevice(t, "Medway night officer").Raw
	restored.publish(t, s.Objects[5], s.Objects[4], s.Objects[6], extra)
	if _, err := restored.update(t, m); !errors.Is(err, translog.ErrSplitView) {
		t.Fatalf("rewritten history: %v", err)
	}
	if got := m.Latest(); got.Size != seen.Size || got.Root != seen.Root {
		t.Fatalf("monitor moved to %v after refused updates", got)
	}
}

// TestSubstitutedKeyCaught: someone with the relay's disk rewrites a device
// certificate row to swap in their own key. The relay, on restart, serves
// it (it logs a verification failure, and the row still becomes a log
// record); a client holding the earlier checkpoint detects it, and the
// forged certificate does not verify anyway.
func TestSubstitutedKeyCaught(t *testing.T) {
	s := newKentScheme(t)
	path := filepath.Join(t.TempDir(), "relay.db")
	r, stop := startFileRelay(t, s.Scheme, path)
	r.publish(t, s.Objects...)
	m := monitorFor(t, r)
	stop()

	// The officer's certificate, with the attacker's signing key and
	// signed by the attacker (not Weald's admin).
	const victim = 4 // s.Objects: 3 org certs, then refugeLaptop, wealdA, ...
	attacker, err := crypto.GenerateSigningKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := *s.wealdA.Cert
	c.SigningKey = attacker.Public().(ed25519.PublicKey)
	forged, err := crypto.SignDeviceCert(&c, attacker)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(forged)
	for _, q := range []string{`DROP TRIGGER directory_no_update`, `UPDATE directory SET object = ?, hash = ? WHERE idx = ?`} {
		var args []any
		if strings.HasPrefix(q, "UPDATE") {
			args = []any{forged, h[:], victim}
		}
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("tamper: %s: %v", q, err)
		}
	}
	db.Close()

	r2, stop2 := startFileRelay(t, s.Scheme, path)
	defer stop2()
	if !strings.Contains(r2.logs.String(), "directory entry failed verification on load") {
		t.Fatal("the relay did not notice the tampered row")
	}
	v := r2.fetchLog(t)
	if string(v.objects[victim]) != string(forged) {
		t.Fatal("the relay does not serve the tampered row")
	}
	if _, err := m.Update(v.checkpoint, nil); !errors.Is(err, translog.ErrSplitView) {
		t.Fatalf("checkpoint over the tampered log: %v", err)
	}
	if err := m.VerifyRecords(v.objects); !errors.Is(err, translog.ErrTreeMismatch) {
		t.Fatalf("replay of the tampered log against the old checkpoint: %v", err)
	}
	p, e := r2.proof(t, &protocol.ProofGet{ReqID: 1, HasIndex: true, Index: victim, Size: uint64(m.Latest().Size)})
	if e != nil {
		t.Fatal(e)
	}
	if err := m.VerifyInclusion(victim, forged, p.Inclusion); !errors.Is(err, translog.ErrBadProof) {
		t.Fatalf("forged certificate proved included: %v", err)
	}
	dir := crypto.NewDirectory(s.Scheme.Scheme)
	for i, o := range v.objects {
		_, err := dir.Add(o, time.Now())
		if i == victim && !errors.Is(err, crypto.ErrBadSignature) {
			t.Fatalf("forged certificate verifies: %v", err)
		}
	}
	if rep, err := translog.Audit(s.Scheme.Scheme, m.VerifierKey(), v.checkpoint, v.objects); err != nil || rep.OK() || !errors.Is(rep.Entries[victim].Err, crypto.ErrBadSignature) {
		t.Fatalf("audit of the tampered log: %v", err)
	}
}
