package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/vault"
)

// Key file types: the plaintext inside a root or admin key vault is JSON
// {"type": ..., "org": org id (admin keys only), "seed": base64 Ed25519 seed}.
const (
	rootKeyType  = "saferef-root-key/v1"
	adminKeyType = "saferef-org-admin-key/v1"
)

type keyFile struct {
	Type string `json:"type"`
	Org  string `json:"org,omitempty"`
	Seed string `json:"seed"`
}

func rootKeyPath(dir string, n int) string { return filepath.Join(dir, fmt.Sprintf("root-%d.key", n)) }
func orgDir(dir string, org crypto.OrgID) string {
	return filepath.Join(dir, "orgs", org.String())
}
func adminKeyPath(dir string, org crypto.OrgID) string {
	return filepath.Join(orgDir(dir, org), "admin.key")
}
func orgCertPath(dir string, org crypto.OrgID) string {
	return filepath.Join(orgDir(dir, org), "org.cert")
}

// writeKey stores a private key in a new vault file.
func writeKey(path, typ, org string, key ed25519.PrivateKey, pass string, wf int) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("store key: %w", err)
	}
	b, err := json.Marshal(keyFile{Type: typ, Org: org, Seed: base64.StdEncoding.EncodeToString(key.Seed())})
	if err != nil {
		return fmt.Errorf("store key: %w", err)
	}
	defer clear(b)
	if err := vault.Create(path, b, pass, wf); err != nil {
		return fmt.Errorf("store key %s: %w", path, err)
	}
	return nil
}

// readKey opens a key vault of the given type.
func readKey(path, typ, pass string) (ed25519.PrivateKey, string, error) {
	b, err := vault.Read(path, pass)
	if err != nil {
		return nil, "", fmt.Errorf("unlock %s: %w", path, err)
	}
	defer clear(b)
	var k keyFile
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, "", fmt.Errorf("unlock %s: not a key file: %w", path, err)
	}
	if k.Type != typ {
		return nil, "", fmt.Errorf("unlock %s: holds a %q, want %q", path, k.Type, typ)
	}
	seed, err := base64.StdEncoding.DecodeString(k.Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, "", fmt.Errorf("unlock %s: bad key seed", path)
	}
	return ed25519.NewKeyFromSeed(seed), k.Org, nil
}

// readScheme reads DIR/scheme.json.
func readScheme(dir string) (*crypto.Scheme, error) {
	b, err := os.ReadFile(filepath.Join(dir, "scheme.json"))
	if err != nil {
		return nil, fmt.Errorf("read scheme: %w", err)
	}
	s, err := crypto.ParseScheme(b)
	if err != nil {
		return nil, fmt.Errorf("read scheme %s: %w", filepath.Join(dir, "scheme.json"), err)
	}
	return s, nil
}

// publish sends signed directory objects to the relay (no authentication
// needed: they verify themselves) and returns their log indexes.
func publish(ctx context.Context, relayURL string, objects ...[]byte) ([]uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	c, err := relay.Dial(ctx, relayURL, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var idx []uint64
	for _, o := range objects {
		i, err := c.Publish(ctx, o)
		if err != nil {
			return idx, err
		}
		idx = append(idx, i)
	}
	return idx, nil
}

// writeNew writes a file that must not exist yet.
func writeNew(path string, b []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

var errExists = errors.New("already exists")
