package devicecore

import (
	"context"
	"fmt"
	"io"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/desktop"
	"github.com/saferef/saferef/protocol/payload"
)

// The workflow steps pass straight through to package client; errors keep
// their chain (client.ErrNotSent, *guard.Error, payload.ValidationError,
// *workflow.TransitionError) for the forms to branch on.

// SendReferral sends a referral with the household's details (kept on
// this device). The core's errors already say "send referral".
func (c *Device) SendReferral(ctx context.Context, to []crypto.OrgID, r *payload.Referral, opt client.ReferralOptions) (payload.ID, error) {
	return c.d.SendReferral(ctx, to, r, opt)
}

// CirculationCandidates lists the landlords a circulation would go to.
func (c *Device) CirculationCandidates(ctx context.Context, id payload.ID) ([]client.OrgRef, error) {
	orgs, err := c.d.CirculationCandidates(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("circulation candidates of %s: %w", id, err)
	}
	return orgs, nil
}

// Approve answers a referral sent for approval.
func (c *Device) Approve(ctx context.Context, id payload.ID, a *payload.Approval) error {
	if err := c.d.Approve(ctx, id, a); err != nil {
		return fmt.Errorf("approve %s: %w", id, err)
	}
	return nil
}

// Circulate sends the referral to landlords.
func (c *Device) Circulate(ctx context.Context, id payload.ID, to []crypto.OrgID) error {
	if err := c.d.Circulate(ctx, id, to); err != nil {
		return fmt.Errorf("circulate %s: %w", id, err)
	}
	return nil
}

// SendOffer offers a home.
func (c *Device) SendOffer(ctx context.Context, id payload.ID, o *payload.Offer) (payload.ID, error) {
	oid, err := c.d.SendOffer(ctx, id, o)
	if err != nil {
		return oid, fmt.Errorf("send offer on %s: %w", id, err)
	}
	return oid, nil
}

// DecideOffer accepts or declines an offer.
func (c *Device) DecideOffer(ctx context.Context, id payload.ID, offer payload.ID, accept bool, reason string) error {
	if err := c.d.DecideOffer(ctx, id, offer, accept, reason); err != nil {
		return fmt.Errorf("decide offer %s on %s: %w", offer, id, err)
	}
	return nil
}

// DetailsReaders lists the devices that could read released details.
func (c *Device) DetailsReaders(ctx context.Context, id payload.ID) ([]desktop.Reader, string, error) {
	rs, digest, err := c.d.DetailsReaders(ctx, id)
	if err != nil {
		return nil, "", fmt.Errorf("details readers of %s: %w", id, err)
	}
	out := make([]desktop.Reader, len(rs))
	for i, r := range rs {
		out[i] = desktop.Reader{Org: r.Org, OrgName: r.OrgName, Device: r.Device, DeviceName: r.DeviceName, Fingerprint: r.Fingerprint}
	}
	return out, digest, nil
}

// ReleaseDetails sends household details to the accepted landlord.
func (c *Device) ReleaseDetails(ctx context.Context, id payload.ID, h *payload.HouseholdDetails, digest string) error {
	if err := c.d.ReleaseDetails(ctx, id, h, digest); err != nil {
		return fmt.Errorf("release details on %s: %w", id, err)
	}
	return nil
}

// SetStatus reports a status.
func (c *Device) SetStatus(ctx context.Context, id payload.ID, status, effective, note string) error {
	if err := c.d.SetStatus(ctx, id, status, effective, note); err != nil {
		return fmt.Errorf("set status of %s: %w", id, err)
	}
	return nil
}

// SendMessage adds a message to a case.
func (c *Device) SendMessage(ctx context.Context, id payload.ID, text string) error {
	if _, err := c.d.SendMessage(ctx, id, text); err != nil {
		return fmt.Errorf("send message on case %s: %w", id, err)
	}
	return nil
}

// Attach sends a file.
func (c *Device) Attach(ctx context.Context, id payload.ID, name string, r io.Reader, size int64, progress func(sent, total int64)) (payload.ID, error) {
	aid, err := c.d.Attach(ctx, id, name, r, size, progress)
	if err != nil {
		return aid, fmt.Errorf("attach to %s: %w", id, err)
	}
	return aid, nil
}

// Attachment returns a received file.
func (c *Device) Attachment(ctx context.Context, id payload.ID, att payload.ID) (string, []byte, error) {
	name, data, err := c.d.Attachment(ctx, id, att)
	if err != nil {
		return "", nil, fmt.Errorf("attachment %s of %s: %w", att, id, err)
	}
	return name, data, nil
}

// MarkRead sends read receipts.
func (c *Device) MarkRead(ctx context.Context, id payload.ID) error {
	if err := c.d.MarkRead(ctx, id); err != nil {
		return fmt.Errorf("mark %s read: %w", id, err)
	}
	return nil
}

// Recall asks recipients to shred packets.
func (c *Device) Recall(ctx context.Context, id payload.ID, envelopes []crypto.EnvelopeID, reason string) error {
	if err := c.d.Recall(ctx, id, envelopes, reason); err != nil {
		return fmt.Errorf("recall on %s: %w", id, err)
	}
	return nil
}

// NoSuitableHome answers the referral: no suitable home (candidate
// landlord).
func (c *Device) NoSuitableHome(ctx context.Context, id payload.ID) error {
	if err := c.d.NoSuitableHome(ctx, id); err != nil {
		return fmt.Errorf("no suitable home: %w", err)
	}
	return nil
}

// SaveDraft seals and stores a draft in the case store.
func (c *Device) SaveDraft(ctx context.Context, id payload.ID, form string, draft []byte) error {
	if err := c.d.SaveDraft(ctx, id, form, draft); err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// Draft returns a stored draft, or nil.
func (c *Device) Draft(ctx context.Context, id payload.ID, form string) ([]byte, error) {
	b, err := c.d.Draft(ctx, id, form)
	if err != nil {
		return nil, fmt.Errorf("read draft: %w", err)
	}
	return b, nil
}

// DeleteDraft forgets a draft.
func (c *Device) DeleteDraft(ctx context.Context, id payload.ID, form string) error {
	if err := c.d.DeleteDraft(ctx, id, form); err != nil {
		return fmt.Errorf("delete draft: %w", err)
	}
	return nil
}
