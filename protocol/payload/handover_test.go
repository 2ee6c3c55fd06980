package payload

import (
	"errors"
	"testing"
)

func exampleHandover() *Handover {
	return &Handover{Schema: SchemaVersion, Case: ExampleReferral().Case, Part: 1, Parts: 1,
		Packets: []HandedOver{{Envelope: exampleEnvelope(), Recipients: []ID{{1}, {2}}, Inner: []byte("signed inner envelope")}}}
}

func TestHandoverRoundTrip(t *testing.T) {
	b, err := MarshalHandover(exampleHandover())
	if err != nil {
		t.Fatal(err)
	}
	h, err := UnmarshalHandover(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Packets) != 1 || string(h.Packets[0].Inner) != "signed inner envelope" || len(h.Packets[0].Recipients) != 2 {
		t.Fatalf("round trip: %+v", h)
	}
	for name, edit := range map[string]func(*Handover){
		"no packets":  func(h *Handover) { h.Packets = nil },
		"bad part":    func(h *Handover) { h.Part = 2 },
		"twice":       func(h *Handover) { h.Packets = append(h.Packets, h.Packets[0]) },
		"empty inner": func(h *Handover) { h.Packets[0].Inner = nil },
		"no case":     func(h *Handover) { h.Case = ID{} },
	} {
		h := exampleHandover()
		edit(h)
		if _, err := MarshalHandover(h); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := UnmarshalHandover(append(b, 0)); !errors.Is(err, ErrMalformed) {
		t.Errorf("trailing byte: %v", err)
	}
}

func FuzzUnmarshalHandover(f *testing.F) {
	b, _ := MarshalHandover(exampleHandover())
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := UnmarshalHandover(b)
		if err != nil {
			return
		}
		again, err := MarshalHandover(h)
		if err != nil || string(again) != string(b) {
			t.Fatalf("accepted bytes do not round-trip: %v", err)
		}
	})
}
