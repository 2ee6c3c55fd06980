package casestore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/saferef/saferef/crypto/vault"
)

func TestExport(t *testing.T) {
	ctx := context.Background()
	s, _, _ := openTemp(t)
	id, other, org, env := [16]byte{0xe1}, [16]byte{0xe2}, newID(t), newID(t)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	putCase(t, s, &Case{ID: id, Status: "details-released", Reference: "KMR-2026-0777", Organisations: [][16]byte{org},
		Districts: []string{"Ashford"}, Updated: at})
	putCase(t, s, &Case{ID: other, Status: "circulated", Reference: "KMR-2026-0778", Updated: at})
	if err := s.Apply(ctx, env, OutcomeStored, at.Unix(), func(tx *Tx) error {
		if err := tx.AddEntry(ctx, &Entry{Envelope: env, Case: id, Kind: KindReferral, Direction: DirectionSent, At: at,
			SenderOrg: org, SenderOrgName: "Harbour Refuge", SenderDeviceName: "office laptop", Body: []byte("referral payload")}); err != nil {
			return err
		}
		if err := tx.AddEntry(ctx, &Entry{Envelope: newID(t), Case: other, Kind: KindMessage, Direction: DirectionSent, At: at, Body: []byte("other case")}); err != nil {
			return err
		}
		if err := tx.QueueOutbox(ctx, &OutboxItem{Envelope: newID(t), Mailbox: org, Data: []byte("ct"), Created: at, Case: id}); err != nil {
			return err
		}
		return tx.AddReceipt(ctx, &Receipt{Envelope: newID(t), Case: id, For: env, ReaderOrg: org, ReadAt: at, Received: at})
	}); err != nil {
		t.Fatal(err)
	}
	file, err := s.export(ctx, id, "records request 2026/114", 10)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, []byte("KMR-2026-0777")) || bytes.Contains(file, []byte("referral payload")) {
		t.Fatal("export holds plaintext")
	}
	if _, err := ReadExport(file, "wrong"); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	plain, err := ReadExport(file, "records request 2026/114")
	if err != nil {
		t.Fatal(err)
	}
	var x exportedCase
	if err := json.Unmarshal(plain, &x); err != nil {
		t.Fatal(err)
	}
	if x.Format != ExportFormat || x.Reference != "KMR-2026-0777" || x.Status != "details-released" || len(x.Districts) != 1 ||
		len(x.Entries) != 1 || string(x.Entries[0].Body) != "referral payload" || x.Entries[0].SenderOrgName != "Harbour Refuge" ||
		len(x.Receipts) != 1 || len(x.Outbox) != 1 || len(x.Organisations) != 1 {
		t.Fatalf("export = %s", plain)
	}
	if _, err := s.export(ctx, [16]byte{9}, "x", 10); !errors.Is(err, ErrNoCase) {
		t.Fatalf("unknown case: %v", err)
	}
	if _, err := s.Export(ctx, id, ""); !errors.Is(err, vault.ErrEmptyPassphrase) {
		t.Fatalf("empty passphrase: %v", err)
	}
}

func FuzzDecodeDistricts(f *testing.F) {
	f.Add([]byte(`["Swale","Medway"]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"a":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, err := decodeDistricts(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(ds)
		if err != nil {
			t.Fatal(err)
		}
		if ds2, err := decodeDistricts(again); err != nil || len(ds2) != len(ds) {
			t.Fatalf("round trip: %v %v", ds2, err)
		}
	})
}
