package client

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/saferef/saferef/client/passphrase"
)

// Sealed home files are XChaCha20-Poly1305 under a key derived from the
// vault's data key with HKDF-SHA256 (info "saferef/v1/home-file\x00" ||
// file name), with the file name as additional data, stored as nonce ||
// ciphertext. A file copied from another device, renamed or altered does
// not open (ErrSealedFile).

// ErrSealedFile means a sealed home file does not open with this device's
// keys: damaged, renamed, or from another device.
var ErrSealedFile = errors.New("sealed home file does not open")

const homeFileInfo = "saferef/v1/home-file\x00"

func homeFileKey(dataKey []byte, name string) ([]byte, error) {
	k, err := hkdf.Key(sha256.New, dataKey, nil, homeFileInfo+name, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("derive key of %s: %w", name, err)
	}
	return k, nil
}

// sealHomeBytes seals plain as the contents of the home file name.
func sealHomeBytes(dataKey []byte, name string, plain []byte) ([]byte, error) {
	key, err := homeFileKey(dataKey, name)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("seal %s: %w", name, err)
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("seal %s: %w", name, err)
	}
	return aead.Seal(out, out, plain, []byte(name)), nil
}

// openHomeBytes reverses sealHomeBytes.
func openHomeBytes(dataKey []byte, name string, sealed []byte) ([]byte, error) {
	key, err := homeFileKey(dataKey, name)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("open %s: %w", name, ErrSealedFile)
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(name))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, ErrSealedFile)
	}
	return plain, nil
}

// writeSealedHomeFile seals plain and writes it atomically (mode 0600) to
// home/name.
func writeSealedHomeFile(dataKey []byte, home, name string, plain []byte) error {
	b, err := sealHomeBytes(dataKey, name, plain)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(home, name), b, 0o600)
}

// readSealedHomeFile reads and opens home/name; a missing file is
// fs.ErrNotExist.
func readSealedHomeFile(dataKey []byte, home, name string, limit int64) ([]byte, error) {
	b, err := readLimited(filepath.Join(home, name), limit)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return openHomeBytes(dataKey, name, b)
}

// IsHome reports whether home holds an enrolled device (its vault).
func IsHome(home string) bool {
	_, err := os.Stat(filepath.Join(home, VaultFile))
	return err == nil
}

// CheckPassphrase applies the one strength rule (package
// client/passphrase) to a new vault passphrase; context lists words about
// the user an attacker would try first (device and organisation names).
// A refusal wraps passphrase.ErrWeak and explains why in plain words.
func CheckPassphrase(pass string, context ...string) error {
	return passphrase.Check(pass, context...)
}

// PassphraseAdvice says how to choose a passphrase that passes the rule.
const PassphraseAdvice = passphrase.Advice
