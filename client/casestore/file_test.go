package casestore

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"
)

// fillStore writes one case with an entry and a receipt-free outbox item,
// and returns the identifiers and words a reader of the file must not find.
func fillStore(t *testing.T, s *Store) (caseID [16]byte, secrets [][]byte) {
	t.Helper()
	ctx := context.Background()
	caseID, org, env, dev := newID(t), newID(t), newID(t), newID(t)
	at := time.Date(2026, 11, 3, 14, 27, 31, 0, time.UTC)
	err := s.Apply(ctx, env, OutcomeStored, at.Unix(), func(tx *Tx) error {
		if err := tx.PutCase(ctx, &Case{ID: caseID, Status: StatusCirculated, Reference: "KMR-2026-0417",
			Organisations: [][16]byte{org}, Districts: []string{"Tunbridge Wells"}, Created: at, Updated: at}); err != nil {
			return err
		}
		return tx.AddEntry(ctx, &Entry{Envelope: env, Case: caseID, Kind: KindReferral, Direction: DirectionReceived,
			At: at, SenderOrg: org, SenderDevice: dev, SenderOrgName: "Weald Homes", Body: []byte(`{"bedrooms":3}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	secrets = [][]byte{[]byte(StatusCirculated), []byte(KindReferral), []byte("CREATE TABLE"), plainHeader,
		[]byte("KMR-2026-0417"), []byte("Tunbridge Wells"), []byte("Weald Homes"),
		[]byte(strconv.FormatInt(at.Unix(), 10))}
	for _, id := range [][16]byte{caseID, org, env, dev} {
		secrets = append(secrets, id[:], []byte(hex.EncodeToString(id[:])), []byte(base64.StdEncoding.EncodeToString(id[:])))
	}
	var ts [8]byte
	for i := range 8 {
		ts[i] = byte(at.Unix() >> (56 - 8*i))
	}
	secrets = append(secrets, ts[3:]) // big-endian integer as SQLite stores it
	return caseID, secrets
}

// assertDirOpaque fails if any file in dir holds any of secrets.
func assertDirOpaque(t *testing.T, dir, when string, secrets [][]byte) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, s) {
				t.Errorf("%s: %s contains %q", when, e.Name(), s)
			}
		}
	}
}

// TestWholeFileEncrypted checks that the database file, its WAL and its
// shared-memory index show nothing of the store: no table names, no
// statuses or kinds, no ids in any encoding, no timestamps.
func TestWholeFileEncrypted(t *testing.T) {
	s, path, _ := openTemp(t)
	_, secrets := fillStore(t, s)
	assertDirOpaque(t, filepath.Dir(path), "open", secrets)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertDirOpaque(t, filepath.Dir(path), "closed", secrets)
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files after close = %v, want only cases.db", names)
	}
}

// decryptCopy writes a plain (unencrypted) copy of the store at path,
// which is what a store from before whole-file encryption looked like.
func decryptCopy(t *testing.T, path string, key []byte, plainPath string) {
	t.Helper()
	fk, err := deriveFileKey(key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := openEncrypted(context.Background(), path, fk)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	target := (&url.URL{Scheme: "file", Opaque: plainPath, RawQuery: "vfs=os"}).String()
	if _, err := db.Exec(`VACUUM INTO ?`, target); err != nil {
		t.Fatal(err)
	}
	if ok, err := isPlaintextStore(plainPath); err != nil || !ok {
		t.Fatalf("plain copy is not a plain database: %v %v", ok, err)
	}
}

// TestMigratePlaintextStore opens a store written before whole-file
// encryption (a plain SQLite file, in WAL mode with an unfinished WAL):
// Open encrypts it in place, every case opens as before, and nothing of
// the old plain file is left.
func TestMigratePlaintextStore(t *testing.T) {
	ctx := context.Background()
	s, path, key := openTemp(t)
	id, secrets := fillStore(t, s)
	s.Close()
	legacy := filepath.Join(t.TempDir(), "cases.db")
	decryptCopy(t, path, key, legacy)
	// Leave a WAL behind, as a crashed old version would.
	plain, err := driver.Open((&url.URL{Scheme: "file", Opaque: legacy}).String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Exec(`PRAGMA journal_mode = WAL; INSERT INTO settings (name, value) VALUES ('legacy-marker', 'Swale-Orchard-9')`); err != nil {
		t.Fatal(err)
	}
	plain.Close()

	// An interrupted earlier migration left a half-written copy.
	if err := os.WriteFile(legacy+".encrypting", []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, legacy, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s2.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Reference != "KMR-2026-0417" || c.Status != StatusCirculated || len(c.Districts) != 1 {
		t.Fatalf("migrated case = %+v", c)
	}
	var v string
	if err := s2.db.QueryRow(`SELECT value FROM settings WHERE name = 'legacy-marker'`).Scan(&v); err != nil || v != "Swale-Orchard-9" {
		t.Fatalf("row from the old WAL: %q, %v", v, err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	if ok, _ := isPlaintextStore(legacy); ok {
		t.Fatal("store is still plain after migration")
	}
	assertDirOpaque(t, filepath.Dir(legacy), "migrated", append(secrets, []byte("Swale-Orchard-9")))
	if _, err := os.Stat(legacy + ".encrypting"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("leftover copy: %v", err)
	}
	// Opening again does not migrate again and still works.
	s3, err := Open(ctx, legacy, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	if _, err := s3.Case(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshot copies an open store and opens the copy with the same key.
func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	s, path, key := openTemp(t)
	id, secrets := fillStore(t, s)
	snap := filepath.Join(t.TempDir(), "snap.db")
	if err := s.Snapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	if err := s.Snapshot(ctx, snap); !errors.Is(err, os.ErrExist) {
		t.Fatalf("snapshot over an existing file: %v", err)
	}
	assertDirOpaque(t, filepath.Dir(snap), "snapshot", secrets)
	c, err := Open(ctx, snap, key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := c.Case(ctx, id); err != nil || got.Reference != "KMR-2026-0417" {
		t.Fatalf("case in snapshot: %+v, %v", got, err)
	}
	_ = path
}
