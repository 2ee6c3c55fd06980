package payload

// DeliveryReceipt tells the sender of an envelope that a device opened it
// or, when Rejected is set, that the device refused it for good: the
// sender's case then shows "not accepted by ORGANISATION: REASON". The
// receipt travels in an envelope signed by the reading device, which is
// what says which device read (or refused) it.
type DeliveryReceipt struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Envelope is the id of the envelope that was read.
	Envelope ID `json:"envelope" cbor:"envelope"`
	// Case is the case the envelope belonged to.
	Case ID `json:"case" cbor:"case"`
	// ReadAt is when the device opened (or refused) it, Unix seconds
	// (UTC), positive.
	ReadAt int64 `json:"read_at" cbor:"read_at"`
	// Rejected, when not empty, is why the device refused the envelope:
	// one of the Rejected* codes. Case may then be zero (an envelope that
	// could not be decrypted names no case). Absent from an ordinary
	// receipt, whose encoding is unchanged.
	Rejected string `json:"rejected,omitempty" cbor:"rejected,omitempty"`
	// Also lists more envelopes of the same case that the device received
	// in the same sync, so that one receipt answers a whole backlog (at
	// most MaxReceiptBatch ids in all). Absent when empty, and never set on
	// a rejection.
	Also []ID `json:"also,omitempty" cbor:"also,omitempty"`
}

// MaxReceiptBatch is the most envelopes one delivery receipt answers
// (Envelope and Also together).
const MaxReceiptBatch = 64

// Rejection codes of a DeliveryReceipt. A receiver never says more than
// the code: the sender's device turns it into words (RejectionReason).
const (
	// RejectedClock: dated in the future by more than receivers allow,
	// the sending computer's clock was wrong.
	RejectedClock = "clock"
	// RejectedExpired: it arrived after its signed expiry.
	RejectedExpired = "expired"
	// RejectedUndecryptable: no key of the receiving device opened it, or
	// its ciphertext was damaged.
	RejectedUndecryptable = "undecryptable"
	// RejectedRule: it opened but broke a rule of the scheme or the case.
	RejectedRule = "rule"
)

// RejectionReason returns the words a sender's case shows for a rejection
// code.
func RejectionReason(code string) string {
	switch code {
	case RejectedClock:
		return "it was dated in the future (the sending computer's clock was wrong); send it again"
	case RejectedExpired:
		return "it arrived after it had expired; send it again"
	case RejectedUndecryptable:
		return "it could not be decrypted (damaged on the way, or sealed to a key no longer held); send it again"
	case RejectedRule:
		return "it broke a rule of the scheme or of the case"
	}
	return "refused for a reason this version does not know"
}

// PayloadType returns TypeDeliveryReceipt.
func (*DeliveryReceipt) PayloadType() string { return TypeDeliveryReceipt }

// Validate checks every field and returns a ValidationError listing all
// problems, or nil.
func (d *DeliveryReceipt) Validate() error {
	p := &problems{prefix: "delivery_receipt"}
	p.schema(d.Schema)
	p.required("envelope", d.Envelope)
	switch d.Rejected {
	case "":
		p.required("case", d.Case)
	case RejectedClock, RejectedExpired, RejectedUndecryptable, RejectedRule:
	default:
		p.add("rejected", "must be clock, expired, undecryptable or rule")
	}
	if len(d.Also) > 0 && d.Rejected != "" {
		p.add("also", "must be empty on a rejection")
	}
	if len(d.Also) >= MaxReceiptBatch {
		p.add("also", "at most %d envelope ids", MaxReceiptBatch-1)
	}
	for _, id := range d.Also {
		if id.IsZero() {
			p.add("also", "an envelope id is zero")
			break
		}
	}
	if d.ReadAt <= 0 {
		p.add("read_at", "must be a positive Unix time")
	}
	return p.err()
}
