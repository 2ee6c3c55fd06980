package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzUnmarshal checks that Unmarshal never panics, returns only typed
// errors, and that whatever it accepts is valid and re-marshals to the input.
func FuzzUnmarshal(f *testing.F) {
	for i, p := range examplePayloads() {
		b, err := Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), b)
	}
	f.Add(uint8(0), []byte{0xa0})
	f.Fuzz(func(t *testing.T, which uint8, in []byte) {
		types := Types()
		pt := types[int(which)%len(types)]
		p, err := Unmarshal(pt, in)
		if err != nil {
			var ve ValidationError
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) && !errors.As(err, &ve) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted invalid payload: %v", err)
		}
		out, err := Marshal(p)
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("accepted %x, re-marshals to %x (%v)", in, out, err)
		}
	})
}

// FuzzFromJSON checks that FromJSON never panics and that whatever it
// accepts marshals to CBOR that Unmarshal accepts.
func FuzzFromJSON(f *testing.F) {
	for i, p := range examplePayloads() {
		j, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), j)
	}
	f.Add(uint8(0), []byte(`{"schema":1}`))
	f.Fuzz(func(t *testing.T, which uint8, in []byte) {
		types := Types()
		pt := types[int(which)%len(types)]
		p, err := FromJSON(pt, in)
		if err != nil {
			return
		}
		b, err := Marshal(p)
		if err != nil {
			t.Fatalf("accepted JSON does not marshal: %v", err)
		}
		if _, err := Unmarshal(pt, b); err != nil {
			t.Fatalf("accepted JSON does not unmarshal: %v", err)
		}
	})
}
