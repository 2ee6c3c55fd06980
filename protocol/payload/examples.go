package payload

import "fmt"

// ExampleCaseMessage returns a complete, valid case message for
// ExampleReferral's case.
func ExampleCaseMessage() *CaseMessage {
	return &CaseMessage{Schema: SchemaVersion, Case: ExampleReferral().Case, Text: "Viewing confirmed for Thursday.\nPlease bring the tenancy pack."}
}

// ExampleDeliveryReceipt returns a complete, valid delivery receipt for an
// envelope of ExampleReferral's case.
func ExampleDeliveryReceipt() *DeliveryReceipt {
	return &DeliveryReceipt{Schema: SchemaVersion, Envelope: ID{0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f}, Case: ExampleReferral().Case, ReadAt: 1767225600}
}

// Example returns a new complete, valid example payload of type pt, built
// from the demo Kent and Medway data, for the CLI's templates and for tests.
// Ids in it are fixed placeholders.
func Example(pt string) (Payload, error) {
	switch pt {
	case TypeReferral:
		return ExampleReferral(), nil
	case TypeCaseMessage:
		return ExampleCaseMessage(), nil
	case TypeDeliveryReceipt:
		return ExampleDeliveryReceipt(), nil
	case TypeApproval:
		return ExampleApproval(), nil
	case TypeOffer:
		return ExampleOffer(), nil
	case TypeOfferDecision:
		return ExampleOfferDecision(), nil
	case TypeHouseholdDetails:
		return ExampleHouseholdDetails(), nil
	case TypeStatusUpdate:
		return ExampleStatusUpdate(), nil
	case TypeAttachmentChunk:
		return ExampleAttachmentChunk(), nil
	case TypeReadReceipt:
		return ExampleReadReceipt(), nil
	case TypeRecall:
		return ExampleRecall(), nil
	case TypeRecallReceipt:
		return ExampleRecallReceipt(), nil
	case TypeOutcome:
		return ExampleOutcome(), nil
	}
	return nil, fmt.Errorf("example payload %q: %w", pt, ErrUnknownType)
}
