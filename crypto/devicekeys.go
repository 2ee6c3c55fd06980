package crypto

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"
)

// DeviceKeys are a device's parsed private keys, ready to seal and open.
type DeviceKeys struct {
	Device     DeviceID
	Org        OrgID
	Signing    ed25519.PrivateKey
	Encryption []*age.HybridIdentity // newest first
}

// Identities returns the encryption identities as age.Identity values, for
// Open.
func (k *DeviceKeys) Identities() []age.Identity {
	out := make([]age.Identity, len(k.Encryption))
	for i, id := range k.Encryption {
		out[i] = id
	}
	return out
}

// DeviceSecrets are everything a device keeps secret, stored inside its
// vault file.
type DeviceSecrets struct {
	Device      DeviceID
	Org         OrgID
	Name        string
	SigningSeed []byte          // 32 bytes
	Encryption  []EncryptionKey // newest first
	DataKey     []byte          // 32 bytes, wraps local case keys
}

// EncryptionKey is one of a device's age hybrid identities.
type EncryptionKey struct {
	Identity string // AGE-SECRET-KEY-PQ-1...
	Seq      uint64 // 0 for the key in the device certificate, then one more per KeyUpdate
	Created  time.Time
	Retired  time.Time // zero while current
}

// MaxEncryptionKeys bounds the number of identities a device holds: the
// current one plus those still inside the grace window.
const MaxEncryptionKeys = 64

const identityPrefix = "AGE-SECRET-KEY-PQ-1"

type deviceSecretsWire struct {
	V           int                 `cbor:"v"`
	Device      DeviceID            `cbor:"dev"`
	Org         OrgID               `cbor:"org"`
	Name        string              `cbor:"name"`
	SigningSeed []byte              `cbor:"seed"`
	Encryption  []encryptionKeyWire `cbor:"enc"`
	DataKey     []byte              `cbor:"dk"`
}

type encryptionKeyWire struct {
	Identity string `cbor:"id"`
	Seq      uint64 `cbor:"seq"`
	Created  int64  `cbor:"at"`
	Retired  int64  `cbor:"ret"` // 0 while current
}

// GenerateDeviceSecrets creates a new device: a random device id, Ed25519
// signing seed and data key read from rand (crypto/rand if nil), and a
// fresh age hybrid identity. age always draws the hybrid identity from
// crypto/rand, so only the other fields are reproducible from rand.
func GenerateDeviceSecrets(rand io.Reader, org OrgID, name string, now time.Time) (*DeviceSecrets, error) {
	r := randOrDefault(rand)
	s := &DeviceSecrets{Org: org, Name: name, SigningSeed: make([]byte, ed25519.SeedSize), DataKey: make([]byte, 32)}
	var err error
	if s.Device, err = NewDeviceID(r); err != nil {
		return nil, fmt.Errorf("generate device secrets: %w", err)
	}
	if _, err := io.ReadFull(r, s.SigningSeed); err != nil {
		return nil, fmt.Errorf("generate device secrets: %w", err)
	}
	if _, err := io.ReadFull(r, s.DataKey); err != nil {
		return nil, fmt.Errorf("generate device secrets: %w", err)
	}
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return nil, fmt.Errorf("generate device secrets: %w", err)
	}
	s.Encryption = []EncryptionKey{{Identity: id.String(), Created: now.UTC().Truncate(time.Second)}}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("generate device secrets: %w", err)
	}
	return s, nil
}

func (s *DeviceSecrets) wire() *deviceSecretsWire {
	w := &deviceSecretsWire{V: 1, Device: s.Device, Org: s.Org, Name: s.Name, SigningSeed: s.SigningSeed, DataKey: s.DataKey}
	for _, k := range s.Encryption {
		w.Encryption = append(w.Encryption, encryptionKeyWire{
			Identity: k.Identity, Seq: k.Seq, Created: k.Created.Unix(), Retired: toUnixOrZero(k.Retired),
		})
	}
	return w
}

func (s *DeviceSecrets) validate() error {
	if s.Device.IsZero() || s.Org.IsZero() {
		return fmt.Errorf("%w: zero device or organisation id", ErrMalformed)
	}
	if err := checkText("name", s.Name, MaxNameLen, true); err != nil {
		return err
	}
	if len(s.SigningSeed) != ed25519.SeedSize || len(s.DataKey) != 32 {
		return fmt.Errorf("%w: key of the wrong length", ErrMalformed)
	}
	if len(s.Encryption) == 0 || len(s.Encryption) > MaxEncryptionKeys {
		return fmt.Errorf("%w: %d encryption keys", ErrMalformed, len(s.Encryption))
	}
	for i, k := range s.Encryption {
		if !strings.HasPrefix(k.Identity, identityPrefix) || len(k.Identity) > MaxRecipientLen {
			return fmt.Errorf("%w: encryption key %d is not an age hybrid identity", ErrMalformed, k.Seq)
		}
		if i > 0 && k.Seq >= s.Encryption[i-1].Seq {
			return fmt.Errorf("%w: encryption keys not newest first", ErrMalformed)
		}
		if i == 0 && !k.Retired.IsZero() {
			return fmt.Errorf("%w: newest encryption key is retired", ErrMalformed)
		}
	}
	return nil
}

// Marshal encodes the secrets in deterministic CBOR, for the vault.
func (s *DeviceSecrets) Marshal() ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("marshal device secrets %s: %w", s.Device, err)
	}
	b, err := marshal(s.wire())
	if err != nil {
		return nil, fmt.Errorf("marshal device secrets %s: %w", s.Device, err)
	}
	return b, nil
}

// ParseDeviceSecrets decodes secrets written by Marshal. It checks their
// form but does not parse the identities (Keys does).
func ParseDeviceSecrets(b []byte) (*DeviceSecrets, error) {
	var w deviceSecretsWire
	if err := unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("parse device secrets: %w", err)
	}
	if w.V != 1 {
		return nil, fmt.Errorf("parse device secrets: %w: version %d", ErrMalformed, w.V)
	}
	s := &DeviceSecrets{Device: w.Device, Org: w.Org, Name: w.Name, SigningSeed: w.SigningSeed, DataKey: w.DataKey}
	for _, k := range w.Encryption {
		s.Encryption = append(s.Encryption, EncryptionKey{
			Identity: k.Identity, Seq: k.Seq, Created: unix(k.Created), Retired: unixOrZero(k.Retired),
		})
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("parse device secrets %s: %w", s.Device, err)
	}
	return s, nil
}

// Keys parses the secrets into usable keys. Parsing a hybrid identity is
// slow (about 90 µs): call Keys once and keep the result.
func (s *DeviceSecrets) Keys() (*DeviceKeys, error) {
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("device keys %s: %w", s.Device, err)
	}
	k := &DeviceKeys{Device: s.Device, Org: s.Org, Signing: ed25519.NewKeyFromSeed(s.SigningSeed)}
	for _, e := range s.Encryption {
		id, err := age.ParseHybridIdentity(e.Identity)
		if err != nil {
			return nil, fmt.Errorf("device keys %s: encryption key %d: %w: %v", s.Device, e.Seq, ErrMalformed, err)
		}
		k.Encryption = append(k.Encryption, id)
	}
	return k, nil
}

// SigningKey returns the device's Ed25519 public key.
func (s *DeviceSecrets) SigningKey() ed25519.PublicKey {
	return publicOf(ed25519.NewKeyFromSeed(s.SigningSeed))
}

// Recipient returns the age recipient (age1pq1...) of the current
// encryption key.
func (s *DeviceSecrets) Recipient() (string, error) {
	if len(s.Encryption) == 0 {
		return "", fmt.Errorf("device %s: %w: no encryption key", s.Device, ErrMalformed)
	}
	id, err := age.ParseHybridIdentity(s.Encryption[0].Identity)
	if err != nil {
		return "", fmt.Errorf("device %s: %w: %v", s.Device, ErrMalformed, err)
	}
	return id.Recipient().String(), nil
}

// Rotate generates a new encryption identity, retires the current one at
// now and returns the signed KeyUpdate announcing the new key. Save the
// secrets (vault) before publishing the update.
func (s *DeviceSecrets) Rotate(now time.Time) ([]byte, error) {
	return s.RotateAbove(now, 0)
}

// RotateAbove is Rotate with a sequence number above both the current
// key's and above: a device restored from a backup older than its newest
// published key must publish a key numbered after that one.
func (s *DeviceSecrets) RotateAbove(now time.Time, above uint64) ([]byte, error) {
	if len(s.Encryption) >= MaxEncryptionKeys {
		return nil, fmt.Errorf("rotate device %s: %d keys held: prune first", s.Device, len(s.Encryption))
	}
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return nil, fmt.Errorf("rotate device %s: %w", s.Device, err)
	}
	now = now.UTC().Truncate(time.Second)
	seq := max(s.Encryption[0].Seq, above) + 1
	u := &KeyUpdate{Device: s.Device, Seq: seq, Recipient: id.Recipient().String(), Created: now}
	b, err := SignKeyUpdate(u, ed25519.NewKeyFromSeed(s.SigningSeed))
	if err != nil {
		return nil, fmt.Errorf("rotate device %s: %w", s.Device, err)
	}
	keys := make([]EncryptionKey, 0, len(s.Encryption)+1)
	keys = append(keys, EncryptionKey{Identity: id.String(), Seq: seq, Created: now})
	keys = append(keys, s.Encryption...)
	keys[1].Retired = now
	s.Encryption = keys
	return b, nil
}

// Prune erases the identities retired before cutoff (now minus the grace
// window) and returns how many it removed. This is what gives forward
// secrecy: once pruned and the vault rewritten, old envelopes cannot be
// opened.
func (s *DeviceSecrets) Prune(cutoff time.Time) int {
	kept := s.Encryption[:0]
	n := 0
	for _, k := range s.Encryption {
		if !k.Retired.IsZero() && k.Retired.Before(cutoff) {
			n++
			continue
		}
		kept = append(kept, k)
	}
	clear(s.Encryption[len(kept):])
	s.Encryption = kept
	return n
}
