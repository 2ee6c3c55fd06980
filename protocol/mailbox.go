package protocol

import (
	"errors"
	"fmt"
)

// Send (0x10, device to relay, after AuthOK) stores an envelope in the
// mailbox named by the envelope's outer "to". ReqID is chosen by the device,
// non-zero, and echoed in SendOK or Error. Envelope is an encoded outer
// envelope, not empty; one over MaxEnvelopeSize bytes (that still fits in a
// frame) is a well-formed Send that the relay answers with
// envelope-too-large, not fatal.
type Send struct {
	ReqID    uint64 `cbor:"r"`
	Envelope []byte `cbor:"e"`
}

// FrameType returns TypeSend.
func (Send) FrameType() Type { return TypeSend }

func (f Send) check() error {
	// An envelope over MaxEnvelopeSize that still fits in a frame is a
	// well-formed Send: the relay answers it with envelope-too-large (not
	// fatal), so the device learns which envelope to give up on.
	if len(f.Envelope) == 0 {
		return errors.Join(checkReqID(f.ReqID), errors.New("envelope is empty"))
	}
	return checkReqID(f.ReqID)
}

// SendOK (0x11, relay to device) answers Send once the envelope is durably
// stored. ID is the envelope id the relay read from the outer envelope.
type SendOK struct {
	ReqID uint64   `cbor:"r"`
	ID    [16]byte `cbor:"id"`
}

// FrameType returns TypeSendOK.
func (SendOK) FrameType() Type { return TypeSendOK }

func (f SendOK) check() error { return checkReqID(f.ReqID) }

// Deliver (0x12, relay to device, after AuthOK) pushes one envelope from the
// device's organisation mailbox. The same envelope may be delivered again
// (after a reconnect) until the device acknowledges it.
type Deliver struct {
	Envelope []byte `cbor:"e"`
}

// FrameType returns TypeDeliver.
func (Deliver) FrameType() Type { return TypeDeliver }

func (f Deliver) check() error { return checkEnvelope(f.Envelope) }

// Ack (0x13, device to relay, after AuthOK) lists envelopes this device has
// processed durably (stored or rejected for good), 1 to MaxAckIDs ids, no
// duplicates. The relay sends no reply; acknowledging an unknown or
// already-acknowledged id is not an error.
type Ack struct {
	IDs [][16]byte `cbor:"ids"`
}

// FrameType returns TypeAck.
func (Ack) FrameType() Type { return TypeAck }

func (f Ack) check() error {
	if len(f.IDs) == 0 || len(f.IDs) > MaxAckIDs {
		return fmt.Errorf("ack has %d ids, want 1 to %d", len(f.IDs), MaxAckIDs)
	}
	seen := make(map[[16]byte]struct{}, len(f.IDs))
	for i, id := range f.IDs {
		if _, dup := seen[id]; dup {
			return fmt.Errorf("ack id %d (%x) is repeated", i, id)
		}
		seen[id] = struct{}{}
	}
	return nil
}

// Drained (0x14, relay to device) is sent once per connection, after the
// relay has pushed every envelope that was waiting for this device when it
// authenticated. Envelopes arriving later are delivered after it. Its body is
// the empty map.
type Drained struct{}

// FrameType returns TypeDrained.
func (Drained) FrameType() Type { return TypeDrained }

func (Drained) check() error { return nil }

func checkReqID(id uint64) error {
	if id == 0 {
		return errors.New("request id must not be 0")
	}
	return nil
}

func checkEnvelope(e []byte) error {
	if len(e) == 0 || len(e) > MaxEnvelopeSize {
		return fmt.Errorf("envelope is %d bytes, want 1 to %d", len(e), MaxEnvelopeSize)
	}
	return nil
}
