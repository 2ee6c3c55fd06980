package admin

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/atomicfile"
)

// RotateAdminOptions says who signs an organisation's new admin key.
type RotateAdminOptions struct {
	// ByAdmin signs with the current admin key (asked through
	// AdminPassphrase) instead of the root keys (unlocked by Roots). Only a
	// root-signed certificate renews the validity period.
	ByAdmin         bool
	AdminPassphrase Passphrase
	Roots           RootUnlocker
	// NewPassphrase chooses the new admin key's passphrase.
	NewPassphrase Passphrase
	// WorkFactor is the new vault's scrypt work factor.
	WorkFactor int
}

// RotateAdmin replaces an organisation's admin key: after auditing the
// relay's log it generates a new admin key, signs a re-issued certificate
// naming only it, keeps the old key file as admin.key.retired-DATE, saves
// the new key and certificate under DIR/orgs/ORG_ID/ and publishes the
// certificate. It returns the re-issued certificate.
func RotateAdmin(ctx context.Context, dir, relayURL string, org crypto.OrgID, o RotateAdminOptions) (*crypto.OrgCert, error) {
	rep, _, err := Audit(ctx, dir, relayURL, "")
	if err != nil {
		return nil, err
	}
	old, err := CurrentOrgCert(rep, org)
	if err != nil {
		return nil, err
	}
	s := rep.Directory.Scheme()
	var sign adminSigner
	if o.ByAdmin {
		cur, err := ReadAdminKey(dir, org, "the current admin key of "+old.Name, o.AdminPassphrase)
		if err != nil {
			return nil, err
		}
		sign = func(c *crypto.OrgCert, admin ed25519.PrivateKey, now time.Time) ([]byte, error) {
			b, err := crypto.SignOrgCertByAdmin(c, cur, []ed25519.PrivateKey{admin})
			if err != nil {
				return nil, err
			}
			if _, err := crypto.VerifyOrgCertByAdmin(b, old, now); err != nil {
				return nil, fmt.Errorf("the certificate does not verify (is %s the organisation's current admin key?): %w", AdminKeyPath(dir, org), err)
			}
			return b, nil
		}
	} else {
		roots, err := o.Roots(s)
		if err != nil {
			return nil, err
		}
		sign = func(c *crypto.OrgCert, _ ed25519.PrivateKey, now time.Time) ([]byte, error) {
			b, err := crypto.SignOrgCert(c, roots)
			if err != nil {
				return nil, err
			}
			if _, err := s.VerifyOrgCert(b, now); err != nil {
				return nil, fmt.Errorf("the certificate does not verify: %w", err)
			}
			return b, nil
		}
	}
	pass, err := o.NewPassphrase("the new admin key of " + old.Name)
	if err != nil {
		return nil, err
	}
	c, b, err := rotateAdmin(dir, old, sign, !o.ByAdmin, pass, o.WorkFactor, time.Now())
	if err != nil {
		return nil, err
	}
	if _, err := Publish(ctx, dir, relayURL, b); err != nil {
		return nil, markf(ErrRelay, "publish re-issued organisation certificate (saved as %s): %w", OrgCertPath(dir, org), err)
	}
	return c, nil
}

// adminSigner signs and checks the re-issued certificate c naming the new
// admin key.
type adminSigner func(c *crypto.OrgCert, newAdmin ed25519.PrivateKey, now time.Time) ([]byte, error)

// rotateAdmin makes a new admin key for the organisation and a re-issued
// certificate naming it (signed by sign), retires the old key file and
// saves both. A root-signed re-issue renews the validity period; an
// admin-signed one keeps it (renew is false).
func rotateAdmin(dir string, old *crypto.OrgCert, sign adminSigner, renew bool, pass string, wf int, now time.Time) (*crypto.OrgCert, []byte, error) {
	admin, err := crypto.GenerateSigningKey(nil)
	if err != nil {
		return nil, nil, fmt.Errorf("rotate admin key: %w", err)
	}
	now = now.UTC().Truncate(time.Second)
	if !now.After(old.Issued) {
		now = old.Issued.Add(time.Second) // a replacement must be issued later
	}
	c := *old
	c.AdminKeys = []ed25519.PublicKey{admin.Public().(ed25519.PublicKey)}
	c.Issued = now
	if renew {
		c.NotBefore, c.NotAfter = now.Add(-5*time.Minute), now.Add(OrgCertLifetime)
	}
	b, err := sign(&c, admin, now)
	if err != nil {
		return nil, nil, fmt.Errorf("rotate admin key: %w", err)
	}
	keyPath := AdminKeyPath(dir, old.Org)
	retired := keyPath + ".retired-" + now.Format("20060102T150405Z")
	if err := os.Rename(keyPath, retired); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("rotate admin key: %w", err)
	}
	if err := WriteKey(keyPath, AdminKeyType, old.Org.String(), admin, pass, wf); err != nil {
		os.Rename(retired, keyPath)
		return nil, nil, fmt.Errorf("rotate admin key: %w", err)
	}
	if err := (atomicfile.Writer{Perm: 0o644}).Write(OrgCertPath(dir, old.Org), b); err != nil {
		return nil, nil, fmt.Errorf("rotate admin key: %w", err)
	}
	return &c, b, nil
}
