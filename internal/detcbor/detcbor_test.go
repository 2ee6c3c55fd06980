package detcbor_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/saferef/saferef/internal/detcbor"
)

type offer struct {
	Bedrooms uint64 `cbor:"beds"`
	District string `cbor:"district"`
}

var codec = detcbor.Must(detcbor.Limits{MaxNesting: 4, MaxArrayElements: 16, MaxMapPairs: 16})

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMarshalIsDeterministic(t *testing.T) {
	b, err := codec.Marshal(offer{Bedrooms: 2, District: "Medway"})
	if err != nil {
		t.Fatal(err)
	}
	// Keys sorted by length then bytes: "beds" before "district".
	const want = "a2646265647302686469737472696374664d6564776179"
	if hex.EncodeToString(b) != want {
		t.Fatalf("got %x, want %s", b, want)
	}
}

func TestUnmarshalCanonicalRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, hex string
		canonical bool // decodes but fails only the canonical check
	}{
		{"non-shortest integer", "a264626564731802686469737472696374664d6564776179", true},
		{"unsorted keys", "a2686469737472696374664d656477617964626564730 2", true},
		{"missing key", "a164626564730 2", true},
		{"duplicate key", "a2646265647302646265647303", false},
		{"unknown key", "a3646265647302686469737472696374664d65647761796378797a01", false},
		{"indefinite length", "bf646265647302ff", false},
		{"tag", "c1a1646265647302", false},
		{"too deep", "a1646265647381818181818100", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o offer
			err := codec.UnmarshalCanonical(mustHex(t, stripSpaces(tc.hex)), &o)
			if err == nil {
				t.Fatal("accepted")
			}
			if got := errors.Is(err, detcbor.ErrNotCanonical); got != tc.canonical {
				t.Fatalf("error %v: ErrNotCanonical %v, want %v", err, got, tc.canonical)
			}
		})
	}
}

func TestUnknownFieldsAllowed(t *testing.T) {
	lax := detcbor.Must(detcbor.Limits{MaxNesting: 4, MaxArrayElements: 16, MaxMapPairs: 16, AllowUnknownFields: true})
	b := mustHex(t, "a3646265647302686469737472696374664d65647761796378797a01")
	var o offer
	if err := lax.Unmarshal(b, &o); err != nil || o.Bedrooms != 2 {
		t.Fatalf("lax decode: %+v, %v", o, err)
	}
	if err := lax.UnmarshalCanonical(b, &o); !errors.Is(err, detcbor.ErrNotCanonical) {
		t.Fatalf("canonical check of an unknown key: %v, want ErrNotCanonical", err)
	}
}

func stripSpaces(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			out = append(out, s[i])
		}
	}
	return string(out)
}

func ExampleCodec() {
	c := detcbor.Must(detcbor.Limits{MaxNesting: 4, MaxArrayElements: 16, MaxMapPairs: 16})
	b, _ := c.Marshal(offer{Bedrooms: 3, District: "Swale"})
	var o offer
	err := c.UnmarshalCanonical(b, &o)
	fmt.Println(o.Bedrooms, o.District, err)
	// Output: 3 Swale <nil>
}
