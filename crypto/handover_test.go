package crypto

import (
	"bytes"
	"errors"
	"testing"
)

// TestVerifyHandedOver: a packet handed over verifies on its own (sender's
// signature, mailbox, recipient list), and any alteration, or a packet
// addressed to another organisation, is refused.
func TestVerifyHandedOver(t *testing.T) {
	f := newFixture(t)
	e := f.seal(t, "needs profile: 2 adults, 3 bedrooms")
	if len(e.Inner) == 0 {
		t.Fatal("Seal kept no inner envelope")
	}
	o, err := Open(e, f.l1.keys.Device, ids(f.l1), f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(o.Inner, e.Inner) {
		t.Fatal("Opened.Inner differs from what was sealed")
	}
	got, err := VerifyHandedOver(o.Inner, f.landlord.cert.Org, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != e.ID || string(got.Payload) != "needs profile: 2 adults, 3 bedrooms" || got.Sender.Device != f.p1.keys.Device ||
		len(got.Recipients) != 2 || got.Recipients[0].Device != f.l1.keys.Device {
		t.Fatalf("verified %+v", got)
	}
	if _, err := VerifyHandedOver(o.Inner, f.provider.cert.Org, f.dir); !errors.Is(err, ErrMismatchedOuter) {
		t.Fatalf("wrong organisation: %v", err)
	}
	// Every single-byte change is refused.
	for i := range o.Inner {
		bad := bytes.Clone(o.Inner)
		bad[i] ^= 0x01
		if _, err := VerifyHandedOver(bad, f.landlord.cert.Org, f.dir); err == nil {
			t.Fatalf("altered byte %d accepted", i)
		}
	}
	if _, err := VerifyHandedOver(o.Inner[:len(o.Inner)-1], f.landlord.cert.Org, f.dir); err == nil {
		t.Fatal("truncated packet accepted")
	}
}

func FuzzVerifyHandedOver(f *testing.F) {
	fx := newFixture(f)
	e := fx.seal(f, "x")
	f.Add(e.Inner)
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := VerifyHandedOver(b, fx.landlord.cert.Org, fx.dir)
		if err == nil && (o == nil || !bytes.Equal(o.Inner, b)) {
			t.Fatal("accepted without returning the packet")
		}
	})
}
