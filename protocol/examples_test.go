package protocol

import (
	"crypto/ed25519"
	"strings"
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

// exampleFrames returns one example of every frame type, in type order. The
// test vectors in testdata/ and the examples in SPEC.md are their encodings.
func exampleFrames() []Frame {
	key := exampleDeviceKey()
	msg := AuthMessage(exampleNonce(), exampleOrigin, exampleTime+3, exampleDevice)
	return []Frame{
		&ServerHello{Nonce: exampleNonce(), Origin: exampleOrigin, Time: exampleTime},
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
		&Directory{ReqID: 9, Entries: []DirectoryEntry{{Index: 40, Object: exampleObject()}, {Index: 41, Object: exampleObject()}}, Size: 42},
	}
}
