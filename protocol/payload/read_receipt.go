package payload

// ReadReceipt tells the sender of an envelope that a person opened it on a
// device: distinct from a DeliveryReceipt, which says only that the device
// received it. The receipt travels in an envelope signed by the reading
// device, which is what says which device (and so which organisation) it was.
type ReadReceipt struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Envelope is the id of the envelope that was opened.
	Envelope ID `json:"envelope" cbor:"envelope"`
	// Case is the case the envelope belonged to.
	Case ID `json:"case" cbor:"case"`
	// ReadAt is when a person opened it, Unix seconds (UTC), positive.
	ReadAt int64 `json:"read_at" cbor:"read_at"`
}

// PayloadType returns TypeReadReceipt.
func (*ReadReceipt) PayloadType() string { return TypeReadReceipt }

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (r *ReadReceipt) Validate() error {
	p := &problems{prefix: "read_receipt"}
	p.schema(r.Schema)
	p.required("envelope", r.Envelope)
	p.required("case", r.Case)
	p.unix("read_at", r.ReadAt)
	return p.err()
}

// AnonymousFields returns nothing: a read receipt has no free text.
func (*ReadReceipt) AnonymousFields() []Field { return nil }

// ExampleReadReceipt returns a complete, valid read receipt for an envelope
// of ExampleReferral's case.
func ExampleReadReceipt() *ReadReceipt {
	return &ReadReceipt{
		Schema:   SchemaVersion,
		Envelope: exampleEnvelope(),
		Case:     ExampleReferral().Case,
		ReadAt:   1780308000,
	}
}

// exampleEnvelope returns a fixed placeholder envelope id for the examples.
func exampleEnvelope() ID {
	return ID{0xe0, 0x7e, 0x10, 0x9e, 0x20, 0x26, 0x00, 0x01, 0x4c, 0x8a, 0x13, 0x77, 0x02, 0xd9, 0x5b, 0x01}
}
