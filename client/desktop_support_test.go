package client

import (
	"errors"
	"testing"
)

func TestParseContacts(t *testing.T) {
	c, err := parseContacts([]byte(`{"verified":["00112233445566778899aabbccddeeff"]}`))
	if err != nil || len(c.Verified) != 1 {
		t.Fatalf("parse: %v %v", c, err)
	}
	for _, bad := range []string{`{"verified":["not an id"]}`, `[`, `{"verified":[1]}`} {
		if _, err := parseContacts([]byte(bad)); !errors.Is(err, ErrBadContacts) {
			t.Errorf("parseContacts(%s) = %v, want ErrBadContacts", bad, err)
		}
	}
}

// FuzzParseContacts decodes arbitrary opened contacts files: no panic, and
// anything accepted holds only organisation ids.
func FuzzParseContacts(f *testing.F) {
	f.Add([]byte(`{"verified":["00112233445566778899aabbccddeeff"]}`))
	f.Add([]byte(`{"verified":[]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"verified":["zz"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseContacts(b)
		if err != nil {
			if !errors.Is(err, ErrBadContacts) {
				t.Fatalf("error %v does not wrap ErrBadContacts", err)
			}
			return
		}
		for _, s := range c.Verified {
			if len(s) != 32 {
				t.Fatalf("accepted %q", s)
			}
		}
	})
}
