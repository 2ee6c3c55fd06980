package admin

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/saferef/saferef/client/enrolment"
	"github.com/saferef/saferef/crypto"
)

// DeviceCertLifetime is how long a device certificate is valid.
const DeviceCertLifetime = 2 * 365 * 24 * time.Hour

// ReadEnrolmentRequest reads and checks the enrolment-request.json a user
// sent. A malformed or tampered request wraps enrolment.ErrBadRequest.
func ReadEnrolmentRequest(path string) (*enrolment.Request, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read enrolment request: %w", err)
	}
	req, err := enrolment.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return req, nil
}

// SameFingerprint reports whether two device fingerprints are equal,
// ignoring spaces.
func SameFingerprint(a, b string) bool {
	return strings.Join(strings.Fields(a), "") == strings.Join(strings.Fields(b), "")
}

// CertifyDevice signs the device certificate for a request with the
// organisation's admin key, valid DeviceCertLifetime from five minutes
// before now, and checks it against the organisation's certificate. It
// returns the signed certificate and its verified form.
func CertifyDevice(req *enrolment.Request, org *crypto.OrgCert, admin ed25519.PrivateKey, now time.Time) ([]byte, *crypto.DeviceCert, error) {
	now = now.UTC().Truncate(time.Second)
	c := req.DeviceCert(now.Add(-5*time.Minute), DeviceCertLifetime)
	c.Issued = now
	b, err := crypto.SignDeviceCert(c, admin)
	if err != nil {
		return nil, nil, fmt.Errorf("approve device %s: %w", req.Device, err)
	}
	dc, err := crypto.VerifyDeviceCert(b, org, now)
	if err != nil {
		return nil, nil, fmt.Errorf("approve device %s: the certificate does not verify (is this the organisation's admin key?): %w", req.Device, err)
	}
	return b, dc, nil
}

// ApproveDevice approves a device from its checked enrolment request:
// when fingerprint (what the user read out) is not empty it must be the
// request's (else ErrFingerprintMismatch, before anything else); the relay's
// log is audited; the organisation's admin key (asked through pass) signs
// the device certificate, which is published. It returns the verified
// certificate.
func ApproveDevice(ctx context.Context, dir, relayURL string, req *enrolment.Request, fingerprint string, pass Passphrase) (*crypto.DeviceCert, error) {
	if fingerprint != "" && !SameFingerprint(fingerprint, req.Fingerprint()) {
		return nil, markf(ErrFingerprintMismatch, "fingerprint mismatch: the request has %s, the user read out %s", req.Fingerprint(), fingerprint)
	}
	rep, _, err := Audit(ctx, dir, relayURL, "")
	if err != nil {
		return nil, err
	}
	orgCert, err := CurrentOrgCert(rep, req.Org)
	if err != nil {
		return nil, err
	}
	admin, err := ReadAdminKey(dir, req.Org, adminKeyOf(orgCert.Name), pass)
	if err != nil {
		return nil, err
	}
	b, dc, err := CertifyDevice(req, orgCert, admin, time.Now())
	if err != nil {
		return nil, err
	}
	if _, err := Publish(ctx, dir, relayURL, b); err != nil {
		return nil, markf(ErrRelay, "publish device certificate: %w", err)
	}
	return dc, nil
}
