package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"filippo.io/age"
)

// Work factors (log2 of the scrypt cost N).
const (
	DefaultWorkFactor = 18
	MaxWorkFactor     = 22
	MinWorkFactor     = 1 // only tests should go below DefaultWorkFactor
)

// MaxFileSize caps a vault file.
const MaxFileSize = 16 << 20

// Errors callers branch on; they are wrapped with context.
var (
	// ErrWrongPassphrase means the passphrase does not open the vault.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrNotVault means the bytes are not a passphrase-encrypted age file.
	ErrNotVault = errors.New("not a vault file")
	// ErrEmptyPassphrase means an empty passphrase was given.
	ErrEmptyPassphrase = errors.New("empty passphrase")
	// ErrWorkFactor means a work factor is outside MinWorkFactor..MaxWorkFactor.
	ErrWorkFactor = errors.New("scrypt work factor out of range")
	// ErrCorrupt means the passphrase was right but the file is damaged.
	ErrCorrupt = errors.New("vault file corrupt")
	// ErrTooLarge means the file or plaintext exceeds MaxFileSize.
	ErrTooLarge = errors.New("vault too large")
)

const ageIntro = "age-encryption.org/v1\n"

// Seal encrypts plaintext under passphrase with scrypt work factor
// 2^workFactor and returns the vault file bytes.
func Seal(plaintext []byte, passphrase string, workFactor int) ([]byte, error) {
	if passphrase == "" {
		return nil, fmt.Errorf("seal vault: %w", ErrEmptyPassphrase)
	}
	if workFactor < MinWorkFactor || workFactor > MaxWorkFactor {
		return nil, fmt.Errorf("seal vault: %w: %d", ErrWorkFactor, workFactor)
	}
	if len(plaintext) > MaxFileSize-1024 {
		return nil, fmt.Errorf("seal vault: %w: %d bytes", ErrTooLarge, len(plaintext))
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, fmt.Errorf("seal vault: %w", err)
	}
	r.SetWorkFactor(workFactor)
	var out bytes.Buffer
	w, err := age.Encrypt(&out, r)
	if err != nil {
		return nil, fmt.Errorf("seal vault: %w", err)
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, fmt.Errorf("seal vault: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("seal vault: %w", err)
	}
	return out.Bytes(), nil
}

// WorkFactor reads the scrypt work factor from a vault file's header
// without any decryption. It fails with ErrNotVault for anything but an age
// file with exactly one scrypt stanza.
func WorkFactor(file []byte) (int, error) {
	rest, ok := bytes.CutPrefix(file, []byte(ageIntro))
	if !ok {
		return 0, fmt.Errorf("%w: no age header", ErrNotVault)
	}
	line, rest, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok {
		return 0, fmt.Errorf("%w: truncated header", ErrNotVault)
	}
	args := strings.Split(string(line), " ")
	if len(args) != 4 || args[0] != "->" || args[1] != "scrypt" {
		return 0, fmt.Errorf("%w: not passphrase-encrypted", ErrNotVault)
	}
	wf, err := strconv.Atoi(args[3])
	if err != nil || args[3] != strconv.Itoa(wf) {
		return 0, fmt.Errorf("%w: bad work factor", ErrNotVault)
	}
	// The stanza body is one line (32 bytes of wrapped key); then the MAC.
	_, rest, ok = bytes.Cut(rest, []byte{'\n'})
	if !ok || !bytes.HasPrefix(rest, []byte("--- ")) {
		return 0, fmt.Errorf("%w: more than one stanza", ErrNotVault)
	}
	return wf, nil
}

// Open decrypts a vault file. It fails with ErrEmptyPassphrase,
// ErrNotVault, ErrWorkFactor (above MaxWorkFactor, checked before any
// scrypt work), ErrWrongPassphrase or ErrCorrupt.
func Open(file []byte, passphrase string) ([]byte, error) {
	if passphrase == "" {
		return nil, fmt.Errorf("open vault: %w", ErrEmptyPassphrase)
	}
	if len(file) > MaxFileSize {
		return nil, fmt.Errorf("open vault: %w: %d bytes", ErrTooLarge, len(file))
	}
	wf, err := WorkFactor(file)
	if err != nil {
		return nil, fmt.Errorf("open vault: %w", err)
	}
	if wf < MinWorkFactor || wf > MaxWorkFactor {
		return nil, fmt.Errorf("open vault: %w: %d", ErrWorkFactor, wf)
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, fmt.Errorf("open vault: %w", err)
	}
	id.SetMaxWorkFactor(MaxWorkFactor)
	r, err := age.Decrypt(bytes.NewReader(file), id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, fmt.Errorf("open vault: %w", ErrWrongPassphrase)
		}
		return nil, fmt.Errorf("open vault: %w: %v", ErrCorrupt, err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, MaxFileSize))
	if err != nil {
		return nil, fmt.Errorf("open vault: %w: %v", ErrCorrupt, err)
	}
	return plain, nil
}
