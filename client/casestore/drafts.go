package casestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Drafts are the user's unsent forms, kept so that a half-written
// referral or step survives another case being opened, an auto-lock or a
// crash. Each is sealed: a draft bound to a case under that case's key (so
// shredding the case shreds its drafts too), any other draft under the
// data key; the form's name is stored only as a keyed token.
const draftsSchema = `
CREATE TABLE IF NOT EXISTS drafts (
	token BLOB PRIMARY KEY,
	case_id BLOB NOT NULL,
	sealed BLOB NOT NULL,
	updated INTEGER NOT NULL
);`

// MaxDraft bounds a draft's size.
const MaxDraft = 256 << 10

const draftDomain = "saferef/v1/casestore/draft\x00"

// ErrDraftTooLarge means a draft exceeds MaxDraft.
var ErrDraftTooLarge = errors.New("draft too large")

func (s *Store) draftTables(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, draftsSchema); err != nil {
		return fmt.Errorf("create drafts table: %w", err)
	}
	return nil
}

// draftKey is the key a draft is sealed under: the case's key for a
// draft bound to a case, the data key otherwise.
func (s *Store) draftKey(ctx context.Context, caseID [16]byte) ([]byte, error) {
	if caseID == ([16]byte{}) {
		return s.dataKey, nil
	}
	return s.caseKey(ctx, s.db, caseID)
}

func draftAAD(caseID [16]byte, token []byte) []byte {
	aad := append([]byte(draftDomain), caseID[:]...)
	return append(aad, token...)
}

// SaveDraft seals and stores the draft called form, bound to caseID (zero
// for none), replacing any earlier one.
func (s *Store) SaveDraft(ctx context.Context, caseID [16]byte, form string, draft []byte, now time.Time) error {
	if len(draft) > MaxDraft {
		return fmt.Errorf("save draft: %w: %d bytes", ErrDraftTooLarge, len(draft))
	}
	if err := s.draftTables(ctx); err != nil {
		return err
	}
	key, err := s.draftKey(ctx, caseID)
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	tok := s.filterToken("draft", fmt.Sprintf("%x/%s", caseID, form))
	sealed, err := seal(key, draft, draftAAD(caseID, tok))
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO drafts (token, case_id, sealed, updated) VALUES (?, ?, ?, ?)
		ON CONFLICT(token) DO UPDATE SET sealed = excluded.sealed, updated = excluded.updated`, tok, caseID[:], sealed, now.Unix()); err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// Draft returns the draft called form bound to caseID, or nil when there
// is none (or its case was shredded).
func (s *Store) Draft(ctx context.Context, caseID [16]byte, form string) ([]byte, error) {
	if err := s.draftTables(ctx); err != nil {
		return nil, err
	}
	tok := s.filterToken("draft", fmt.Sprintf("%x/%s", caseID, form))
	var sealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT sealed FROM drafts WHERE token = ?`, tok).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read draft: %w", err)
	}
	key, err := s.draftKey(ctx, caseID)
	if errors.Is(err, ErrNoCase) {
		return nil, nil // the case was shredded: so is its draft
	}
	if err != nil {
		return nil, fmt.Errorf("read draft: %w", err)
	}
	b, err := open(key, sealed, draftAAD(caseID, tok))
	if err != nil {
		return nil, fmt.Errorf("read draft: %w", err)
	}
	return b, nil
}

// DeleteDraft forgets the draft called form bound to caseID.
func (s *Store) DeleteDraft(ctx context.Context, caseID [16]byte, form string) error {
	if err := s.draftTables(ctx); err != nil {
		return err
	}
	tok := s.filterToken("draft", fmt.Sprintf("%x/%s", caseID, form))
	if _, err := s.db.ExecContext(ctx, `DELETE FROM drafts WHERE token = ?`, tok); err != nil {
		return fmt.Errorf("delete draft: %w", err)
	}
	return nil
}
