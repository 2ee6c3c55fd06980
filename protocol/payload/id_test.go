package payload

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestID(t *testing.T) {
	const s = "00112233445566778899aabbccddeeff"
	id, err := ParseID(s)
	if err != nil || id.String() != s || id[1] != 0x11 {
		t.Fatalf("ParseID = %v, %v", id, err)
	}
	for _, bad := range []string{"", "0011", s + "00", "00112233445566778899AABBCCDDEEFF", "g0112233445566778899aabbccddeeff", " 0112233445566778899aabbccddeeff"} {
		if _, err := ParseID(bad); !errors.Is(err, ErrBadID) {
			t.Errorf("ParseID(%q) = %v, want ErrBadID", bad, err)
		}
	}
	j, err := json.Marshal(struct{ ID ID }{id})
	if err != nil || string(j) != `{"ID":"`+s+`"}` {
		t.Fatalf("json = %s, %v", j, err)
	}
	var back struct{ ID ID }
	if err := json.Unmarshal(j, &back); err != nil || back.ID != id {
		t.Fatalf("json back = %v, %v", back.ID, err)
	}
	for _, bad := range []string{`{"ID":null}`, `{"ID":12}`, `{"ID":"abc"}`, `{"ID":[0,1]}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("json.Unmarshal(%s) accepted", bad)
		}
	}
	if !(ID{}).IsZero() || id.IsZero() {
		t.Error("IsZero wrong")
	}
	b, err := codec.Marshal(id)
	if err != nil || len(b) != 17 || b[0] != 0x50 {
		t.Errorf("cbor = %x, %v; want a 16-byte byte string", b, err)
	}
}
