// Package recoverykey makes and reads the recovery keys that protect a
// device backup: Words random words from the BIP39 English list (2048
// words, so 11 bits each: 132 bits in all), printed once for the user to
// write down. The words are used as an age scrypt passphrase, so a backup
// protected by a recovery key and one protected by a chosen passphrase are
// the same kind of file.
package recoverykey

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Words is how many words a recovery key has.
const Words = 12

// ErrNotRecoveryKey means text is not Words words from the list.
var ErrNotRecoveryKey = errors.New("not a recovery key")

// New returns a fresh recovery key: Words words separated by single spaces.
func New() (string, error) {
	buf := make([]byte, 2*Words)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("recovery key: %w", err)
	}
	words := make([]string, Words)
	for i := range words {
		// 65536 is a multiple of 2048, so this is uniform.
		words[i] = wordlist[int(binary.BigEndian.Uint16(buf[2*i:]))%len(wordlist)]
	}
	return strings.Join(words, " "), nil
}

// Normalize reads a recovery key as a person types it back (any case, any
// spacing, one word per line or all on one) and returns it in New's form.
func Normalize(text string) (string, error) {
	words := strings.Fields(strings.ToLower(text))
	if len(words) != Words {
		return "", fmt.Errorf("%w: %d words, want %d", ErrNotRecoveryKey, len(words), Words)
	}
	for i, w := range words {
		if !known(w) {
			return "", fmt.Errorf("%w: word %d is not on the list (check its spelling)", ErrNotRecoveryKey, i+1)
		}
	}
	return strings.Join(words, " "), nil
}

// Looks reports whether text has the shape of a recovery key, so that a
// front end can tell it from a chosen passphrase.
func Looks(text string) bool {
	_, err := Normalize(text)
	return err == nil
}

func known(w string) bool {
	for _, x := range wordlist {
		if x == w {
			return true
		}
	}
	return false
}
