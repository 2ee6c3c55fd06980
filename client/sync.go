package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/protocol/payload"
)

// ErrRejected marks an envelope that will never be applied (wrapped in
// Rejection.Err together with the reason).
var ErrRejected = errors.New("envelope rejected")

// ErrNotPartOfCase means an envelope about a case came from an
// organisation that is not taking part in it.
var ErrNotPartOfCase = errors.New("sender's organisation is not part of the case")

// Rejection is an envelope that failed to open or apply. It has been
// recorded as processed and acknowledged, so it will not come back. Err
// never contains plaintext.
type Rejection struct {
	Envelope crypto.EnvelopeID // zero when the outer envelope did not even parse
	Err      error
}

// SyncResult summarises a Sync.
type SyncResult struct {
	New        int // envelopes applied (referrals, messages, receipts)
	Rejected   int // envelopes that will never open or apply
	Duplicates int // envelopes already processed before, acknowledged again
	Sent       int // queued envelopes (e.g. delivery receipts) sent
	// Deferred counts queued envelopes left for the next Sync because the
	// relay asked this device to slow down (rate-limited) or could not
	// store them just now (unavailable); nothing is lost.
	Deferred   int
	Rejections []Rejection
	Dropped    []error // outbox envelopes the relay refused for good
	Recalled   int     // recalls applied (their packets shredded and the store compacted)
	Shredded   int     // finished cases crypto-shredded after their retention period
	// StaleKeys, when set, says that this device was restored from a
	// backup older than its newest encryption key, and what that loses.
	StaleKeys *StaleKeys
	// HandedOver counts packets applied from colleagues' handovers, and
	// Handovers the handover envelopes they came in; HandedOut counts the
	// colleague devices this device handed its open cases to.
	HandedOver int
	Handovers  int
	HandedOut  int
}

// Sync connects to the relay, authenticates, refreshes the directory,
// sends anything queued, and receives and applies every envelope waiting
// for this device until the relay says it is drained. Each envelope is
// stored (or recorded as rejected) in one transaction before it is
// acknowledged. Delivery receipts for new referrals and messages are queued
// in the same transaction and sent before Sync returns.
func (d *Device) Sync(ctx context.Context) (*SyncResult, error) {
	d.netMu.Lock()
	defer d.netMu.Unlock()
	c, err := d.connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	defer c.Close()
	res := &SyncResult{StaleKeys: d.takeStale()}
	// Receive first: what others sent must show however much this device
	// has queued (a backlog's receipts, a long offline spell).
	for {
		ev, err := c.Next(ctx)
		if err != nil {
			return res, fmt.Errorf("sync: %w", err)
		}
		if ev.Drained {
			break
		}
		if err := d.receive(ctx, c, ev.Envelope, res); err != nil {
			return res, fmt.Errorf("sync: %w", err)
		}
	}
	if err := d.sealOwedReceipts(ctx); err != nil {
		return res, fmt.Errorf("sync: %w", err)
	}
	if res.HandedOut, err = d.handOverToNewColleagues(ctx, c); err != nil {
		return res, fmt.Errorf("sync: hand over: %w", err)
	}
	sent, dropped, err := d.flushOutbox(ctx, c)
	res.Sent += sent
	res.Dropped = append(res.Dropped, dropped...)
	if err != nil && retryLater(err) {
		n, qerr := d.store.OutboxLen(ctx)
		if qerr != nil {
			return res, fmt.Errorf("sync: %w", qerr)
		}
		res.Deferred = n
		err = nil
	}
	if err != nil {
		return res, fmt.Errorf("sync: %w", err)
	}
	if err := d.afterSync(ctx, res); err != nil {
		return res, fmt.Errorf("sync: %w", err)
	}
	return res, nil
}

// receive handles one delivered envelope. It returns an error only for
// failures that should stop the sync (storage, connection); an envelope
// that cannot be opened or applied is recorded as rejected and acked.
func (d *Device) receive(ctx context.Context, c *relay.Conn, raw []byte, res *SyncResult) error {
	env, err := crypto.ParseEnvelope(raw)
	if err != nil {
		// Without an id it cannot be acknowledged; the relay will offer it
		// again until it expires.
		res.Rejected++
		res.Rejections = append(res.Rejections, Rejection{Err: fmt.Errorf("%w: unreadable outer envelope: %w", ErrRejected, err)})
		return nil
	}
	if _, done, err := d.store.Processed(ctx, env.ID); err != nil {
		return err
	} else if done {
		res.Duplicates++
		return c.Ack(ctx, env.ID)
	}
	now := d.now()
	opened, err := crypto.Open(env, d.secrets.Device, d.keys.Identities(), d.Directory())
	if errors.Is(err, crypto.ErrUnknownSender) {
		// The sender may have been approved after the directory was
		// fetched: fetch again once and retry.
		if _, rerr := d.refreshDirectory(ctx, c); rerr != nil {
			return rerr
		}
		opened, err = crypto.Open(env, d.secrets.Device, d.keys.Identities(), d.Directory())
	}
	if err == nil {
		err = d.checkLifetime(opened, now)
	}
	if err == nil {
		err = d.checkOpened(ctx, c, opened)
		if errors.Is(err, errPeerProofUnavailable) {
			return err // not recorded, not acknowledged: checked again next time
		}
	}
	err = explainOpen(err)
	if err == nil && opened.PayloadType == payload.TypeHandover {
		if err := d.receiveHandover(ctx, opened, res, now); err != nil {
			return err
		}
		return c.Ack(ctx, env.ID)
	}
	var apply func(*casestore.Tx) error
	if err == nil {
		apply, err = d.prepare(ctx, opened, now)
	}
	outcome := casestore.OutcomeStored
	if err != nil {
		outcome, apply = casestore.OutcomeRejected, d.rejectionReceipts(ctx, env.ID, opened, err, now)
	}
	aerr := d.store.Apply(ctx, env.ID, outcome, now.Unix(), apply)
	var rejectedInTx error
	if aerr != nil && !errors.Is(aerr, casestore.ErrAlreadyProcessed) {
		if !errors.Is(aerr, ErrNotPartOfCase) && !isRefusal(aerr) {
			return aerr
		}
		// Decided inside the transaction: record the rejection instead.
		rejectedInTx = aerr
		if aerr = d.store.Apply(ctx, env.ID, casestore.OutcomeRejected, now.Unix(), d.rejectionReceipts(ctx, env.ID, opened, aerr, now)); aerr != nil && !errors.Is(aerr, casestore.ErrAlreadyProcessed) {
			return aerr
		}
	}
	switch {
	case errors.Is(aerr, casestore.ErrAlreadyProcessed):
		res.Duplicates++
	case err != nil || rejectedInTx != nil:
		if err == nil {
			err = rejectedInTx
		}
		res.Rejected++
		res.Rejections = append(res.Rejections, Rejection{Envelope: env.ID, Err: fmt.Errorf("%w: %w", ErrRejected, err)})
	default:
		res.New++
		if opened.PayloadType == payload.TypeRecall {
			res.Recalled++
		}
	}
	return c.Ack(ctx, env.ID)
}

// prepare decodes an opened envelope's payload and returns the function
// that applies it inside the store transaction. Errors mean the envelope
// is rejected for good.
func (d *Device) prepare(ctx context.Context, o *crypto.Opened, now time.Time) (func(*casestore.Tx) error, error) {
	if o.Mailbox != d.secrets.Org {
		return nil, fmt.Errorf("envelope for mailbox %s, not this organisation", o.Mailbox)
	}
	p, err := payload.Unmarshal(o.PayloadType, o.Payload)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	apply, err := d.applyPayload(ctx, o, p, now)
	if err != nil {
		return nil, err
	}
	return keepPacket(ctx, o, p, apply), nil
}

// sealOwedReceipts seals the delivery receipts owed for envelopes
// received (recorded in each envelope's transaction): one receipt per
// sending organisation and case, answering up to payload.MaxReceiptBatch
// envelopes, so that a backlog of hundreds is answered in a few envelopes.
// Each batch is queued and forgotten as owed in one transaction.
func (d *Device) sealOwedReceipts(ctx context.Context) error {
	owed, err := d.store.OwedReceipts(ctx)
	if err != nil || len(owed) == 0 {
		return err
	}
	type group struct{ org, caseID [16]byte }
	var order []group
	batches := map[group][][16]byte{}
	for _, o := range owed {
		g := group{o.Org, o.Case}
		if _, ok := batches[g]; !ok {
			order = append(order, g)
		}
		batches[g] = append(batches[g], o.Envelope)
	}
	now := d.now()
	for _, g := range order {
		ids := batches[g]
		for len(ids) > 0 {
			n := min(len(ids), payload.MaxReceiptBatch)
			chunk := ids[:n]
			ids = ids[n:]
			r := &payload.DeliveryReceipt{Schema: payload.SchemaVersion, Envelope: payload.ID(chunk[0]), Case: payload.ID(g.caseID), ReadAt: now.Unix()}
			for _, id := range chunk[1:] {
				r.Also = append(r.Also, payload.ID(id))
			}
			s, err := d.seal(crypto.OrgID(g.org), r, now)
			var envs []*sealed
			switch {
			case errors.Is(err, ErrNoRecipients), errors.Is(err, ErrRelayUntrusted), errors.Is(err, ErrNotInLog), errors.Is(err, ErrOrgRevoked):
				// Nobody left to tell: forget the receipts owed.
			case errors.Is(err, ErrClockWrong), errors.Is(err, ErrViewStale):
				// Sealed at a later sync, when the clock is right or the
				// view is fresh again; they stay owed until then.
				return nil
			case err != nil:
				return fmt.Errorf("seal delivery receipts: %w", err)
			case s != nil && s.data != nil:
				s.inner = nil // a receipt is not part of the case's history to hand over
				envs = []*sealed{s}
			}
			if err := d.store.Update(ctx, func(tx *casestore.Tx) error {
				if err := queueCase(ctx, tx, envs, [16]byte{}, now); err != nil {
					return err
				}
				return tx.ClearOwed(ctx, chunk)
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// retryLater reports a relay answer that means "not now" rather than "no":
// the relay is rate-limiting this device, cannot reach its store, or is
// shutting down. What was being sent stays queued for the next Sync.
func retryLater(err error) bool {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case protocol.CodeRateLimited, protocol.CodeUnavailable, protocol.CodeInternal:
		return true
	}
	return false
}
