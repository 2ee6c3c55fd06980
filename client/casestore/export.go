package casestore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/saferef/saferef/crypto/vault"
)

// ExportFormat names the JSON layout of a case export.
const ExportFormat = "saferef-case-export/v1"

type exportedCase struct {
	Format        string             `json:"format"`
	ID            string             `json:"id"`
	Status        string             `json:"status"`
	Reference     string             `json:"reference"`
	Organisations []string           `json:"organisations"`
	Districts     []string           `json:"districts"`
	Created       time.Time          `json:"created"`
	Updated       time.Time          `json:"updated"`
	Closed        *time.Time         `json:"closed,omitempty"`
	Entries       []exportedEntry    `json:"entries"`
	Receipts      []exportedReceipt  `json:"receipts"`
	Outbox        []exportedOutboxed `json:"unsent_envelopes"`
}

type exportedEntry struct {
	Envelope         string    `json:"envelope"`
	Kind             string    `json:"kind"`
	Direction        string    `json:"direction"`
	At               time.Time `json:"at"`
	SenderOrg        string    `json:"sender_org"`
	SenderDevice     string    `json:"sender_device"`
	SenderOrgName    string    `json:"sender_org_name"`
	SenderDeviceName string    `json:"sender_device_name"`
	Body             []byte    `json:"body"` // the payload as carried (base64 in JSON)
}

type exportedReceipt struct {
	Envelope     string    `json:"envelope"`
	For          string    `json:"for"`
	ReaderOrg    string    `json:"reader_org"`
	ReaderDevice string    `json:"reader_device"`
	ReadAt       time.Time `json:"read_at"`
	Received     time.Time `json:"received"`
}

type exportedOutboxed struct {
	Envelope string    `json:"envelope"`
	Mailbox  string    `json:"mailbox"`
	Created  time.Time `json:"created"`
}

func hexID(id [16]byte) string { return hex.EncodeToString(id[:]) }

// Export returns one whole case (its reference, districts, organisations,
// every entry with its payload, every receipt, and the ids of envelopes
// still to send) as JSON encrypted to passphrase with crypto/vault (age,
// scrypt at vault.DefaultWorkFactor), for a records request. Read it with
// ReadExport.
func (s *Store) Export(ctx context.Context, caseID [16]byte, passphrase string) ([]byte, error) {
	return s.export(ctx, caseID, passphrase, vault.DefaultWorkFactor)
}

func (s *Store) export(ctx context.Context, caseID [16]byte, passphrase string, workFactor int) ([]byte, error) {
	if passphrase == "" {
		return nil, fmt.Errorf("export case %x: %w", caseID, vault.ErrEmptyPassphrase)
	}
	c, err := s.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("export case: %w", err)
	}
	entries, err := s.Entries(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("export case %x: %w", caseID, err)
	}
	receipts, err := s.Receipts(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("export case %x: %w", caseID, err)
	}
	outbox, err := s.Outbox(ctx)
	if err != nil {
		return nil, fmt.Errorf("export case %x: %w", caseID, err)
	}
	x := exportedCase{
		Format: ExportFormat, ID: hexID(c.ID), Status: c.Status, Reference: c.Reference,
		Organisations: []string{}, Districts: c.Districts, Created: c.Created, Updated: c.Updated,
		Entries: []exportedEntry{}, Receipts: []exportedReceipt{}, Outbox: []exportedOutboxed{},
	}
	if x.Districts == nil {
		x.Districts = []string{}
	}
	if !c.Closed.IsZero() {
		x.Closed = &c.Closed
	}
	for _, o := range c.Organisations {
		x.Organisations = append(x.Organisations, hexID(o))
	}
	for _, e := range entries {
		x.Entries = append(x.Entries, exportedEntry{Envelope: hexID(e.Envelope), Kind: e.Kind, Direction: e.Direction,
			At: e.At, SenderOrg: hexID(e.SenderOrg), SenderDevice: hexID(e.SenderDevice),
			SenderOrgName: e.SenderOrgName, SenderDeviceName: e.SenderDeviceName, Body: e.Body})
	}
	for _, r := range receipts {
		x.Receipts = append(x.Receipts, exportedReceipt{Envelope: hexID(r.Envelope), For: hexID(r.For),
			ReaderOrg: hexID(r.ReaderOrg), ReaderDevice: hexID(r.ReaderDevice), ReadAt: r.ReadAt, Received: r.Received})
	}
	for _, o := range outbox {
		if o.Case == caseID {
			x.Outbox = append(x.Outbox, exportedOutboxed{Envelope: hexID(o.Envelope), Mailbox: hexID(o.Mailbox), Created: o.Created})
		}
	}
	plain, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export case %x: %w", caseID, err)
	}
	file, err := vault.Seal(plain, passphrase, workFactor)
	clear(plain)
	if err != nil {
		return nil, fmt.Errorf("export case %x: %w", caseID, err)
	}
	return file, nil
}

// ReadExport decrypts a case export and returns its JSON. It fails with the
// crypto/vault errors (vault.ErrWrongPassphrase, vault.ErrNotVault, ...).
func ReadExport(file []byte, passphrase string) ([]byte, error) {
	b, err := vault.Open(file, passphrase)
	if err != nil {
		return nil, fmt.Errorf("read case export: %w", err)
	}
	return b, nil
}
