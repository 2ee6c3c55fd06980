package translog

import (
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/schemetest"
)

// sendFixture is a landlord with three devices in a log of 10,000 entries
// (the scheme's expected scale), and a refuge device sending to it.
type sendFixture struct {
	sender  *schemetest.Device
	to      []crypto.Recipient
	packet  *crypto.Packet
	monitor *Monitor
	// proofs of the recipients' certificates, as a client would fetch (or
	// cache) them: index, object, inclusion proof.
	indexes []int64
	objects [][]byte
	proofs  [][][32]byte
}

func newSendFixture(b *testing.B) *sendFixture {
	s := schemetest.New(b, 1, 1)
	refuge := s.AddOrg(b, "Harbour Refuge", crypto.KindProvider)
	landlord := s.AddOrg(b, "Weald Homes", crypto.KindLandlord, "Maidstone")
	f := &sendFixture{sender: refuge.AddDevice(b, "laptop")}
	for i := range 3 {
		landlord.AddDevice(b, "officer "+string(rune('A'+i)))
	}
	signer, vkey := testKey(b, 0x42)
	l, err := NewLog(signer, vkey)
	if err != nil {
		b.Fatal(err)
	}
	const filler = 10000
	for i := range filler - len(s.Objects) {
		l.Append(record(i))
	}
	first := l.Size()
	for _, o := range s.Objects {
		l.Append(o)
	}
	f.monitor = mustMonitor(b, vkey)
	if _, err := f.monitor.Update(mustCheckpoint(b, l, l.Size()), nil); err != nil {
		b.Fatal(err)
	}
	dir := s.Directory(b)
	f.to = dir.Recipients(landlord.ID, time.Now())
	// The landlord's org certificate and its three device certificates.
	for i := int64(1); i < int64(len(s.Objects)); i++ {
		if i == 2 {
			continue // the refuge's own device
		}
		idx := first + i
		p, err := l.ProveInclusion(idx, l.Size())
		if err != nil {
			b.Fatal(err)
		}
		f.indexes = append(f.indexes, idx)
		f.objects = append(f.objects, s.Objects[i])
		f.proofs = append(f.proofs, p)
	}
	f.packet = &crypto.Packet{PayloadType: "referral/v1", Payload: make([]byte, 1024), Checkpoint: f.monitor.LatestRaw()}
	return f
}

// BenchmarkSendWithoutProofs seals a 1 KiB referral to a landlord's three
// devices.
func BenchmarkSendWithoutProofs(b *testing.B) {
	f := newSendFixture(b)
	for b.Loop() {
		if _, err := crypto.Seal(f.sender.Keys, crypto.OrgID{1}, f.to, f.packet, crypto.SealOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendWithProofs does the same after verifying the inclusion
// proofs of the landlord's certificate and its three devices' certificates
// against the latest checkpoint, as a client does before every send.
func BenchmarkSendWithProofs(b *testing.B) {
	f := newSendFixture(b)
	for b.Loop() {
		for i := range f.indexes {
			if err := f.monitor.VerifyInclusion(f.indexes[i], f.objects[i], f.proofs[i]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := crypto.Seal(f.sender.Keys, crypto.OrgID{1}, f.to, f.packet, crypto.SealOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyInclusion is one inclusion proof in a log of 10,000.
func BenchmarkVerifyInclusion(b *testing.B) {
	f := newSendFixture(b)
	for b.Loop() {
		if err := f.monitor.VerifyInclusion(f.indexes[0], f.objects[0], f.proofs[0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckPeer checks a peer's checkpoint of the same size but
// not byte-identical to the recipient's own (so its signature is
// verified), as a recipient does for an envelope; an identical checkpoint,
// the common case, costs only a comparison.
func BenchmarkCheckPeer(b *testing.B) {
	f := newSendFixture(b)
	raw := append([]byte(nil), f.monitor.LatestRaw()...)
	f.monitor.latest.Raw = nil // force the signature check
	for b.Loop() {
		if err := f.monitor.CheckPeer(raw, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplayLog hashes a whole log of 10,000 entries of 1 KiB, what a
// client does to prove every entry at once.
func BenchmarkReplayLog(b *testing.B) {
	objs := make([][]byte, 10000)
	for i := range objs {
		objs[i] = make([]byte, 1024)
		objs[i][0], objs[i][1] = byte(i), byte(i>>8)
	}
	for b.Loop() {
		if _, err := RootOf(objs); err != nil {
			b.Fatal(err)
		}
	}
}
