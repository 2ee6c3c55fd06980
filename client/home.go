package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/vault"
	"github.com/saferef/saferef/internal/atomicfile"
)

// Files in a device's home directory.
const (
	ConfigFile           = "config.sealed"          // relay, ids and name, sealed under the data key
	LegacyConfigFile     = "config.json"            // the same in clear, before sealing; migrated on open
	SchemeFile           = "scheme.json"            // copy of the scheme file, pinned at enrolment
	VaultFile            = "device.vault"           // the device secrets, under the passphrase
	CasesFile            = "cases.db"               // the case store, encrypted as a whole file
	EnrolmentRequestFile = "enrolment-request.json" // for the organisation admin; removed once approved
	maxConfigSize        = 64 << 10
	maxSchemeSize        = 64 << 10
)

// Errors callers branch on.
var (
	// ErrHomeExists means enrolment would overwrite an existing device home.
	ErrHomeExists = errors.New("device home already exists")
	// ErrNoHome means the directory is not an enrolled device home.
	ErrNoHome = errors.New("not a device home")
	// ErrBadConfig means config.json cannot be used.
	ErrBadConfig = errors.New("bad config file")
)

// Config is HOME/config.sealed: the relay, the device's and organisation's
// ids, the device name and the enrolment time. None of it is secret to
// the device's user, but a copied laptop must not show which organisation
// it belongs to, so it is sealed under a key from the vault's data key
// (sealedfile.go). Homes enrolled before that have config.json in clear;
// the first unlock seals it and removes the clear file.
type Config struct {
	Relay  string    `json:"relay"`
	Device string    `json:"device"`
	Org    string    `json:"org"`
	Name   string    `json:"name"`
	Enrol  time.Time `json:"enrolled"`
	ids    configParsed
}

type configParsed struct {
	device crypto.DeviceID
	org    crypto.OrgID
}

// DeviceID returns the parsed device id (valid after ParseConfig).
func (c *Config) DeviceID() crypto.DeviceID { return c.ids.device }

// OrgID returns the parsed organisation id (valid after ParseConfig).
func (c *Config) OrgID() crypto.OrgID { return c.ids.org }

// ParseConfig reads config.json strictly: unknown fields, trailing data,
// bad ids and bad relay URLs are errors wrapping ErrBadConfig.
func ParseConfig(b []byte) (*Config, error) {
	if len(b) > maxConfigSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadConfig, len(b))
	}
	var c Config
	if err := decodeStrictJSON(b, &c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	var err error
	if c.ids.device, err = crypto.ParseDeviceID(c.Device); err != nil {
		return nil, fmt.Errorf("%w: device: %w", ErrBadConfig, err)
	}
	if c.ids.org, err = crypto.ParseOrgID(c.Org); err != nil {
		return nil, fmt.Errorf("%w: org: %w", ErrBadConfig, err)
	}
	if _, err := relay.ParseURL(c.Relay); err != nil {
		return nil, fmt.Errorf("%w: relay: %w", ErrBadConfig, err)
	}
	if c.Name == "" {
		return nil, fmt.Errorf("%w: no device name", ErrBadConfig)
	}
	return &c, nil
}

// Marshal returns the indented JSON form.
func (c *Config) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal config: %w", err)
	}
	return append(b, '\n'), nil
}

func decodeStrictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the json object")
	}
	return nil
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, limit)
	}
	return b, nil
}

// ReadScheme reads and validates a scheme file.
func ReadScheme(path string) (*crypto.Scheme, []byte, error) {
	b, err := readLimited(path, maxSchemeSize)
	if err != nil {
		return nil, nil, fmt.Errorf("read scheme: %w", err)
	}
	s, err := crypto.ParseScheme(b)
	if err != nil {
		return nil, nil, fmt.Errorf("read scheme %s: %w", path, err)
	}
	return s, b, nil
}

// writeFileAtomic writes a file atomically with mode perm.
func writeFileAtomic(path string, b []byte, perm os.FileMode) error {
	return atomicfile.Writer{Perm: perm}.Write(path, b)
}

// readHomeConfig reads config.sealed, or migrates a clear config.json from
// an older version into config.sealed and removes the clear file.
func readHomeConfig(home string, dataKey []byte) (*Config, error) {
	b, err := readSealedHomeFile(dataKey, home, ConfigFile, maxConfigSize+64)
	if err == nil {
		return ParseConfig(b)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	legacy := filepath.Join(home, LegacyConfigFile)
	b, err = readLimited(legacy, maxConfigSize)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w (no %s)", ErrNoHome, ConfigFile)
	}
	if err != nil {
		return nil, err
	}
	cfg, err := ParseConfig(b)
	if err != nil {
		return nil, err
	}
	if err := writeSealedHomeFile(dataKey, home, ConfigFile, b); err != nil {
		return nil, fmt.Errorf("seal config: %w", err)
	}
	if err := os.Remove(legacy); err != nil {
		return nil, fmt.Errorf("remove clear config: %w", err)
	}
	return cfg, nil
}

// resealVault re-encrypts the vault at path at work factor wf.
func resealVault(path string, plain []byte, passphrase string, wf int) error {
	file, err := vault.Seal(plain, passphrase, wf)
	if err != nil {
		return fmt.Errorf("re-save vault at work factor %d: %w", wf, err)
	}
	if err := vault.WriteFile(path, file); err != nil {
		return fmt.Errorf("re-save vault at work factor %d: %w", wf, err)
	}
	return nil
}
