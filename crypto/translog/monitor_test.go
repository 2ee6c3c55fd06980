package translog

import (
	"bytes"
	"errors"
	"testing"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/schemetest"
)

func schemeWithKey(t *testing.T, logKey string) *crypto.Scheme {
	t.Helper()
	s := *schemetest.New(t, 1, 1).Scheme
	s.LogKey = logKey
	return &s
}

func TestMonitorFollowsGrowingLog(t *testing.T) {
	l := testLog(t, 0, 0)
	m := mustMonitor(t, l.VerifierKey())
	if m.Latest() != nil || m.LatestRaw() != nil {
		t.Fatal("new monitor has a checkpoint")
	}
	// First contact: an empty log.
	if _, err := m.Update(mustCheckpoint(t, l, 0), nil); err != nil {
		t.Fatalf("first checkpoint: %v", err)
	}
	for n := 1; n <= 20; n++ {
		if _, err := l.Append(record(n - 1)); err != nil {
			t.Fatal(err)
		}
		if n%3 != 0 {
			continue // the client does not see every size
		}
		old := m.Latest().Size
		p, err := l.ProveConsistency(old, int64(n))
		if err != nil {
			t.Fatal(err)
		}
		cp, err := m.Update(mustCheckpoint(t, l, int64(n)), p)
		if err != nil {
			t.Fatalf("update %d -> %d: %v", old, n, err)
		}
		if cp.Size != int64(n) || m.Latest().Size != int64(n) {
			t.Fatalf("latest is %v after update to %d", m.Latest(), n)
		}
		// Every record so far is provably included.
		for i := range n {
			ip, err := l.ProveInclusion(int64(i), int64(n))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.VerifyInclusion(int64(i), record(i), ip); err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
		}
	}
	// Seeing the same checkpoint again is fine.
	if _, err := m.Update(m.LatestRaw(), nil); err != nil {
		t.Fatalf("same checkpoint again: %v", err)
	}
	var objs [][]byte
	for i := range 18 {
		objs = append(objs, record(i))
	}
	if err := m.VerifyRecords(objs); err != nil {
		t.Fatalf("replay: %v", err)
	}
	objs[7] = []byte("substituted key")
	if err := m.VerifyRecords(objs); !errors.Is(err, ErrTreeMismatch) {
		t.Fatalf("replay of a substituted record: %v", err)
	}
}

// TestMonitorCatchesRollback: a relay restored from an old backup offers a
// smaller checkpoint than the client has verified.
func TestMonitorCatchesRollback(t *testing.T) {
	l := testLog(t, 10, 0)
	m := mustMonitor(t, l.VerifierKey())
	if _, err := m.Update(mustCheckpoint(t, l, 10), nil); err != nil {
		t.Fatal(err)
	}
	// The old checkpoint is genuine (consistent), but offered as current.
	if _, err := m.Update(mustCheckpoint(t, l, 7), nil); !errors.Is(err, ErrRollback) {
		t.Fatalf("rollback to 7: %v", err)
	}
	if m.Latest().Size != 10 {
		t.Fatalf("monitor changed by a refused update: %v", m.Latest())
	}
}

// TestMonitorCatchesRewrittenHistory: a relay restarted from an old backup
// that has since grown past the client's size, with different entries.
func TestMonitorCatchesRewrittenHistory(t *testing.T) {
	s, vkey := testKey(t, 0)
	honest, _ := NewLog(s, vkey)
	restored, _ := NewLog(s, vkey)
	for i := range 10 {
		honest.Append(record(i))
		if i < 6 {
			restored.Append(record(i))
		}
	}
	for i := range 8 {
		restored.Append(record(100 + i)) // 14 records, 6..13 new
	}
	m := mustMonitor(t, vkey)
	if _, err := m.Update(mustCheckpoint(t, honest, 10), nil); err != nil {
		t.Fatal(err)
	}
	p, err := restored.ProveConsistency(10, 14)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Update(mustCheckpoint(t, restored, 14), p); !errors.Is(err, ErrSplitView) {
		t.Fatalf("rewritten history accepted: %v", err)
	}
	// Same size, different root.
	restored2, _ := NewLog(s, vkey)
	for i := range 10 {
		restored2.Append(record(200 + i))
	}
	if _, err := m.Update(mustCheckpoint(t, restored2, 10), nil); !errors.Is(err, ErrSplitView) {
		t.Fatalf("same size, other root accepted: %v", err)
	}
}

// TestMonitorCheckPeer: two clients given inconsistent checkpoints (a
// forked log) find out when they exchange checkpoints; clients on one log
// agree whatever sizes they hold.
func TestMonitorCheckPeer(t *testing.T) {
	s, vkey := testKey(t, 0)
	main, _ := NewLog(s, vkey)
	fork, _ := NewLog(s, vkey)
	for i := range 12 {
		main.Append(record(i))
		if i < 8 {
			fork.Append(record(i))
		} else {
			fork.Append(record(1000 + i)) // the fork swaps entries 8..11
		}
	}
	alice, bob, carol := mustMonitor(t, vkey), mustMonitor(t, vkey), mustMonitor(t, vkey)
	alice.Update(mustCheckpoint(t, main, 12), nil)
	bob.Update(mustCheckpoint(t, main, 9), nil)
	carol.Update(mustCheckpoint(t, fork, 12), nil)

	// Alice and Bob: Bob is behind; the relay proves 9 -> 12.
	lo, hi, need, err := alice.PeerProof(bob.LatestRaw())
	if err != nil || !need || lo != 9 || hi != 12 {
		t.Fatalf("PeerProof = %d, %d, %v, %v", lo, hi, need, err)
	}
	p, _ := main.ProveConsistency(lo, hi)
	if err := alice.CheckPeer(bob.LatestRaw(), p); err != nil {
		t.Fatalf("alice rejects bob: %v", err)
	}
	if err := bob.CheckPeer(alice.LatestRaw(), p); err != nil {
		t.Fatalf("bob rejects alice: %v", err)
	}
	if bob.Latest().Size != 9 {
		t.Fatal("CheckPeer changed the monitor")
	}
	if err := alice.CheckPeer(nil, nil); err != nil {
		t.Fatalf("peer with no checkpoint: %v", err)
	}

	// Alice and Carol: same size, different roots.
	if _, _, need, _ := alice.PeerProof(carol.LatestRaw()); need {
		t.Fatal("equal sizes need a proof")
	}
	if err := alice.CheckPeer(carol.LatestRaw(), nil); !errors.Is(err, ErrSplitView) {
		t.Fatalf("forked peer accepted: %v", err)
	}
	// Bob and Carol: the relay can only offer its fork's proof, or main's;
	// neither links Bob's 9 to Carol's 12.
	for _, l := range []*Log{main, fork} {
		p, _ := l.ProveConsistency(9, 12)
		if err := bob.CheckPeer(carol.LatestRaw(), p); !errors.Is(err, ErrSplitView) {
			t.Fatalf("forked peer accepted with a proof: %v", err)
		}
	}
	// A checkpoint from another log key is not a split view but a bad
	// checkpoint.
	if err := alice.CheckPeer(mustCheckpoint(t, testLog(t, 3, 0), 3), nil); !errors.Is(err, ErrBadCheckpoint) {
		t.Fatalf("foreign checkpoint: %v", err)
	}
	// A monitor with no checkpoint cannot judge a peer.
	if err := mustMonitor(t, vkey).CheckPeer(alice.LatestRaw(), nil); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("empty monitor: %v", err)
	}
}

func TestMonitorMarshal(t *testing.T) {
	l := testLog(t, 4, 0x42)
	m := mustMonitor(t, l.VerifierKey())
	empty, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := UnmarshalMonitor(empty)
	if err != nil || m2.Latest() != nil || m2.VerifierKey() != l.VerifierKey() {
		t.Fatalf("round trip of an empty monitor: %v", err)
	}
	m.Update(mustCheckpoint(t, l, 4), nil)
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m3, err := UnmarshalMonitor(b)
	if err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if !bytes.Equal(m3.LatestRaw(), m.LatestRaw()) {
		t.Fatal("checkpoint lost in round trip")
	}
	// A tampered state file is refused.
	bad := bytes.Replace(b, []byte(`\n4\n`), []byte(`\n5\n`), 1)
	if _, err := UnmarshalMonitor(bad); !errors.Is(err, ErrBadCheckpoint) {
		t.Fatalf("tampered state: %v", err)
	}
	for _, in := range []string{``, `{}`, `{"version":1,"log_key":"x"}`, `{"version":2}`, `{"version":1,"log_key":"` + l.VerifierKey() + `","extra":1}`} {
		if _, err := UnmarshalMonitor([]byte(in)); err == nil {
			t.Errorf("UnmarshalMonitor(%s) succeeded", in)
		}
	}
}
