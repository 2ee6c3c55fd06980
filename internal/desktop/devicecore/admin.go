package devicecore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/enrolment"
	"github.com/saferef/saferef/client/recoverykey"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/admin"
	"github.com/saferef/saferef/internal/desktop"
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

// BackUp writes an encrypted backup of the device to w under a new
// recovery key, and returns the key.
func (c *Device) BackUp(ctx context.Context, w io.Writer) (string, error) {
	key, err := recoverykey.New()
	if err != nil {
		return "", fmt.Errorf("back up: %w", err)
	}
	if _, err := c.d.Backup(ctx, w, client.BackupOptions{Secret: key}); err != nil {
		return "", fmt.Errorf("back up: %w", err)
	}
	return key, nil
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
	req, err := readRequest(path)
	if err != nil {
		return nil, err
	}
	return requestInfo(path, req), nil
}

// readRequest reads an enrolment request file of bounded size and checks
// its self-signature.
func readRequest(path string) (*enrolment.Request, error) {
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
		return nil, fmt.Errorf("read enrolment request: %w: file too large", enrolment.ErrBadRequest)
	}
	req, err := enrolment.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("read enrolment request: %w", err)
	}
	return req, nil
}

func requestInfo(path string, req *enrolment.Request) *desktop.EnrolmentRequestInfo {
	return &desktop.EnrolmentRequestInfo{Path: path, Device: req.Device, Org: req.Org, Name: req.Name, Fingerprint: req.Fingerprint()}
}

// errOtherOrg is a request or device of another organisation.
var errOtherOrg = errors.New("belongs to another organisation")

// ApproveRequest approves an enrolment request of this organisation with
// the admin key in adminDir (see package admin) and publishes the device
// certificate to this device's relay.
func (c *Device) ApproveRequest(ctx context.Context, adminDir, requestPath, fingerprint, passphrase string) (*desktop.EnrolmentRequestInfo, error) {
	req, err := readRequest(requestPath)
	if err != nil {
		return nil, err
	}
	if req.Org != c.d.Org() {
		return nil, fmt.Errorf("approve device %s: the request %w", req.Device, errOtherOrg)
	}
	if strings.TrimSpace(fingerprint) == "" {
		return nil, fmt.Errorf("approve device %s: no fingerprint read out: %w", req.Device, desktop.ErrFingerprintMismatch)
	}
	if _, err := admin.ApproveDevice(ctx, adminDir, c.d.Relay(), req, fingerprint, admin.Static(passphrase)); err != nil {
		return nil, adminError("approve device "+req.Device.String(), err)
	}
	return requestInfo(requestPath, req), nil
}

// RevokeDevice revokes one of this organisation's devices, dated now, with
// the admin key in adminDir, and publishes the revocation.
func (c *Device) RevokeDevice(ctx context.Context, adminDir string, id crypto.DeviceID, reason, passphrase string) error {
	if e, err := c.d.Directory().Device(id); err == nil && e.Cert.Org != c.d.Org() {
		return fmt.Errorf("revoke device %s: the device %w", id, errOtherOrg)
	}
	if id == c.d.ID() {
		return fmt.Errorf("revoke device %s: this device cannot revoke itself", id)
	}
	if _, err := admin.RevokeDevice(ctx, adminDir, c.d.Relay(), id, reason, time.Time{}, admin.Static(passphrase)); err != nil {
		return adminError("revoke device "+id.String(), err)
	}
	return nil
}

// adminError wraps an error from package admin with the desktop sentinel
// the organisation screen explains.
func adminError(op string, err error) error {
	var kind error
	switch {
	case errors.Is(err, admin.ErrWrongPassphrase):
		kind = desktop.ErrAdminWrongPassphrase
	case errors.Is(err, admin.ErrFingerprintMismatch):
		kind = desktop.ErrFingerprintMismatch
	case errors.Is(err, admin.ErrRelay):
		kind = desktop.ErrAdminRelay
	case errors.Is(err, fs.ErrNotExist):
		kind = desktop.ErrAdminKeyMissing
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
	return fmt.Errorf("%s: %w: %w", op, kind, err)
}

// Relay is the relay URL the device uses.
func (c *Device) Relay() string { return c.d.Relay() }
