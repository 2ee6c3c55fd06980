package client

import (
	"errors"
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
)

// TestEnvelopeLifetimeBounded: a sender chooses its envelope's signed
// creation time, against which its revocation is judged; the recipient
// therefore refuses an envelope that claims to live longer than the mailbox
// TTL (a stolen key back-dating a packet to before its revocation), one
// that expired before it arrived, and one dated in the future.
func TestEnvelopeLifetimeBounded(t *testing.T) {
	d := &Device{scheme: &crypto.Scheme{MailboxTTLDays: 30}}
	now := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, tc := range []struct {
		name             string
		created, expires time.Time
		ok               bool
	}{
		{"fresh", now.Add(-time.Minute), now.Add(30*day - time.Minute + 50*time.Minute), true},
		{"sent a week ago", now.Add(-7 * day), now.Add(23 * day), true},
		{"sender's clock a little ahead", now.Add(5 * time.Minute), now.Add(30 * day), true},
		{"back-dated a year with a long life", now.Add(-365 * day), now.Add(day), false},
		{"expired before it arrived", now.Add(-40 * day), now.Add(-10 * day), false},
		{"dated in the future", now.Add(3 * day), now.Add(33 * day), false},
	} {
		err := d.checkLifetime(&crypto.Opened{Created: tc.created, Expiry: tc.expires}, now)
		if tc.ok && err != nil {
			t.Errorf("%s: refused: %v", tc.name, err)
		}
		if !tc.ok && !errors.Is(err, ErrEnvelopeLifetime) {
			t.Errorf("%s: err %v, want ErrEnvelopeLifetime", tc.name, err)
		}
	}
}
