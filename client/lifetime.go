package client

import (
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/crypto"
)

// ErrEnvelopeLifetime means an envelope's signed creation time and expiry
// do not fit the scheme: it claims to live longer than the mailbox TTL, it
// expired before it arrived, or it was made in the future.
var ErrEnvelopeLifetime = errors.New("envelope lifetime does not fit the scheme")

// ErrDatedInFuture is the ErrEnvelopeLifetime of an envelope dated further
// in the future than receivers allow (lifetimeSlack): its sender's clock
// was wrong.
var ErrDatedInFuture = fmt.Errorf("%w: dated in the future", ErrEnvelopeLifetime)

// lifetimeSlack absorbs the expiry's rounding up to the hour and ordinary
// clock differences between devices.
const lifetimeSlack = time.Hour + 10*time.Minute

// checkLifetime bounds how far a sender can date an envelope. A recipient
// judges the sender's revocation at the envelope's signed creation time,
// which the sender chooses; without this check a stolen device key could
// make envelopes dated before its revocation for ever. With it, such an
// envelope must also carry a signed expiry within one mailbox TTL of that
// date, and is refused once that expiry has passed.
func (d *Device) checkLifetime(o *crypto.Opened, now time.Time) error {
	ttl := time.Duration(d.scheme.MailboxTTLDays) * 24 * time.Hour
	switch {
	case o.Expiry.Sub(o.Created) > ttl+lifetimeSlack:
		return fmt.Errorf("%w: it claims to live %s, longer than the scheme's mailbox TTL of %d days (a back-dated envelope?)",
			ErrEnvelopeLifetime, o.Expiry.Sub(o.Created).Round(time.Hour), d.scheme.MailboxTTLDays)
	case now.After(o.Expiry.Add(lifetimeSlack)):
		return fmt.Errorf("%w: it expired on %s, before it arrived", ErrEnvelopeLifetime, o.Expiry.UTC().Format(time.RFC3339))
	case o.Created.After(now.Add(lifetimeSlack)):
		return fmt.Errorf("%w: it is dated %s; the sender's clock was wrong", ErrDatedInFuture, o.Created.UTC().Format(time.RFC3339))
	}
	return nil
}
