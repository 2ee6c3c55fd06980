package payload

// DeliveryReceipt tells the sender of an envelope that a device opened it.
// The receipt travels in an envelope signed by the reading device, which is
// what says which device read it.
type DeliveryReceipt struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Envelope is the id of the envelope that was read.
	Envelope ID `json:"envelope" cbor:"envelope"`
	// Case is the case the envelope belonged to.
	Case ID `json:"case" cbor:"case"`
	// ReadAt is when the device opened it, Unix seconds (UTC), positive.
	ReadAt int64 `json:"read_at" cbor:"read_at"`
}

// PayloadType returns TypeDeliveryReceipt.
func (*DeliveryReceipt) PayloadType() string { return TypeDeliveryReceipt }

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (d *DeliveryReceipt) Validate() error {
	p := &problems{prefix: "delivery_receipt"}
	p.schema(d.Schema)
	p.required("envelope", d.Envelope)
	p.required("case", d.Case)
	if d.ReadAt <= 0 {
		p.add("read_at", "must be a positive Unix time")
	}
	return p.err()
}
