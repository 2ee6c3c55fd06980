package crypto

import (
	"crypto/ed25519"
	"fmt"
)

// Types of signed object (Signed.Type).
const (
	TypeOrgCert    = "org-cert"
	TypeDeviceCert = "device-cert"
	TypeRevocation = "revocation"
	TypeKeyUpdate  = "key-update"
	TypeEnvelope   = "envelope"
	// TypeSchemeUpdate is a root rotation (SchemeUpdate).
	TypeSchemeUpdate = "scheme-update"
	// TypeOrgPolicy is an organisation's signed policy (OrgPolicy).
	TypeOrgPolicy = "org-policy"
)

// MaxSignatures bounds the number of signatures a signed object may carry.
const MaxSignatures = 16

// signaturePrefix starts every signed message; the object type and a zero
// byte follow, then the body. This separates the domains of every kind of
// object so that no signature can be moved from one kind to another.
const signaturePrefix = "saferef/v1/"

// Signature is one Ed25519 signature on a Signed object, naming its key by
// KeyID.
type Signature struct {
	KeyID [8]byte `cbor:"k"`
	Sig   []byte  `cbor:"s"`
}

// Signed is the envelope for every signed object: the type, the
// deterministic CBOR body and the signatures over
// "saferef/v1/" + Type + "\x00" + Body.
type Signed struct {
	Type string      `cbor:"t"`
	Body []byte      `cbor:"body"`
	Sigs []Signature `cbor:"sigs"`
}

func knownType(t string) bool {
	switch t {
	case TypeOrgCert, TypeDeviceCert, TypeRevocation, TypeKeyUpdate, TypeEnvelope, TypeSchemeUpdate, TypeOrgPolicy:
		return true
	}
	return false
}

// ParseSigned decodes a signed object strictly and checks its type is
// wantType (any known type if wantType is ""). It does not verify the
// signatures: the Verify functions do that, over the Body bytes received.
func ParseSigned(b []byte, wantType string) (*Signed, error) {
	var s Signed
	if err := unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("parse signed object: %w", err)
	}
	if !knownType(s.Type) {
		return nil, fmt.Errorf("parse signed object: %w: unknown type %q", ErrMalformed, s.Type)
	}
	if wantType != "" && s.Type != wantType {
		return nil, fmt.Errorf("parse signed object: %w: type %q, want %q", ErrMalformed, s.Type, wantType)
	}
	if len(s.Sigs) == 0 || len(s.Sigs) > MaxSignatures {
		return nil, fmt.Errorf("parse %s: %w: %d signatures", s.Type, ErrMalformed, len(s.Sigs))
	}
	seen := make(map[[8]byte]bool, len(s.Sigs))
	for _, sig := range s.Sigs {
		if len(sig.Sig) != ed25519.SignatureSize {
			return nil, fmt.Errorf("parse %s: %w: signature of %d bytes", s.Type, ErrMalformed, len(sig.Sig))
		}
		if seen[sig.KeyID] {
			return nil, fmt.Errorf("parse %s: %w: two signatures by key %x", s.Type, ErrMalformed, sig.KeyID)
		}
		seen[sig.KeyID] = true
	}
	return &s, nil
}

// Marshal returns the deterministic CBOR encoding of s.
func (s *Signed) Marshal() ([]byte, error) {
	b, err := marshal(s)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", s.Type, err)
	}
	return b, nil
}

// signedMessage returns the domain-separated message signed for an object.
func signedMessage(typ string, body []byte) []byte {
	m := make([]byte, 0, len(signaturePrefix)+len(typ)+1+len(body))
	m = append(m, signaturePrefix...)
	m = append(m, typ...)
	m = append(m, 0)
	return append(m, body...)
}

// signObject encodes body and signs it with every key, in order.
func signObject(typ string, body any, keys []ed25519.PrivateKey) ([]byte, error) {
	if len(keys) == 0 || len(keys) > MaxSignatures {
		return nil, fmt.Errorf("sign %s: %d signing keys, want 1 to %d", typ, len(keys), MaxSignatures)
	}
	b, err := marshal(body)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", typ, err)
	}
	msg := signedMessage(typ, b)
	s := Signed{Type: typ, Body: b}
	seen := make(map[[8]byte]bool, len(keys))
	for _, k := range keys {
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("sign %s: private key of %d bytes", typ, len(k))
		}
		id := KeyID(publicOf(k))
		if seen[id] {
			return nil, fmt.Errorf("sign %s: key %x given twice", typ, id)
		}
		seen[id] = true
		s.Sigs = append(s.Sigs, Signature{KeyID: id, Sig: ed25519.Sign(k, msg)})
	}
	return s.Marshal()
}

// verifyBy checks that s carries a valid signature by one of keys and
// returns that key. A signature from a key not in keys is ignored; a
// signature from a key in keys that does not verify is an error.
func (s *Signed) verifyBy(keys []ed25519.PublicKey) (ed25519.PublicKey, error) {
	msg := signedMessage(s.Type, s.Body)
	for _, sig := range s.Sigs {
		for _, k := range keys {
			if KeyID(k) != sig.KeyID {
				continue
			}
			if !ed25519.Verify(k, msg, sig.Sig) {
				return nil, fmt.Errorf("%w: by key %x", ErrBadSignature, sig.KeyID)
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("%w: no signature by an entitled key", ErrBadSignature)
}
