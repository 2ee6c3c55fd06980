package crypto

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// publicKeyPrefix starts the text form of an Ed25519 public key.
const publicKeyPrefix = "ed25519:"

var b64url = base64.RawURLEncoding.Strict()

// EncodePublicKey returns the stable text form of an Ed25519 public key:
// "ed25519:" followed by the 32 key bytes in unpadded base64url.
func EncodePublicKey(k ed25519.PublicKey) string {
	return publicKeyPrefix + b64url.EncodeToString(k)
}

// ParsePublicKey parses the text form written by EncodePublicKey.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	rest, ok := strings.CutPrefix(s, publicKeyPrefix)
	if !ok {
		return nil, fmt.Errorf("parse public key: %w: missing %q prefix", ErrMalformed, publicKeyPrefix)
	}
	b, err := b64url.DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w: %v", ErrMalformed, err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("parse public key: %w: %d bytes, want %d", ErrMalformed, len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// KeyID returns the first 8 bytes of SHA-256 of the public key. Signatures
// name their key by it.
func KeyID(k ed25519.PublicKey) [8]byte {
	h := sha256.Sum256(k)
	var id [8]byte
	copy(id[:], h[:8])
	return id
}

// GenerateSigningKey returns a new Ed25519 key (a scheme root, an
// organisation admin key or a device identity) from a 32-byte seed read from
// rand (crypto/rand if nil), so a deterministic reader gives a
// deterministic key.
func GenerateSigningKey(rand io.Reader) (ed25519.PrivateKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(randOrDefault(rand), seed); err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// publicOf returns the public half of an Ed25519 private key.
func publicOf(k ed25519.PrivateKey) ed25519.PublicKey {
	return k.Public().(ed25519.PublicKey)
}
