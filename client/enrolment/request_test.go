package enrolment

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
)

func testSecrets(t testing.TB) *crypto.DeviceSecrets {
	t.Helper()
	s, err := crypto.GenerateDeviceSecrets(nil, crypto.OrgID{1, 2, 3}, "Priya's laptop", time.Unix(1767225600, 0))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRequestRoundTrip(t *testing.T) {
	s := testSecrets(t)
	r, err := New(s, time.Unix(1767225600, 0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Device != s.Device || got.Org != s.Org || got.Name != s.Name || !got.SigningKey.Equal(s.SigningKey()) ||
		!got.Created.Equal(time.Unix(1767225600, 0)) || got.Fingerprint() != crypto.DeviceFingerprint(s.SigningKey()) {
		t.Fatalf("round trip: %+v", got)
	}
	c := got.DeviceCert(time.Unix(1767225600, 0), time.Hour)
	if c.Device != s.Device || c.NotAfter.Sub(c.NotBefore) != time.Hour {
		t.Fatalf("device cert = %+v", c)
	}
}

func TestRequestRejectsTampering(t *testing.T) {
	s := testSecrets(t)
	other := testSecrets(t)
	r, err := New(s, time.Unix(1767225600, 0))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := r.Marshal()
	var j map[string]any
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	otherReq, _ := New(other, time.Unix(1767225600, 0))
	edits := map[string]func(m map[string]any){
		"name":            func(m map[string]any) { m["name"] = "Someone else's laptop" },
		"org":             func(m map[string]any) { m["org"] = strings.Repeat("ab", 16) },
		"created":         func(m map[string]any) { m["created"] = "2026-01-01T00:00:01Z" },
		"signing key":     func(m map[string]any) { m["signing_key"] = crypto.EncodePublicKey(other.SigningKey()) },
		"recipient":       func(m map[string]any) { m["recipient"] = otherReq.Recipient },
		"type":            func(m map[string]any) { m["type"] = "something/v1" },
		"unknown field":   func(m map[string]any) { m["extra"] = 1 },
		"short sig":       func(m map[string]any) { m["signature"] = "AAAA" },
		"bad device":      func(m map[string]any) { m["device"] = "xyz" },
		"control in name": func(m map[string]any) { m["name"] = "a\nb" },
	}
	for name, edit := range edits {
		m := map[string]any{}
		for k, v := range j {
			m[k] = v
		}
		edit(m)
		eb, _ := json.Marshal(m)
		if _, err := Parse(eb); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s: err = %v, want ErrBadRequest", name, err)
		}
	}
	if _, err := Parse(append(b, []byte("{}")...)); !errors.Is(err, ErrBadRequest) {
		t.Errorf("trailing data: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	s := testSecrets(f)
	r, err := New(s, time.Unix(1767225600, 0))
	if err != nil {
		f.Fatal(err)
	}
	b, _ := r.Marshal()
	f.Add(b)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"type":"saferef-enrolment-request/v1"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("error not wrapped: %v", err)
			}
			return
		}
		// Whatever parses re-encodes to something that parses the same.
		again, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		r2, err := Parse(again)
		if err != nil || r2.Device != r.Device || !bytes.Equal(r2.Signature, r.Signature) {
			t.Fatalf("re-parse: %v", err)
		}
	})
}
