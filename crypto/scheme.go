package crypto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
)

// Scheme defaults, in days.
const (
	DefaultRotationDays   = 7
	DefaultGraceDays      = 30
	DefaultMailboxTTLDays = 30
)

// MaxRoots bounds the number of scheme root keys.
const MaxRoots = MaxSignatures

// Scheme is the public scheme file (scheme.json) handed out by the
// coordinator. Its fingerprint is checked out of band.
type Scheme struct {
	Name           string   `json:"name"`
	Roots          []string `json:"roots"` // EncodePublicKey form
	Threshold      int      `json:"threshold"`
	RotationDays   int      `json:"rotation_days"`
	GraceDays      int      `json:"grace_days"`
	MailboxTTLDays int      `json:"mailbox_ttl_days"`
	// LogKey, when set, is the relay's transparency-log verifier key (note
	// verifier key text, see package crypto/translog); clients must use it
	// instead of pinning the key the relay serves on first contact. It is
	// not covered by the fingerprint.
	LogKey string `json:"log_key,omitempty"`
	// History, after a root rotation, holds the signed scheme updates
	// (standard base64, oldest first) that lead from the scheme's first
	// roots to Roots, so that a device given this file can verify the
	// directory log from its first entry (see Origin). It is not covered by
	// the fingerprint: Origin checks it against Roots.
	History []string `json:"history,omitempty"`
	// Witnesses, when set, is the scheme's witness set (WitnessSet): a
	// signed object (standard base64) carrying the threshold of the roots'
	// signatures, so that no one without the root keys can change it. A
	// device trusts the relay's log only with a fresh quorum of these
	// witnesses' cosignatures (see package crypto/translog).
	Witnesses string `json:"witnesses,omitempty"`
}

// ParseScheme decodes and validates a scheme file: at least one root, no
// duplicate roots, 1 <= threshold <= number of roots, defaults filled in for
// zero periods (7 rotation, 30 grace, 30 mailbox TTL days), and a grace
// window at least the mailbox TTL (so an envelope cannot outlive the key
// that opens it).
func ParseScheme(b []byte) (*Scheme, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Scheme
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("parse scheme: %w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("parse scheme: %w: trailing data", ErrMalformed)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("parse scheme %q: %w", s.Name, err)
	}
	return &s, nil
}

func (s *Scheme) validate() error {
	if s.Name == "" {
		return fmt.Errorf("%w: empty name", ErrMalformed)
	}
	if len(s.Roots) == 0 || len(s.Roots) > MaxRoots {
		return fmt.Errorf("%w: %d roots, want 1 to %d", ErrMalformed, len(s.Roots), MaxRoots)
	}
	if _, err := s.rootKeys(); err != nil {
		return err
	}
	if s.Threshold < 1 || s.Threshold > len(s.Roots) {
		return fmt.Errorf("%w: threshold %d with %d roots", ErrMalformed, s.Threshold, len(s.Roots))
	}
	if s.RotationDays == 0 {
		s.RotationDays = DefaultRotationDays
	}
	if s.GraceDays == 0 {
		s.GraceDays = DefaultGraceDays
	}
	if s.MailboxTTLDays == 0 {
		s.MailboxTTLDays = DefaultMailboxTTLDays
	}
	if s.RotationDays < 0 || s.GraceDays < 0 || s.MailboxTTLDays < 0 {
		return fmt.Errorf("%w: negative period", ErrMalformed)
	}
	if s.GraceDays < s.MailboxTTLDays {
		return fmt.Errorf("%w: grace_days %d below mailbox_ttl_days %d", ErrMalformed, s.GraceDays, s.MailboxTTLDays)
	}
	if len(s.History) > 0 {
		if _, err := s.Origin(); err != nil {
			return err
		}
	}
	if _, err := s.WitnessSet(); err != nil {
		return err
	}
	return nil
}

// rootKeys parses the root keys, refusing duplicates.
func (s *Scheme) rootKeys() ([]ed25519.PublicKey, error) {
	keys := make([]ed25519.PublicKey, 0, len(s.Roots))
	for _, r := range s.Roots {
		k, err := ParsePublicKey(r)
		if err != nil {
			return nil, fmt.Errorf("root %q: %w", r, err)
		}
		for _, o := range keys {
			if KeyID(o) == KeyID(k) {
				return nil, fmt.Errorf("%w: duplicate root %s", ErrMalformed, r)
			}
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// Marshal returns the scheme as indented JSON, after validating it.
func (s *Scheme) Marshal() ([]byte, error) {
	c := *s
	c.Roots = slices.Clone(s.Roots)
	c.History = slices.Clone(s.History)
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("marshal scheme %q: %w", s.Name, err)
	}
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal scheme %q: %w", s.Name, err)
	}
	return append(b, '\n'), nil
}

// Fingerprint returns the scheme's safety number, computed over the
// threshold and the raw root keys in byte order, so that it is stable
// across JSON formatting and root order. It returns "" for a scheme whose
// roots do not parse.
func (s *Scheme) Fingerprint() string {
	keys, err := s.rootKeys()
	if err != nil {
		return ""
	}
	slices.SortFunc(keys, func(a, b ed25519.PublicKey) int { return bytes.Compare(a, b) })
	parts := make([][]byte, 0, 1+len(keys))
	parts = append(parts, binary.BigEndian.AppendUint32(nil, uint32(s.Threshold)))
	for _, k := range keys {
		parts = append(parts, k)
	}
	return safetyNumber(schemeFingerprintDomain, parts...)
}

// verifyThreshold checks that sd carries valid signatures from at least
// Threshold distinct roots. Signatures by keys that are not roots are
// ignored (a root rotation may add signatures by new roots); a signature
// by a root that does not verify is rejected outright.
func (s *Scheme) verifyThreshold(sd *Signed) error {
	roots, err := s.rootKeys()
	if err != nil {
		return fmt.Errorf("scheme %q: %w", s.Name, err)
	}
	msg := signedMessage(sd.Type, sd.Body)
	valid := 0
	for _, sig := range sd.Sigs {
		for _, r := range roots {
			if KeyID(r) != sig.KeyID {
				continue
			}
			if !ed25519.Verify(r, msg, sig.Sig) {
				return fmt.Errorf("%w: by root %x", ErrBadSignature, sig.KeyID)
			}
			valid++ // ParseSigned refuses two signatures by one key
		}
	}
	if valid == 0 {
		return ErrUnknownRoot
	}
	if valid < s.Threshold {
		return fmt.Errorf("%w: %d of %d", ErrBelowThreshold, valid, s.Threshold)
	}
	return nil
}
