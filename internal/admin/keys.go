package admin

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/vault"
	"github.com/saferef/saferef/internal/atomicfile"
)

// Key vault types: the "type" inside a root or admin key vault.
const (
	RootKeyType  = "saferef-root-key/v1"
	AdminKeyType = "saferef-org-admin-key/v1"
)

// keyFile is the plaintext inside a key vault.
type keyFile struct {
	Type string `json:"type"`
	Org  string `json:"org,omitempty"`
	Seed string `json:"seed"`
}

// Passphrase returns the passphrase for the key described by what (e.g.
// "the admin key of Weald Homes").
type Passphrase func(what string) (string, error)

// Static is a Passphrase that always returns p.
func Static(p string) Passphrase { return func(string) (string, error) { return p, nil } }

// RootKeyPath is DIR/root-N.key.
func RootKeyPath(dir string, n int) string {
	return filepath.Join(dir, fmt.Sprintf("root-%d.key", n))
}

// OrgDir is DIR/orgs/ORG_ID.
func OrgDir(dir string, org crypto.OrgID) string {
	return filepath.Join(dir, "orgs", org.String())
}

// AdminKeyPath is DIR/orgs/ORG_ID/admin.key.
func AdminKeyPath(dir string, org crypto.OrgID) string {
	return filepath.Join(OrgDir(dir, org), "admin.key")
}

// OrgCertPath is DIR/orgs/ORG_ID/org.cert.
func OrgCertPath(dir string, org crypto.OrgID) string {
	return filepath.Join(OrgDir(dir, org), "org.cert")
}

// SchemePath is DIR/scheme.json.
func SchemePath(dir string) string { return filepath.Join(dir, "scheme.json") }

// WriteKey stores a private key of type typ (and organisation org, for an
// admin key) in a new vault file under pass with scrypt work factor wf.
func WriteKey(path, typ, org string, key ed25519.PrivateKey, pass string, wf int) error {
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

// ReadKey opens a key vault of type typ and returns the key and the
// organisation id it names (admin keys). A wrong passphrase wraps
// ErrWrongPassphrase.
func ReadKey(path, typ, pass string) (ed25519.PrivateKey, string, error) {
	b, err := vault.Read(path, pass)
	if err != nil {
		return nil, "", fmt.Errorf("unlock %s: %w", path, err)
	}
	defer clear(b)
	key, org, err := parseKeyFile(b, typ)
	if err != nil {
		return nil, "", fmt.Errorf("unlock %s: %w", path, err)
	}
	return key, org, nil
}

// errBadSeed is a key file whose seed is not a base64 Ed25519 seed.
var errBadSeed = errors.New("bad key seed")

// parseKeyFile decodes a key vault's plaintext.
func parseKeyFile(b []byte, typ string) (ed25519.PrivateKey, string, error) {
	var k keyFile
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, "", fmt.Errorf("not a key file: %w", err)
	}
	if k.Type != typ {
		return nil, "", fmt.Errorf("holds a %q, want %q", k.Type, typ)
	}
	seed, err := base64.StdEncoding.DecodeString(k.Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, "", errBadSeed
	}
	defer clear(seed)
	return ed25519.NewKeyFromSeed(seed), k.Org, nil
}

// ReadAdminKey asks pass for the passphrase of the key described by what
// and opens org's admin key DIR/orgs/ORG_ID/admin.key with it.
func ReadAdminKey(dir string, org crypto.OrgID, what string, pass Passphrase) (ed25519.PrivateKey, error) {
	p, err := pass(what)
	if err != nil {
		return nil, err
	}
	key, _, err := ReadKey(AdminKeyPath(dir, org), AdminKeyType, p)
	return key, err
}

// ReadScheme reads DIR/scheme.json.
func ReadScheme(dir string) (*crypto.Scheme, error) {
	b, err := os.ReadFile(SchemePath(dir))
	if err != nil {
		return nil, fmt.Errorf("read scheme: %w", err)
	}
	s, err := crypto.ParseScheme(b)
	if err != nil {
		return nil, fmt.Errorf("read scheme %s: %w", SchemePath(dir), err)
	}
	return s, nil
}

// WriteNew writes a file that must not exist yet, atomically.
func WriteNew(path string, b []byte, perm os.FileMode) error {
	return atomicfile.WriteNew(path, b, perm)
}
