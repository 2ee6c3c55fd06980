package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/atomicfile"
)

// Files in a device's home directory.
const (
	ConfigFile           = "config.json"            // relay, ids and name: no secrets
	SchemeFile           = "scheme.json"            // copy of the scheme file, pinned at enrolment
	VaultFile            = "device.vault"           // the device secrets, under the passphrase
	CasesFile            = "cases.db"               // the sealed case store
	EnrolmentRequestFile = "enrolment-request.json" // for the organisation admin
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

// Config is HOME/config.json. It holds nothing secret.
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
