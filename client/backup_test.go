package client_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/recoverykey"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/hometest"
)

// TestBackupRestore backs up a device that holds a case, deletes its home,
// restores it with the recovery key, and finds everything: the case, the
// directory, the keys (a later referral still opens).
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	rc := newReferredCase(t)
	w, weald, caseworker, officer, first := rc.w, rc.weald, rc.caseworker, rc.officer, rc.caseID
	sync(t, officer)

	key, err := recoverykey.New()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	m, err := officer.Backup(ctx, &buf, client.BackupOptions{Secret: key, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	if m.Device != officer.ID().String() {
		t.Fatalf("manifest = %+v", m)
	}
	if bytes.Contains(buf.Bytes(), []byte(weald.ID.String())) || bytes.Contains(buf.Bytes(), []byte("SQLite format")) {
		t.Fatal("backup shows its contents")
	}
	// A weak chosen passphrase is refused; a strong one is fine.
	if _, err := officer.Backup(ctx, &bytes.Buffer{}, client.BackupOptions{Secret: "Password1234", WorkFactor: 10}); err == nil {
		t.Fatal("weak backup passphrase accepted")
	}
	home := w.HomePath("Weald officer")
	officer.Close()
	if err := os.RemoveAll(home); err != nil {
		t.Fatal(err)
	}

	// A wrong key, a damaged file and an occupied home are refused.
	other, _ := recoverykey.New()
	if _, err := client.Restore(ctx, bytes.NewReader(buf.Bytes()), home, other); !errors.Is(err, client.ErrBackupSecret) {
		t.Fatalf("wrong key: %v", err)
	}
	damaged := bytes.Clone(buf.Bytes())
	damaged[len(damaged)-10] ^= 1
	if _, err := client.Restore(ctx, bytes.NewReader(damaged), filepath.Join(w.Dir, "damaged"), key); !errors.Is(err, client.ErrBadBackup) {
		t.Fatalf("damaged: %v", err)
	}
	typed := strings.ToUpper(key) + "\n"
	if _, err := client.Restore(ctx, bytes.NewReader(buf.Bytes()), home, typed); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Restore(ctx, bytes.NewReader(buf.Bytes()), home, key); !errors.Is(err, client.ErrHomeExists) {
		t.Fatalf("restore over a device: %v", err)
	}
	back, err := client.OpenHome(ctx, home, hometest.Passphrase("Weald officer"))
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if c, err := back.Case(ctx, first); err != nil || c.Referral == nil {
		t.Fatalf("restored case: %+v, %v", c, err)
	}
	second, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	if res := sync(t, back); res.New != 1 || res.StaleKeys != nil {
		t.Fatalf("sync after restore = %+v", res)
	}
	if _, err := back.Case(ctx, second); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreOldBackupAfterRotation restores a backup made before the
// device rotated its key: the sync says plainly that what was sealed to
// the newer key cannot be opened, publishes a new key, and what is sent
// after that opens again.
func TestRestoreOldBackupAfterRotation(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	weald := w.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	caseworker := w.Device(refuge, "Refuge laptop")
	officer := w.Device(weald, "Weald officer")
	sync(t, officer)
	const secret = "orbit lantern pebble mustard backup"
	var buf bytes.Buffer
	if _, err := officer.Backup(ctx, &buf, client.BackupOptions{Secret: secret, WorkFactor: 10}); err != nil {
		t.Fatal(err)
	}
	if _, err := officer.RotateKeys(ctx); err != nil {
		t.Fatal(err)
	}
	sync(t, caseworker)
	lost, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	home := w.HomePath("Weald officer")
	officer.Close()
	os.RemoveAll(home)
	if _, err := client.Restore(ctx, &buf, home, secret); err != nil {
		t.Fatal(err)
	}
	back, err := client.OpenHome(ctx, home, hometest.Passphrase("Weald officer"))
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	res := sync(t, back)
	if res.StaleKeys == nil || res.Rejected != 1 {
		t.Fatalf("sync after restoring an old backup = %+v", res)
	}
	if msg := res.StaleKeys.String(); !strings.Contains(msg, "cannot be opened") || !strings.Contains(msg, "key 1") {
		t.Fatalf("stale keys message: %s", msg)
	}
	if _, err := back.Case(ctx, lost); err == nil {
		t.Fatal("a referral sealed to the lost key was opened")
	}
	sync(t, caseworker)
	later, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), newHousehold())
	if err != nil {
		t.Fatal(err)
	}
	if res := sync(t, back); res.New != 1 || res.StaleKeys != nil {
		t.Fatalf("sync after the new key = %+v", res)
	}
	if _, err := back.Case(ctx, later); err != nil {
		t.Fatal(err)
	}
}
