package translog

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/saferef/saferef/crypto"
)

// OriginPrefix starts every Saferef log origin (and log key name).
const OriginPrefix = "saferef-relay/"

// Origin returns the log origin a relay for scheme s names its checkpoint
// key with when it first generates it: OriginPrefix followed by the first
// 16 lowercase hex digits of SHA-256 of the scheme's fingerprint digits
// (spaces removed). The name is fixed in the key from then on, so it stays
// the same if the scheme's roots are later rotated.
func Origin(s *crypto.Scheme) string {
	fp := strings.ReplaceAll(s.Fingerprint(), " ", "")
	sum := sha256.Sum256([]byte(fp))
	return OriginPrefix + hex.EncodeToString(sum[:8])
}

// GenerateKey returns a new Ed25519 checkpoint signing key named origin, as
// note signer key text ("PRIVATE+KEY+origin+hash+base64", secret), and
// its verifier key text ("origin+hash+base64", public).
func GenerateKey(rand io.Reader, origin string) (signerKey, verifierKey string, err error) {
	skey, vkey, err := note.GenerateKey(rand, origin)
	if err != nil {
		return "", "", fmt.Errorf("generate log key %q: %w", origin, err)
	}
	return skey, vkey, nil
}

// ParseSignerKey parses note signer key text (as GenerateKey returns it,
// surrounding white space ignored) and returns the signer and the verifier
// key text that goes with it. Only Ed25519 keys are accepted.
func ParseSignerKey(signerKey string) (note.Signer, string, error) {
	skey := strings.TrimSpace(signerKey)
	signer, err := note.NewSigner(skey)
	if err != nil {
		// The note package's errors never contain the key itself.
		return nil, "", fmt.Errorf("parse log signing key: %w: %v", ErrMalformed, err)
	}
	// "PRIVATE+KEY+name+hash+base64": the name has no '+', but base64 may.
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, "", fmt.Errorf("parse log signing key: %w: not an Ed25519 key", ErrMalformed)
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return nil, "", fmt.Errorf("parse log signing key: %w", err)
	}
	return signer, vkey, nil
}

// ParseVerifierKey parses note verifier key text and checks that its name
// is a Saferef log origin (OriginPrefix followed by a non-empty suffix).
func ParseVerifierKey(verifierKey string) (note.Verifier, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return nil, fmt.Errorf("parse log key %q: %w: %v", verifierKey, ErrMalformed, err)
	}
	if !strings.HasPrefix(v.Name(), OriginPrefix) || len(v.Name()) == len(OriginPrefix) {
		return nil, fmt.Errorf("parse log key %q: %w: name does not start %q", verifierKey, ErrMalformed, OriginPrefix)
	}
	return v, nil
}

// CheckKeyPair reports whether signer signs what the verifier key accepts:
// same name, same key hash, and a probe signature that verifies.
func CheckKeyPair(signer note.Signer, verifierKey string) error {
	v, err := ParseVerifierKey(verifierKey)
	if err != nil {
		return err
	}
	if v.Name() != signer.Name() || v.KeyHash() != signer.KeyHash() {
		return fmt.Errorf("log key pair: %w: signer %s+%08x, verifier %s+%08x", ErrWrongLogKey, signer.Name(), signer.KeyHash(), v.Name(), v.KeyHash())
	}
	probe := []byte("saferef/v1/log-key-probe\n")
	sig, err := signer.Sign(probe)
	if err != nil {
		return fmt.Errorf("log key pair: sign probe: %w", err)
	}
	if !v.Verify(probe, sig) {
		return fmt.Errorf("log key pair: %w: signature does not verify", ErrWrongLogKey)
	}
	return nil
}

// PinnedKey chooses the log verifier key a client must trust. If the scheme
// file names one (in its root-signed witness set, or Scheme.LogKey), it is
// the only one accepted, and served
// (the key the relay announced) must equal it unless served is empty. Otherwise
// the device pins pinned (stored at enrolment); if it has none yet, it
// pins served (trust on first use). It fails with ErrWrongLogKey when the
// relay serves a key other than the pinned one.
func PinnedKey(s *crypto.Scheme, pinned, served string) (string, error) {
	want := pinned
	schemeKey := ""
	if s != nil {
		schemeKey = s.LogKey
		if ws, err := s.WitnessSet(); err == nil && ws != nil {
			if schemeKey != "" && schemeKey != ws.LogKey {
				return "", fmt.Errorf("pin log key: %w: the scheme file's log_key %q is not the one its witness set names, %q", ErrWrongLogKey, schemeKey, ws.LogKey)
			}
			schemeKey = ws.LogKey
		}
	}
	if schemeKey != "" {
		want = schemeKey
		if pinned != "" && pinned != want {
			return "", fmt.Errorf("pin log key: %w: device pinned %q, scheme file says %q", ErrWrongLogKey, pinned, want)
		}
	}
	if want == "" {
		want = served
	}
	if want == "" {
		return "", fmt.Errorf("pin log key: %w: no key pinned and none served", ErrWrongLogKey)
	}
	if served != "" && served != want {
		return "", fmt.Errorf("pin log key: %w: relay serves %q, pinned %q", ErrWrongLogKey, served, want)
	}
	if _, err := ParseVerifierKey(want); err != nil {
		return "", fmt.Errorf("pin log key: %w", err)
	}
	return want, nil
}
