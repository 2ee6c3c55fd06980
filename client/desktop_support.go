package client

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/atomicfile"
)

// ContactsFile is HOME/contacts.sealed: which organisations' fingerprints
// the user checked in person, sealed under a key derived from the vault's
// data key.
const ContactsFile = "contacts.sealed"

// maxContactsFile bounds contacts.sealed.
const maxContactsFile = 1 << 20

// contactsAD binds the sealed contacts file to its purpose.
const contactsAD = "saferef/v1/contacts"

// ErrBadContacts means contacts.sealed does not open with this device's
// keys (damaged, or from another device).
var ErrBadContacts = errors.New("contacts file does not open")

// Queued returns the number of sealed envelopes in the outbox: sends
// recorded on this device that the relay has not yet confirmed. The next
// Sync sends them.
func (d *Device) Queued(ctx context.Context) (int, error) {
	items, err := d.store.Outbox(ctx)
	if err != nil {
		return 0, fmt.Errorf("count outbox: %w", err)
	}
	return len(items), nil
}

// contactsFile is the plaintext of contacts.sealed.
type contactsFile struct {
	Verified []string `json:"verified"` // organisation ids, sorted
}

// contactsKey derives the key that seals contacts.sealed from the vault's
// data key.
func (d *Device) contactsKey() ([]byte, error) {
	k, err := hkdf.Key(sha256.New, d.secrets.DataKey, nil, "saferef/v1/contacts-key", chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("derive contacts key: %w", err)
	}
	return k, nil
}

// readContacts opens contacts.sealed (empty when there is none).
func (d *Device) readContacts() (*contactsFile, error) {
	path := filepath.Join(d.home, ContactsFile)
	b, err := readLimited(path, maxContactsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return &contactsFile{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read contacts: %w", err)
	}
	key, err := d.contactsKey()
	if err != nil {
		return nil, err
	}
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("read contacts: %w", err)
	}
	if len(b) < aead.NonceSize() {
		return nil, fmt.Errorf("read contacts %s: %w", path, ErrBadContacts)
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte(contactsAD))
	if err != nil {
		return nil, fmt.Errorf("read contacts %s: %w", path, ErrBadContacts)
	}
	c, err := parseContacts(plain)
	if err != nil {
		return nil, fmt.Errorf("read contacts %s: %w", path, err)
	}
	return c, nil
}

// parseContacts decodes the opened contacts file strictly: every entry must
// be an organisation id.
func parseContacts(plain []byte) (*contactsFile, error) {
	var c contactsFile
	if err := json.Unmarshal(plain, &c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadContacts, err)
	}
	for _, s := range c.Verified {
		if _, err := crypto.ParseOrgID(s); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadContacts, err)
		}
	}
	return &c, nil
}

// writeContacts seals and atomically replaces contacts.sealed.
func (d *Device) writeContacts(c *contactsFile) error {
	plain, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("write contacts: %w", err)
	}
	key, err := d.contactsKey()
	if err != nil {
		return err
	}
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return fmt.Errorf("write contacts: %w", err)
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("write contacts: %w", err)
	}
	sealed := aead.Seal(nonce, nonce, plain, []byte(contactsAD))
	path := filepath.Join(d.home, ContactsFile)
	if err := atomicfile.Write(path, sealed); err != nil {
		return fmt.Errorf("write contacts: %w", err)
	}
	return nil
}

// SetVerified records (or clears) that the user checked organisation org's
// fingerprint in person. The mark is local to this device and sealed under
// its vault's data key in HOME/contacts.sealed.
func (d *Device) SetVerified(ctx context.Context, org crypto.OrgID, verified bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// d.mu serialises the read-modify-write of the file (held only for a
	// small local file, never across the network).
	d.mu.Lock()
	defer d.mu.Unlock()
	c, err := d.readContacts()
	if err != nil {
		return err
	}
	id := org.String()
	c.Verified = slices.DeleteFunc(c.Verified, func(s string) bool { return s == id })
	if verified {
		c.Verified = append(c.Verified, id)
		slices.Sort(c.Verified)
	}
	if err := d.writeContacts(c); err != nil {
		return fmt.Errorf("mark %s verified: %w", org, err)
	}
	return nil
}

// Verified returns the organisations whose fingerprints the user marked as
// checked in person on this device.
func (d *Device) Verified(ctx context.Context) (map[crypto.OrgID]bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// d.mu serialises the read-modify-write of the file (held only for a
	// small local file, never across the network).
	d.mu.Lock()
	defer d.mu.Unlock()
	c, err := d.readContacts()
	if err != nil {
		return nil, err
	}
	out := make(map[crypto.OrgID]bool, len(c.Verified))
	for _, s := range c.Verified {
		id, err := crypto.ParseOrgID(s)
		if err != nil {
			return nil, fmt.Errorf("read contacts: %w: %w", ErrBadContacts, err)
		}
		out[id] = true
	}
	return out, nil
}
