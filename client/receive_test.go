package client

import (
	"testing"

	"github.com/saferef/saferef/protocol/payload"
)

// TestEveryPayloadTypeHasReceiver checks the receivers table against the
// payload package: a new payload type without a receive function would be
// rejected by every device as "not handled by this version".
func TestEveryPayloadTypeHasReceiver(t *testing.T) {
	for _, pt := range payload.Types() {
		if receivers[pt] == nil {
			t.Errorf("payload type %q has no receive function in receivers", pt)
		}
	}
	if len(receivers) != len(payload.Types()) {
		t.Errorf("receivers has %d entries, payload.Types() %d: a receiver for a type the payload package does not know", len(receivers), len(payload.Types()))
	}
}

// TestReceiverRefusesMismatchedPayload checks that a receive function
// handed another type's payload refuses it instead of panicking.
func TestReceiverRefusesMismatchedPayload(t *testing.T) {
	f := receivers[payload.TypeOffer]
	if _, err := f(nil, t.Context(), &inbound{}, &payload.CaseMessage{}); err == nil {
		t.Fatal("offer receiver accepted a case message")
	}
}
