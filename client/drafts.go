package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/saferef/saferef/protocol/payload"
)

// SaveDraft seals a form the user has not sent yet in the case store:
// bound to case id (shredded with it), or to no case when id is zero. form
// names the form ("referral", "offer", ...); draft is the form's fields as
// the front end encodes them.
func (d *Device) SaveDraft(ctx context.Context, id payload.ID, form string, draft []byte) error {
	if err := d.store.SaveDraft(ctx, [16]byte(id), form, draft, d.now()); err != nil {
		return fmt.Errorf("save draft %s: %w", form, err)
	}
	return nil
}

// Draft returns a draft saved by SaveDraft, or nil when there is none.
func (d *Device) Draft(ctx context.Context, id payload.ID, form string) ([]byte, error) {
	b, err := d.store.Draft(ctx, [16]byte(id), form)
	if err != nil {
		return nil, fmt.Errorf("read draft %s: %w", form, err)
	}
	return b, nil
}

// DeleteDraft forgets a draft (sent or discarded).
func (d *Device) DeleteDraft(ctx context.Context, id payload.ID, form string) error {
	if err := d.store.DeleteDraft(ctx, [16]byte(id), form); err != nil {
		return fmt.Errorf("delete draft %s: %w", form, err)
	}
	return nil
}

// HoldsAdminKey reports whether the device home also holds its
// organisation's admin key (HOME/orgs/ORG_ID/admin.key): the user is then
// the organisation's admin, and front ends show device approval and
// revocation.
func (d *Device) HoldsAdminKey() bool {
	// The layout of saferef-admin's key folder (admin.AdminKeyPath, which
	// imports this package).
	_, err := os.Stat(filepath.Join(d.home, "orgs", d.secrets.Org.String(), "admin.key"))
	return err == nil || !errors.Is(err, os.ErrNotExist)
}
