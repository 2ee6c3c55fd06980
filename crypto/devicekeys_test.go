package crypto

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestDeviceSecrets(t *testing.T) {
	org := OrgID{1}
	s, err := GenerateDeviceSecrets(detRand(30), org, "Refuge laptop", t0)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := GenerateDeviceSecrets(detRand(30), org, "Refuge laptop", t0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Device != s2.Device || !bytes.Equal(s.SigningSeed, s2.SigningSeed) || !bytes.Equal(s.DataKey, s2.DataKey) {
		t.Fatal("GenerateDeviceSecrets not reproducible from rand")
	}
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseDeviceSecrets(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Device != s.Device || back.Org != org || back.Name != s.Name || !bytes.Equal(back.SigningSeed, s.SigningSeed) ||
		!bytes.Equal(back.DataKey, s.DataKey) || len(back.Encryption) != 1 || back.Encryption[0].Identity != s.Encryption[0].Identity ||
		!back.Encryption[0].Created.Equal(t0) || !back.Encryption[0].Retired.IsZero() {
		t.Fatalf("round trip: %+v", back)
	}
	if _, err := s.Rotate(t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rotate(t0.Add(2 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(s.Encryption) != 3 || s.Encryption[0].Seq != 2 || !s.Encryption[0].Retired.IsZero() ||
		!s.Encryption[1].Retired.Equal(t0.Add(2*time.Hour)) || !s.Encryption[2].Retired.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after rotation: %+v", s.Encryption)
	}
	b, err = s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if back, err = ParseDeviceSecrets(b); err != nil || len(back.Encryption) != 3 {
		t.Fatalf("round trip after rotation: %v", err)
	}
	k, err := back.Keys()
	if err != nil || len(k.Encryption) != 3 || k.Device != s.Device || !bytes.Equal(k.Signing.Seed(), s.SigningSeed) {
		t.Fatalf("Keys = %v", err)
	}
	if r, err := back.Recipient(); err != nil || r != k.Encryption[0].Recipient().String() {
		t.Fatalf("Recipient = %q, %v", r, err)
	}
	if n := back.Prune(t0.Add(90 * time.Minute)); n != 1 || len(back.Encryption) != 2 {
		t.Fatalf("Prune removed %d, left %d", n, len(back.Encryption))
	}

	for name, mod := range map[string]func(s *DeviceSecrets){
		"short seed":     func(s *DeviceSecrets) { s.SigningSeed = s.SigningSeed[:31] },
		"no data key":    func(s *DeviceSecrets) { s.DataKey = nil },
		"no keys":        func(s *DeviceSecrets) { s.Encryption = nil },
		"bad identity":   func(s *DeviceSecrets) { s.Encryption[0].Identity = "AGE-SECRET-KEY-1ABC" },
		"order":          func(s *DeviceSecrets) { s.Encryption[0], s.Encryption[1] = s.Encryption[1], s.Encryption[0] },
		"newest retired": func(s *DeviceSecrets) { s.Encryption = s.Encryption[1:] },
		"zero org":       func(s *DeviceSecrets) { s.Org = OrgID{} },
	} {
		c := *s
		c.Encryption = append([]EncryptionKey(nil), s.Encryption...)
		mod(&c)
		if _, err := c.Marshal(); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Marshal = %v", name, err)
		}
	}
	broken := *s
	broken.Encryption = append([]EncryptionKey(nil), s.Encryption...)
	broken.Encryption[0].Identity = identityPrefix + "qqqq"
	if _, err := broken.Keys(); !errors.Is(err, ErrMalformed) {
		t.Errorf("Keys with a corrupt identity: %v", err)
	}
	if _, err := ParseDeviceSecrets(append(b, 0)); !errors.Is(err, ErrMalformed) {
		t.Errorf("trailing byte: %v", err)
	}
}
