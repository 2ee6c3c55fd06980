package payload

import "fmt"

// TypeHandover is the payload type of a handover: a device passing a
// case's original signed packets to a colleague's device of the same
// organisation (a new device, a replacement laptop, or a colleague taking
// over from a caseworker who is leaving). It is not a case workflow packet
// and is not in Types(); protocol/SPEC.md describes it.
const TypeHandover = "handover/v1"

// Limits of a handover.
const (
	// MaxHandoverSize caps an encoded handover: it must fit, with the
	// envelope's own overhead, in one envelope (1 MiB).
	MaxHandoverSize = 900 << 10
	// MaxHandoverPackets caps the packets of one handover; a case with
	// more is handed over in several parts.
	MaxHandoverPackets = 64
	// MaxHandoverRecipients caps the recipient list of a handed-over packet
	// (the envelope limit).
	MaxHandoverRecipients = 64
)

// Handover carries some of a case's original packets, oldest first. Each
// packet is the signed inner envelope exactly as the original recipient
// (or its sender) holds it; the receiving device verifies each sender's
// signature itself and trusts nothing the handing device could change.
type Handover struct {
	// Schema is SchemaVersion.
	Schema int `cbor:"schema"`
	// Case is the case the packets belong to.
	Case ID `cbor:"case"`
	// Part and Parts number this handover among those of the case (1..Parts).
	Part  int `cbor:"part"`
	Parts int `cbor:"parts"`
	// Packets are the handed-over packets, 1 to MaxHandoverPackets.
	Packets []HandedOver `cbor:"packets"`
}

// HandedOver is one original packet. Envelope and Recipients repeat what
// the signed inner envelope says (its id and the devices it was sealed
// to), so that a handover names exactly which originals it carries; the
// receiver refuses a packet whose signed values differ.
type HandedOver struct {
	Envelope   ID     `cbor:"envelope"`
	Recipients []ID   `cbor:"recipients"`
	Inner      []byte `cbor:"inner"`
}

// Validate checks the handover's shape (not the packets' signatures).
func (h *Handover) Validate() error {
	p := &problems{prefix: "handover"}
	p.schema(h.Schema)
	p.required("case", h.Case)
	if h.Parts < 1 || h.Part < 1 || h.Part > h.Parts {
		p.add("part", "part %d of %d is not a valid numbering", h.Part, h.Parts)
	}
	if len(h.Packets) < 1 || len(h.Packets) > MaxHandoverPackets {
		p.add("packets", "%d packets, want 1 to %d", len(h.Packets), MaxHandoverPackets)
	}
	seen := map[ID]bool{}
	for i, k := range h.Packets {
		f := fmt.Sprintf("packets[%d]", i)
		p.required(f+".envelope", k.Envelope)
		if seen[k.Envelope] {
			p.add(f+".envelope", "listed twice")
		}
		seen[k.Envelope] = true
		if len(k.Recipients) < 1 || len(k.Recipients) > MaxHandoverRecipients {
			p.add(f+".recipients", "%d recipients, want 1 to %d", len(k.Recipients), MaxHandoverRecipients)
		}
		if len(k.Inner) == 0 {
			p.add(f+".inner", "empty")
		}
	}
	return p.err()
}

// MarshalHandover validates h and returns its deterministic CBOR encoding.
func MarshalHandover(h *Handover) ([]byte, error) {
	if err := h.Validate(); err != nil {
		return nil, fmt.Errorf("marshal handover: %w", err)
	}
	b, err := codec.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("marshal handover: %w", err)
	}
	if len(b) > MaxHandoverSize {
		return nil, fmt.Errorf("marshal handover: %w: %d bytes, limit %d", ErrTooLarge, len(b), MaxHandoverSize)
	}
	return b, nil
}

// UnmarshalHandover decodes a handover strictly (size cap, duplicate and
// unknown keys, non-canonical encodings rejected) and validates it.
func UnmarshalHandover(b []byte) (*Handover, error) {
	if len(b) > MaxHandoverSize {
		return nil, fmt.Errorf("unmarshal handover: %w: %d bytes, limit %d", ErrTooLarge, len(b), MaxHandoverSize)
	}
	var h Handover
	if err := codec.UnmarshalCanonical(b, &h); err != nil {
		return nil, fmt.Errorf("unmarshal handover: %w: %w", ErrMalformed, err)
	}
	if err := h.Validate(); err != nil {
		return nil, fmt.Errorf("unmarshal handover: %w", err)
	}
	return &h, nil
}
