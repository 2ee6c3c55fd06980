package protocol

import (
	"errors"
	"fmt"
)

// Version is the protocol version carried in the "v" key of every frame.
const Version = 1

// Limits on frames and their fields. Decode enforces every one of them.
const (
	// MaxFrameSize is the largest encoded frame accepted: an envelope of at
	// most MaxEnvelopeSize plus framing.
	MaxFrameSize = 1<<20 + 4096
	// MaxEnvelopeSize is the largest encoded outer envelope in Send and Deliver.
	MaxEnvelopeSize = 1 << 20
	// MaxObjectSize is the largest signed directory object in Publish and Directory.
	MaxObjectSize = 64 << 10
	// MaxAckIDs is the largest number of envelope ids in one Ack frame.
	MaxAckIDs = 256
	// MaxDirectoryEntries is the largest number of entries in one Directory frame.
	MaxDirectoryEntries = 10000
	// MaxOriginLen is the longest relay origin in ServerHello, in bytes.
	MaxOriginLen = 256
	// MaxErrorCodeLen is the longest error code in an Error frame, in bytes.
	MaxErrorCodeLen = 64
	// MaxErrorMessageLen is the longest error message in an Error frame, in bytes.
	MaxErrorMessageLen = 1024
	// SignatureSize is the size of the Ed25519 signature in Auth.
	SignatureSize = 64
	// NonceSize is the size of the ServerHello nonce.
	NonceSize = 32
	// MaxCheckpointSize is the largest signed log checkpoint in Directory and Proof, in bytes.
	MaxCheckpointSize = 2048
	// MaxProofHashes is the largest number of hashes in one inclusion or consistency proof.
	MaxProofHashes = 128
	// MaxLogKeyLen is the longest log verifier key in ServerHello, in bytes.
	MaxLogKeyLen = 256
)

// Sentinel errors returned (wrapped) by Decode and Encode. Callers branch on
// them with errors.Is; CodeFor maps them to Error frame codes.
var (
	// ErrFrameTooLarge means the encoded frame is larger than MaxFrameSize.
	ErrFrameTooLarge = errors.New("frame too large")
	// ErrMalformed means the bytes are not a valid, canonical frame, or a
	// field breaks a limit.
	ErrMalformed = errors.New("malformed frame")
	// ErrUnknownFrame means the frame type is not one this version knows.
	ErrUnknownFrame = errors.New("unknown frame type")
	// ErrVersion means the frame carries a protocol version other than Version.
	ErrVersion = errors.New("unsupported protocol version")
)

// Type identifies a frame. It is the "t" key of every frame.
type Type uint8

// Frame types. Each frame struct's documentation says who sends it and when.
const (
	TypeServerHello  Type = 0x01
	TypeAuth         Type = 0x02
	TypeAuthOK       Type = 0x03
	TypeError        Type = 0x04
	TypeSend         Type = 0x10
	TypeSendOK       Type = 0x11
	TypeDeliver      Type = 0x12
	TypeAck          Type = 0x13
	TypeDrained      Type = 0x14
	TypePublish      Type = 0x20
	TypePublishOK    Type = 0x21
	TypeDirectoryGet Type = 0x22
	TypeDirectory    Type = 0x23
	TypeProofGet     Type = 0x24
	TypeProof        Type = 0x25
)

// Types returns every frame type this version knows, in ascending order.
func Types() []Type {
	return []Type{
		TypeServerHello, TypeAuth, TypeAuthOK, TypeError,
		TypeSend, TypeSendOK, TypeDeliver, TypeAck, TypeDrained,
		TypePublish, TypePublishOK, TypeDirectoryGet, TypeDirectory,
		TypeProofGet, TypeProof,
	}
}

// String returns the frame type's name, e.g. "ServerHello".
func (t Type) String() string {
	switch t {
	case TypeServerHello:
		return "ServerHello"
	case TypeAuth:
		return "Auth"
	case TypeAuthOK:
		return "AuthOK"
	case TypeError:
		return "Error"
	case TypeSend:
		return "Send"
	case TypeSendOK:
		return "SendOK"
	case TypeDeliver:
		return "Deliver"
	case TypeAck:
		return "Ack"
	case TypeDrained:
		return "Drained"
	case TypePublish:
		return "Publish"
	case TypePublishOK:
		return "PublishOK"
	case TypeDirectoryGet:
		return "DirectoryGet"
	case TypeDirectory:
		return "Directory"
	case TypeProofGet:
		return "ProofGet"
	case TypeProof:
		return "Proof"
	}
	return fmt.Sprintf("Type(0x%02x)", uint8(t))
}

// Frame is implemented by every frame struct; FrameType returns its Type.
// Decode returns pointers (*ServerHello, *Auth, ...); Encode accepts values
// or pointers.
type Frame interface {
	FrameType() Type
}

// checker is implemented by every frame: it reports a field that breaks the
// frame's rules. Encode and Decode both call it, so neither side can produce
// or accept a frame the other would refuse.
type checker interface {
	check() error
}

// newFrame returns a pointer to a zero frame of type t, or nil if t is unknown.
func newFrame(t Type) Frame {
	switch t {
	case TypeServerHello:
		return new(ServerHello)
	case TypeAuth:
		return new(Auth)
	case TypeAuthOK:
		return new(AuthOK)
	case TypeError:
		return new(Error)
	case TypeSend:
		return new(Send)
	case TypeSendOK:
		return new(SendOK)
	case TypeDeliver:
		return new(Deliver)
	case TypeAck:
		return new(Ack)
	case TypeDrained:
		return new(Drained)
	case TypePublish:
		return new(Publish)
	case TypePublishOK:
		return new(PublishOK)
	case TypeDirectoryGet:
		return new(DirectoryGet)
	case TypeDirectory:
		return new(Directory)
	case TypeProofGet:
		return new(ProofGet)
	case TypeProof:
		return new(Proof)
	}
	return nil
}

// SentByRelay reports whether frames of type t go from the relay to devices
// (ServerHello, AuthOK, Error, SendOK, Deliver, Drained, PublishOK,
// Directory, Proof). A frame received from the wrong side is answered with
// CodeUnknownFrame.
func (t Type) SentByRelay() bool {
	switch t {
	case TypeServerHello, TypeAuthOK, TypeError, TypeSendOK, TypeDeliver,
		TypeDrained, TypePublishOK, TypeDirectory, TypeProof:
		return true
	}
	return false
}

// AllowedBeforeAuth reports whether a device may send frames of type t before
// AuthOK: Auth, Publish (signed objects authenticate themselves),
// DirectoryGet and ProofGet (the directory and its log are public, and
// every answer is verified by its reader). Any other device frame before
// AuthOK is answered with CodeUnauthenticated.
func (t Type) AllowedBeforeAuth() bool {
	switch t {
	case TypeAuth, TypePublish, TypeDirectoryGet, TypeProofGet:
		return true
	}
	return false
}
