package admin

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/saferef/saferef/crypto"
)

// RootUnlocker unlocks the scheme's threshold of root keys.
type RootUnlocker func(s *crypto.Scheme) ([]ed25519.PrivateKey, error)

// CheckRoots checks a root count n and threshold k for a new scheme.
func CheckRoots(n, k int) error {
	if n < 1 || n > crypto.MaxRoots || k < 1 || k > n {
		return &BadRootsError{N: n, K: k}
	}
	return nil
}

// CreateScheme writes DIR/scheme.json and n root key vaults
// DIR/root-1.key ... (each under the passphrase pass returns for it, work
// factor wf); k roots must sign an organisation certificate. It refuses,
// wrapping ErrExists, a directory that already holds a scheme or root key.
// It returns the scheme and its root keys.
func CreateScheme(dir, name string, n, k int, pass Passphrase, wf int) (*crypto.Scheme, []ed25519.PrivateKey, error) {
	if err := CheckRoots(n, k); err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create scheme: %w", err)
	}
	schemePath := SchemePath(dir)
	if _, err := os.Stat(schemePath); err == nil {
		return nil, nil, fmt.Errorf("create scheme: %s %w", schemePath, ErrExists)
	}
	for i := 1; i <= n; i++ {
		if _, err := os.Stat(RootKeyPath(dir, i)); err == nil {
			return nil, nil, fmt.Errorf("create scheme: %s %w", RootKeyPath(dir, i), ErrExists)
		}
	}
	s := &crypto.Scheme{Name: name, Threshold: k, RotationDays: crypto.DefaultRotationDays,
		GraceDays: crypto.DefaultGraceDays, MailboxTTLDays: crypto.DefaultMailboxTTLDays}
	keys := make([]ed25519.PrivateKey, n)
	for i := range keys {
		key, err := crypto.GenerateSigningKey(nil)
		if err != nil {
			return nil, nil, fmt.Errorf("create scheme: %w", err)
		}
		keys[i] = key
		s.Roots = append(s.Roots, crypto.EncodePublicKey(key.Public().(ed25519.PublicKey)))
	}
	b, err := s.Marshal()
	if err != nil {
		return nil, nil, fmt.Errorf("create scheme: %w", err)
	}
	s, err = crypto.ParseScheme(b)
	if err != nil {
		return nil, nil, fmt.Errorf("create scheme: %w", err)
	}
	for i, key := range keys {
		path := RootKeyPath(dir, i+1)
		p, err := pass(fmt.Sprintf("root key %d (%s)", i+1, path))
		if err != nil {
			return nil, nil, err
		}
		if err := WriteKey(path, RootKeyType, "", key, p, wf); err != nil {
			return nil, nil, fmt.Errorf("create scheme: %w", err)
		}
	}
	if err := WriteNew(schemePath, b, 0o644); err != nil {
		return nil, nil, fmt.Errorf("create scheme: %w", err)
	}
	return s, keys, nil
}

// UnlockRoots unlocks root keys DIR/root-1.key ... in order until the
// scheme's threshold is met, skipping key files that are not in DIR, asking
// pass for each passphrase. Too few wraps crypto.ErrBelowThreshold.
func UnlockRoots(dir string, s *crypto.Scheme, pass Passphrase) ([]ed25519.PrivateKey, error) {
	var keys []ed25519.PrivateKey
	for i := 1; i <= len(s.Roots) && len(keys) < s.Threshold; i++ {
		path := RootKeyPath(dir, i)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			continue
		}
		p, err := pass(fmt.Sprintf("root key %d (%s)", i, path))
		if err != nil {
			return nil, err
		}
		key, _, err := ReadKey(path, RootKeyType, p)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(s.Roots, crypto.EncodePublicKey(key.Public().(ed25519.PublicKey))) {
			return nil, fmt.Errorf("%s is not a root key of this scheme", path)
		}
		keys = append(keys, key)
	}
	if len(keys) < s.Threshold {
		return nil, fmt.Errorf("unlocked %d root keys, the scheme needs %d: %w", len(keys), s.Threshold, crypto.ErrBelowThreshold)
	}
	return keys, nil
}
