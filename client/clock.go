package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/client/casestore"
)

// Clocks (issue 12). An envelope carries its signed creation time, and a
// receiver refuses one dated more than lifetimeSlack in its future. A
// computer whose clock is wrong would therefore send envelopes that the
// relay accepts and every receiver refuses. Three guards:
//
//   - at every connection the device compares the relay's clock (in
//     ServerHello) with its own; more than ClockWindow apart (the window
//     the relay accepts for authentication), it stops with ErrClockWrong
//     and seals nothing until a later connection finds the clocks agree;
//   - a queued envelope dated further ahead of the (now right) clock than
//     receivers allow is not sent: it is taken out of the outbox and its
//     case shows "not sent: ..." so that the user writes it again
//     (resealing it would need the plaintext after the fact, and would
//     change the packet's id under the receipts already recorded);
//   - a receiver that refuses an envelope anyway sends a signed rejection
//     receipt (rejection.go).

// ClockWindow is how far this computer's clock may be from the relay's: the
// relay's authentication window (protocol/SPEC.md, section 4).
const ClockWindow = 2 * time.Minute

// maxQueuedAhead is how far in the future (by this device's clock) a
// queued envelope may be dated and still be sent: a little under the
// receivers' lifetimeSlack, for their clocks and the delivery delay.
const maxQueuedAhead = lifetimeSlack - 10*time.Minute

// ErrClockWrong means this computer's clock is too far from the relay's.
var ErrClockWrong = errors.New("this computer's clock is wrong")

// LocalClockCode is the rejection code of an envelope this device refused
// to send because it was dated by a wrong clock.
const LocalClockCode = "local-clock"

// checkClock compares the relay's time (Unix seconds, from ServerHello)
// with the clock this device authenticates with.
func (d *Device) checkClock(relayTime int64) error {
	now := time.Now
	if d.ropts != nil && d.ropts.Now != nil {
		now = d.ropts.Now
	}
	skew := now().Sub(time.Unix(relayTime, 0))
	if skew > -ClockWindow && skew < ClockWindow {
		skew = 0
	}
	d.mu.Lock()
	d.clockSkew = skew
	d.mu.Unlock()
	return d.clockOK()
}

// clockOK reports ErrClockWrong, with how far off the clock was, while the
// last connection found this computer's clock wrong.
func (d *Device) clockOK() error {
	d.mu.Lock()
	skew := d.clockSkew
	d.mu.Unlock()
	switch {
	case skew > 0:
		return fmt.Errorf("%w: it is %s ahead of the relay's; set it right (and its time zone), then try again; nothing was sent", ErrClockWrong, skew.Round(time.Minute))
	case skew < 0:
		return fmt.Errorf("%w: it is %s behind the relay's; set it right (and its time zone), then try again; nothing was sent", ErrClockWrong, (-skew).Round(time.Minute))
	}
	return nil
}

// notSentClock explains a queued envelope refused because of the clock.
func notSentClock(ahead time.Duration) error {
	return fmt.Errorf("%w: not sent: it was written while this computer's clock was about %s ahead, and would be refused by everyone; write it again",
		ErrClockWrong, ahead.Round(time.Minute))
}

// refuseQueued takes a queued envelope out of the outbox and records, in
// its case, that it was not sent.
func (d *Device) refuseQueued(ctx context.Context, it *casestore.OutboxItem, ahead time.Duration) error {
	return d.store.Update(ctx, func(tx *casestore.Tx) error {
		if err := tx.RemoveOutbox(ctx, it.Envelope); err != nil {
			return err
		}
		if it.Case == ([16]byte{}) {
			return nil
		}
		return tx.AddRejection(ctx, &casestore.Rejection{Envelope: it.Envelope, Case: it.Case, For: it.Envelope,
			Org: [16]byte(d.secrets.Org), Code: LocalClockCode, At: d.now()})
	})
}
