package devicecore

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/desktop"
	"github.com/saferef/saferef/crypto"
)

// maxRequestFile bounds an enrolment request file.
const maxRequestFile = 64 << 10

// Devices lists this organisation's devices from the verified directory,
// this device first, then by name.
func (c *Device) Devices() []desktop.DeviceInfo {
	now := time.Now()
	var out []desktop.DeviceInfo
	for _, e := range c.d.Directory().Devices(c.d.Org()) {
		d := desktop.DeviceInfo{ID: e.Cert.Device, Name: e.Cert.Name, Fingerprint: crypto.DeviceFingerprint(e.Cert.SigningKey),
			NotAfter: e.Cert.NotAfter, KeySeq: e.KeySeq, This: e.Cert.Device == c.d.ID()}
		switch {
		case e.Revoked != nil:
			d.Status = desktop.DeviceRevoked
		case now.After(e.Cert.NotAfter):
			d.Status = desktop.DeviceExpired
		case now.Before(e.Cert.NotBefore):
			d.Status = desktop.DeviceNotYetValid
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b desktop.DeviceInfo) int {
		if a.This != b.This {
			if a.This {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// RotateKeys replaces this device's encryption key now.
func (c *Device) RotateKeys(ctx context.Context) error {
	if _, err := c.d.RotateKeys(ctx); err != nil {
		return fmt.Errorf("rotate keys: %w", err)
	}
	return nil
}

// Verified returns the organisations marked as verified in person.
func (c *Device) Verified(ctx context.Context) (map[crypto.OrgID]bool, error) {
	m, err := c.d.Verified(ctx)
	if err != nil {
		return nil, fmt.Errorf("verified contacts: %w", err)
	}
	return m, nil
}

// SetVerified records or clears a verified-in-person mark.
func (c *Device) SetVerified(ctx context.Context, org crypto.OrgID, on bool) error {
	if err := c.d.SetVerified(ctx, org, on); err != nil {
		return fmt.Errorf("verified contacts: %w", err)
	}
	return nil
}

// EnrolmentRequest reads and checks an enrolment request file.
func (c *Device) EnrolmentRequest(path string) (*desktop.EnrolmentRequestInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read enrolment request: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxRequestFile+1))
	if err != nil {
		return nil, fmt.Errorf("read enrolment request: %w", err)
	}
	if len(b) > maxRequestFile {
		return nil, fmt.Errorf("read enrolment request: %w: file too large", client.ErrBadEnrolmentRequest)
	}
	req, err := client.ParseEnrolmentRequest(b)
	if err != nil {
		return nil, fmt.Errorf("read enrolment request: %w", err)
	}
	return &desktop.EnrolmentRequestInfo{Path: path, Device: req.Device, Org: req.Org, Name: req.Name, Fingerprint: req.Fingerprint()}, nil
}

// Relay is the relay URL the device uses.
func (c *Device) Relay() string { return c.d.Relay() }
