package casestore

import (
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the size of the data key and of every per-case key.
const KeySize = chacha20poly1305.KeySize

// ErrSealed is returned (wrapped) when a sealed column or a wrapped case key
// does not open: the wrong data key, a value moved from another case or
// column, or a tampered database.
var ErrSealed = errors.New("sealed value does not open")

const (
	columnDomain  = "saferef/v1/casestore/column\x00"
	caseKeyDomain = "saferef/v1/casestore/case-key\x00"
)

func columnAAD(caseID [16]byte, column string) []byte {
	aad := make([]byte, 0, len(columnDomain)+16+len(column))
	aad = append(aad, columnDomain...)
	aad = append(aad, caseID[:]...)
	return append(aad, column...)
}

func caseKeyAAD(caseID [16]byte) []byte {
	aad := make([]byte, 0, len(caseKeyDomain)+16)
	aad = append(aad, caseKeyDomain...)
	return append(aad, caseID[:]...)
}

// seal encrypts plaintext under key with a random nonce and returns
// nonce || ciphertext.
func seal(key, plaintext, aad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("seal: read nonce: %w", err)
	}
	return aead.Seal(out, out[:aead.NonceSize()], plaintext, aad), nil
}

// open reverses seal.
func open(key, sealed, aad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrSealed, len(sealed))
	}
	pt, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], aad)
	if err != nil {
		return nil, ErrSealed
	}
	return pt, nil
}

// SealColumn seals one column value of a case under the case key.
func SealColumn(caseKey []byte, caseID [16]byte, column string, plaintext []byte) ([]byte, error) {
	b, err := seal(caseKey, plaintext, columnAAD(caseID, column))
	if err != nil {
		return nil, fmt.Errorf("seal column %s of case %x: %w", column, caseID, err)
	}
	return b, nil
}

// OpenColumn opens a value sealed by SealColumn for the same case and column.
func OpenColumn(caseKey []byte, caseID [16]byte, column string, sealed []byte) ([]byte, error) {
	b, err := open(caseKey, sealed, columnAAD(caseID, column))
	if err != nil {
		return nil, fmt.Errorf("open column %s of case %x: %w", column, caseID, err)
	}
	return b, nil
}

// WrapCaseKey seals a per-case key under the data key.
func WrapCaseKey(dataKey []byte, caseID [16]byte, caseKey []byte) ([]byte, error) {
	b, err := seal(dataKey, caseKey, caseKeyAAD(caseID))
	if err != nil {
		return nil, fmt.Errorf("wrap key of case %x: %w", caseID, err)
	}
	return b, nil
}

// UnwrapCaseKey opens a per-case key wrapped by WrapCaseKey.
func UnwrapCaseKey(dataKey []byte, caseID [16]byte, wrapped []byte) ([]byte, error) {
	k, err := open(dataKey, wrapped, caseKeyAAD(caseID))
	if err != nil {
		return nil, fmt.Errorf("unwrap key of case %x: %w", caseID, err)
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("unwrap key of case %x: %w: key is %d bytes", caseID, ErrSealed, len(k))
	}
	return k, nil
}
