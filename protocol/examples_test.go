package protocol

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// exampleTime is 2026-01-01T00:00:00Z, the clock of every example.
const exampleTime = 1767225600

// exampleOrigin is the relay origin in the examples.
const exampleOrigin = "wss://relay.example.org"

// exampleDeviceKey is the Ed25519 key of the example device: seed 32 × 0x42.
func exampleDeviceKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed([]byte(strings.Repeat("\x42", ed25519.SeedSize)))
}

func seq16(start byte) [16]byte {
	var b [16]byte
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

func exampleNonce() [32]byte {
	var n [32]byte
	for i := range n {
		n[i] = byte(i)
	}
	return n
}

var (
	exampleDevice   = seq16(0x10)
	exampleOrg      = seq16(0x20)
	exampleEnvelope = seq16(0x30)
)

// exampleEnvelopeBytes stands in for an encoded outer envelope (opaque here).
func exampleEnvelopeBytes() []byte {
	return []byte("\xa5outer-envelope")
}

// exampleObject stands in for a signed directory object (opaque here).
func exampleObject() []byte {
	return []byte("\xa3signed-object")
}

// exampleLogOrigin names the example relay's transparency log.
const exampleLogOrigin = "saferef-relay/0123456789abcdef"

// byteReader is an endless stream of one byte, for a deterministic key.
type byteReader byte

func (r byteReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// exampleLogKeys returns the example relay's log signer and verifier key:
// an Ed25519 note key from seed 32 × 0x43.
func exampleLogKeys() (note.Signer, string) {
	skey, vkey, err := note.GenerateKey(byteReader(0x43), exampleLogOrigin)
	if err != nil {
		panic(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		panic(err)
	}
	return s, vkey
}

// exampleTree is the example log: 42 copies of exampleObject, as stored
// hashes.
func exampleTree() tlog.HashReaderFunc {
	var hashes []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for n := range int64(42) {
		hs, err := tlog.StoredHashes(n, exampleObject(), r)
		if err != nil {
			panic(err)
		}
		hashes = append(hashes, hs...)
	}
	return r
}

// exampleCheckpoint is the example relay's signed checkpoint of its 42
// entries.
func exampleCheckpoint() []byte {
	signer, _ := exampleLogKeys()
	root, err := tlog.TreeHash(42, exampleTree())
	if err != nil {
		panic(err)
	}
	text := fmt.Sprintf("%s\n%d\n%s\n", exampleLogOrigin, 42, base64.StdEncoding.EncodeToString(root[:]))
	b, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		panic(err)
	}
	return b
}

// exampleProofs returns the inclusion proof of entry 41 and the
// consistency proof from 40 entries, both in the example tree of 42.
func exampleProofs() (inclusion, consistency [][32]byte) {
	rp, err := tlog.ProveRecord(42, 41, exampleTree())
	if err != nil {
		panic(err)
	}
	tp, err := tlog.ProveTree(42, 40, exampleTree())
	if err != nil {
		panic(err)
	}
	for _, h := range rp {
		inclusion = append(inclusion, h)
	}
	for _, h := range tp {
		consistency = append(consistency, h)
	}
	return inclusion, consistency
}

// TestExampleProofsVerify checks the example proofs against the example
// checkpoint, so SPEC.md's examples are real.
func TestExampleProofsVerify(t *testing.T) {
	_, vkey := exampleLogKeys()
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(exampleCheckpoint(), note.VerifierList(v))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := tlog.TreeHash(42, exampleTree())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(n.Text, base64.StdEncoding.EncodeToString(tree[:])) {
		t.Fatal("checkpoint does not carry the tree hash")
	}
	inc, con := exampleProofs()
	var rp tlog.RecordProof
	for _, h := range inc {
		rp = append(rp, h)
	}
	if err := tlog.CheckRecord(rp, 42, tree, 41, tlog.RecordHash(exampleObject())); err != nil {
		t.Fatalf("inclusion: %v", err)
	}
	old, _ := tlog.TreeHash(40, exampleTree())
	var tp tlog.TreeProof
	for _, h := range con {
		tp = append(tp, h)
	}
	if err := tlog.CheckTree(tp, 42, tree, 40, old); err != nil {
		t.Fatalf("consistency: %v", err)
	}
}

// exampleFrames returns one example of every frame type, in type order. The
// test vectors in testdata/ and the examples in SPEC.md are their encodings.
func exampleFrames() []Frame {
	_, logKey := exampleLogKeys()
	inclusion, consistency := exampleProofs()
	key := exampleDeviceKey()
	msg := AuthMessage(exampleNonce(), exampleOrigin, exampleTime+3, exampleDevice)
	return []Frame{
		&ServerHello{Nonce: exampleNonce(), Origin: exampleOrigin, Time: exampleTime, LogKey: logKey},
		&Auth{Device: exampleDevice, Time: exampleTime + 3, Sig: ed25519.Sign(key, msg)},
		&AuthOK{Device: exampleDevice, Org: exampleOrg},
		&Error{Code: CodeRateLimited, Message: "too many requests, slow down", ReqID: 7, Fatal: false},
		&Send{ReqID: 7, Envelope: exampleEnvelopeBytes()},
		&SendOK{ReqID: 7, ID: exampleEnvelope},
		&Deliver{Envelope: exampleEnvelopeBytes()},
		&Ack{IDs: [][16]byte{exampleEnvelope, seq16(0x40)}},
		&Drained{},
		&Publish{ReqID: 8, Object: exampleObject()},
		&PublishOK{ReqID: 8, Index: 41},
		&DirectoryGet{ReqID: 9, Since: 40},
		&Directory{ReqID: 9, Entries: []DirectoryEntry{{Index: 40, Object: exampleObject()}, {Index: 41, Object: exampleObject()}}, Size: 42, Checkpoint: exampleCheckpoint()},
		&ProofGet{ReqID: 10, HasIndex: true, Index: 41, OldSize: 40, Size: 42},
		&Proof{ReqID: 10, Checkpoint: exampleCheckpoint(), Inclusion: inclusion, Consistency: consistency},
	}
}
