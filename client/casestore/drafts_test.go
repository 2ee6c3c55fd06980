package casestore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestDraftsSealed: a draft round-trips, is sealed on disk (its text and
// its form's name appear nowhere in the database files), does not open
// under another case, and dies with its case when the case is shredded.
func TestDraftsSealed(t *testing.T) {
	ctx := context.Background()
	s, path, _ := openTemp(t)
	caseID := newID(t)
	if err := s.Update(ctx, func(tx *Tx) error {
		return tx.PutCase(ctx, &Case{ID: caseID, Status: StatusCirculated, Reference: "KMR-2026-0001", Updated: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	secret := []byte("Lina Haddad, Flat 3, 22 Marine Parade")
	if err := s.SaveDraft(ctx, caseID, "release-details-form", secret, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(ctx, [16]byte{}, "referral", []byte("new referral notes"), time.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := s.Draft(ctx, caseID, "release-details-form")
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("draft %q, %v", got, err)
	}
	if got, err := s.Draft(ctx, newID(t), "release-details-form"); err != nil || got != nil {
		t.Errorf("another case's draft: %q, %v", got, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, leak := range [][]byte{[]byte("Lina Haddad"), []byte("new referral notes"), []byte("release-details-form")} {
			if bytes.Contains(b, leak) {
				t.Errorf("%s holds %q in plaintext", filepath.Base(f), leak)
			}
		}
	}
	s2, err := Open(ctx, path, s.dataKey)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if err := s2.Shred(ctx, caseID); err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Draft(ctx, caseID, "release-details-form"); err != nil || got != nil {
		t.Errorf("draft of a shredded case: %q, %v", got, err)
	}
	if got, err := s2.Draft(ctx, [16]byte{}, "referral"); err != nil || string(got) != "new referral notes" {
		t.Errorf("unbound draft: %q, %v", got, err)
	}
	if err := s2.DeleteDraft(ctx, [16]byte{}, "referral"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s2.Draft(ctx, [16]byte{}, "referral"); got != nil {
		t.Error("deleted draft still there")
	}
	if err := s2.SaveDraft(ctx, [16]byte{}, "big", make([]byte, MaxDraft+1), time.Now()); !errors.Is(err, ErrDraftTooLarge) {
		t.Errorf("oversized draft: %v", err)
	}
}
