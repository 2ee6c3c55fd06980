package crypto

import (
	"crypto/ed25519"
	"fmt"
	"time"
)

// KeyUpdate announces a device's new encryption key (rotation). It is
// signed by the device's own signing key. Seq starts at 1 for the first
// rotation (the certificate's recipient counts as 0) and must increase.
type KeyUpdate struct {
	Device    DeviceID
	Seq       uint64
	Recipient string // age1pq1...
	Created   time.Time
}

type keyUpdateBody struct {
	Device    DeviceID `cbor:"dev"`
	Seq       uint64   `cbor:"seq"`
	Recipient string   `cbor:"rcpt"`
	Created   int64    `cbor:"at"`
}

func (b *keyUpdateBody) update() (*KeyUpdate, error) {
	if b.Device.IsZero() {
		return nil, fmt.Errorf("%w: zero device id", ErrMalformed)
	}
	if b.Seq == 0 {
		return nil, fmt.Errorf("%w: sequence number 0", ErrMalformed)
	}
	if err := checkRecipientText(b.Recipient); err != nil {
		return nil, err
	}
	return &KeyUpdate{Device: b.Device, Seq: b.Seq, Recipient: b.Recipient, Created: unix(b.Created)}, nil
}

// SignKeyUpdate encodes u and signs it with the device's signing key.
func SignKeyUpdate(u *KeyUpdate, device ed25519.PrivateKey) ([]byte, error) {
	b := &keyUpdateBody{Device: u.Device, Seq: u.Seq, Recipient: u.Recipient, Created: u.Created.Unix()}
	if _, err := b.update(); err != nil {
		return nil, fmt.Errorf("sign key update %s/%d: %w", u.Device, u.Seq, err)
	}
	out, err := signObject(TypeKeyUpdate, b, []ed25519.PrivateKey{device})
	if err != nil {
		return nil, fmt.Errorf("sign key update %s/%d: %w", u.Device, u.Seq, err)
	}
	return out, nil
}

func decodeKeyUpdate(body []byte) (*KeyUpdate, error) {
	var b keyUpdateBody
	if err := unmarshal(body, &b); err != nil {
		return nil, err
	}
	return b.update()
}

// VerifyKeyUpdate parses a key update and checks that it is for dev's
// device (ErrUnknownDevice otherwise) and signed by dev's signing key.
func VerifyKeyUpdate(b []byte, dev *DeviceCert) (*KeyUpdate, error) {
	sd, err := ParseSigned(b, TypeKeyUpdate)
	if err != nil {
		return nil, fmt.Errorf("verify key update: %w", err)
	}
	u, err := decodeKeyUpdate(sd.Body)
	if err != nil {
		return nil, fmt.Errorf("verify key update: %w", err)
	}
	if u.Device != dev.Device {
		return nil, fmt.Errorf("verify key update %s/%d: %w: checked against device %s", u.Device, u.Seq, ErrUnknownDevice, dev.Device)
	}
	if _, err := sd.verifyBy([]ed25519.PublicKey{dev.SigningKey}); err != nil {
		return nil, fmt.Errorf("verify key update %s/%d: %w", u.Device, u.Seq, err)
	}
	return u, nil
}
