package admin

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/saferef/saferef/crypto"
)

// RotateRootsOptions says how to rotate the scheme's root keys.
type RotateRootsOptions struct {
	// N and K are the new number of roots and threshold; 0 keeps the
	// current number, and the current threshold (at most N).
	N, K int
	// Roots unlocks the current threshold of root keys.
	Roots RootUnlocker
	// NewPassphrase chooses each new root key's passphrase.
	NewPassphrase Passphrase
	// WorkFactor is the new vaults' scrypt work factor.
	WorkFactor int
}

// RootRotation is a published root rotation.
type RootRotation struct {
	Seq      uint64         // the scheme update's sequence number
	Previous *crypto.Scheme // the scheme before, as DIR/scheme.json held it
	Next     *crypto.Scheme // the scheme after (now in DIR/scheme.json)
	Retired  string         // the directory the old root keys moved to
}

// RotateRoots rotates the scheme's root keys by ceremony: it audits the
// relay's log, checks that DIR/scheme.json is the log's current scheme
// (else ErrSchemeMismatch), unlocks the current roots, generates the new
// ones in the staging directory DIR/roots-SEQ.new, signs the scheme update
// with old and new roots, publishes it, and then moves the old root keys
// and scheme.json into DIR/retired-roots-(SEQ-1)/ and the new keys and
// scheme file into DIR. Counts out of range are a *BadRootsError; trouble
// with the staging directory a *StagingError.
func RotateRoots(ctx context.Context, dir, relayURL string, o RotateRootsOptions) (*RootRotation, error) {
	rep, _, err := Audit(ctx, dir, relayURL, "")
	if err != nil {
		return nil, err
	}
	cur := rep.Directory.Scheme()
	local, err := ReadScheme(dir)
	if err != nil {
		return nil, err
	}
	if local.Fingerprint() != cur.Fingerprint() {
		return nil, markf(ErrSchemeMismatch, "the relay's log has rotated the roots to fingerprint %s, but %s has %s",
			cur.Fingerprint(), SchemePath(dir), local.Fingerprint())
	}
	n, k := o.N, o.K
	if n == 0 {
		n = len(cur.Roots)
	}
	if k == 0 {
		k = min(cur.Threshold, n)
	}
	if n < 1 || n > crypto.MaxRoots || k < 1 || k > n || cur.Threshold+k > crypto.MaxSignatures {
		return nil, &BadRootsError{N: n, K: k, Threshold: cur.Threshold}
	}
	oldRoots, err := o.Roots(cur)
	if err != nil {
		return nil, err
	}
	seq := uint64(len(cur.History)) + 1
	staging := filepath.Join(dir, fmt.Sprintf("roots-%d.new", seq))
	if err := os.Mkdir(staging, 0o700); err != nil {
		return nil, &StagingError{Path: staging, Err: fmt.Errorf("rotate roots: %w", err)}
	}
	next, up, err := signRootRotation(cur, oldRoots, n, k, seq, staging, func(i int) (string, error) {
		return o.NewPassphrase(fmt.Sprintf("new root key %d (%s)", i, RootKeyPath(dir, i)))
	}, o.WorkFactor, time.Now())
	if err != nil {
		os.RemoveAll(staging)
		return nil, err
	}
	if _, err := Publish(ctx, dir, relayURL, up); err != nil {
		os.RemoveAll(staging)
		return nil, markf(ErrRelay, "publish scheme update %d (nothing changed in %s): %w", seq, dir, err)
	}
	retired, err := installRoots(dir, staging, len(cur.Roots), n, seq, next)
	if err != nil {
		return nil, &StagingError{Path: staging, Published: true,
			Err: fmt.Errorf("scheme update %d is published, but the key files were not all moved: %w", seq, err)}
	}
	return &RootRotation{Seq: seq, Previous: local, Next: next, Retired: retired}, nil
}

// signRootRotation generates n new root keys, stores them in staging as
// root-1.key ..., and signs the scheme update that replaces cur's roots
// with them (threshold k). It returns the scheme after the update and the
// signed update.
func signRootRotation(cur *crypto.Scheme, oldRoots []ed25519.PrivateKey, n, k int, seq uint64, staging string, pass func(i int) (string, error), wf int, now time.Time) (*crypto.Scheme, []byte, error) {
	prev := make([]ed25519.PublicKey, 0, len(cur.Roots))
	for _, r := range cur.Roots {
		key, err := crypto.ParsePublicKey(r)
		if err != nil {
			return nil, nil, fmt.Errorf("rotate roots: %w", err)
		}
		prev = append(prev, key)
	}
	u := &crypto.SchemeUpdate{Seq: seq, PrevRoots: prev, PrevThreshold: cur.Threshold, Threshold: k, Issued: now.UTC().Truncate(time.Second)}
	keys := make([]ed25519.PrivateKey, n)
	for i := range keys {
		key, err := crypto.GenerateSigningKey(nil)
		if err != nil {
			return nil, nil, fmt.Errorf("rotate roots: %w", err)
		}
		keys[i] = key
		u.Roots = append(u.Roots, key.Public().(ed25519.PublicKey))
	}
	up, err := crypto.SignSchemeUpdate(u, oldRoots, keys)
	if err != nil {
		return nil, nil, fmt.Errorf("rotate roots: %w", err)
	}
	_, next, err := cur.VerifyUpdate(up)
	if err != nil {
		return nil, nil, fmt.Errorf("rotate roots: the update does not verify: %w", err)
	}
	for i, key := range keys {
		p, err := pass(i + 1)
		if err != nil {
			return nil, nil, err
		}
		if err := WriteKey(RootKeyPath(staging, i+1), RootKeyType, "", key, p, wf); err != nil {
			return nil, nil, fmt.Errorf("rotate roots: %w", err)
		}
	}
	return next, up, nil
}

// installRoots moves the old root key files (root-1.key ... root-oldN.key)
// and scheme.json into DIR/retired-roots-(seq-1)/, the new keys from staging
// into DIR, and writes the new scheme file. It returns the retired
// directory.
func installRoots(dir, staging string, oldN, n int, seq uint64, next *crypto.Scheme) (string, error) {
	b, err := next.Marshal()
	if err != nil {
		return "", err
	}
	retired := filepath.Join(dir, fmt.Sprintf("retired-roots-%d", seq-1))
	if err := os.Mkdir(retired, 0o700); err != nil {
		return "", err
	}
	for i := 1; i <= oldN; i++ {
		if err := os.Rename(RootKeyPath(dir, i), RootKeyPath(retired, i)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return retired, err
		}
	}
	if err := os.Rename(SchemePath(dir), SchemePath(retired)); err != nil {
		return retired, err
	}
	for i := 1; i <= n; i++ {
		if err := os.Rename(RootKeyPath(staging, i), RootKeyPath(dir, i)); err != nil {
			return retired, err
		}
	}
	if err := WriteNew(SchemePath(dir), b, 0o644); err != nil {
		return retired, err
	}
	return retired, os.Remove(staging)
}
