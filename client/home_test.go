package client

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/vault"
	"github.com/saferef/saferef/internal/schemetest"
)

const homeTestPass = "orbit lantern pebble mustard"

// enrolTestHome enrols a device home (not approved) at work factor 10.
func enrolTestHome(t *testing.T) (home string, e *Enrolment) {
	t.Helper()
	dir := t.TempDir()
	schemeFile := schemetest.File(t)
	home = filepath.Join(dir, "home")
	e, err := Enrol(context.Background(), &EnrolOptions{Home: home, SchemeFile: schemeFile, Relay: "ws://127.0.0.1:1",
		Org: crypto.OrgID{4, 5, 6}, Name: "laptop", Passphrase: homeTestPass, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	return home, e
}

func vaultWorkFactor(t *testing.T, home string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(home, VaultFile))
	if err != nil {
		t.Fatal(err)
	}
	wf, err := vault.WorkFactor(b)
	if err != nil {
		t.Fatal(err)
	}
	return wf
}

// TestWeakVaultResavedOnUnlock: a vault below the unlock floor (the
// release work factor; here the test hook sets 12) is re-saved at it on
// the next unlock, and still opens with the same passphrase.
func TestWeakVaultResavedOnUnlock(t *testing.T) {
	home, _ := enrolTestHome(t)
	if wf := vaultWorkFactor(t, home); wf != 10 {
		t.Fatalf("enrolled at %d", wf)
	}
	hook := func(k string) string {
		if k == vault.EnvWorkFactor {
			return "12"
		}
		return ""
	}
	d, err := OpenHomeWith(context.Background(), home, homeTestPass, &Options{Getenv: hook})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if wf := vaultWorkFactor(t, home); wf != 12 {
		t.Fatalf("after unlock the vault is at %d, want 12", wf)
	}
	d, err = OpenHome(context.Background(), home, homeTestPass)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
}

// TestEnrolRefusesWeakPassphrase: the core applies the rule itself, so no
// front end can create a weak vault.
func TestEnrolRefusesWeakPassphrase(t *testing.T) {
	dir := t.TempDir()
	schemeFile := schemetest.File(t)
	home := filepath.Join(dir, "home")
	_, err := Enrol(context.Background(), &EnrolOptions{Home: home, SchemeFile: schemeFile, Relay: "ws://127.0.0.1:1",
		Org: crypto.OrgID{4}, Name: "laptop", Passphrase: "laptop laptop", WorkFactor: 10})
	if err == nil || CheckPassphrase("laptop laptop", "laptop") == nil {
		t.Fatalf("weak passphrase accepted: %v", err)
	}
	if _, err := os.Stat(filepath.Join(home, VaultFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a vault was created: %v", err)
	}
}

// TestLegacyConfigSealedOnOpen: a home from before sealed configs has
// config.json in clear; the first unlock seals it and removes the clear
// file, and the organisation id is then in no file of the home (the
// enrolment request aside, which goes once the device is approved).
func TestLegacyConfigSealedOnOpen(t *testing.T) {
	home, e := enrolTestHome(t)
	d, err := OpenHome(context.Background(), home, homeTestPass)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := d.cfg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if err := os.WriteFile(filepath.Join(home, LegacyConfigFile), cb, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(home, ConfigFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(e.RequestPath); err != nil {
		t.Fatal(err)
	}
	d, err = OpenHome(context.Background(), home, homeTestPass)
	if err != nil {
		t.Fatal(err)
	}
	if d.Org() != (crypto.OrgID{4, 5, 6}) {
		t.Fatalf("org = %s", d.Org())
	}
	d.Close()
	if _, err := os.Stat(filepath.Join(home, LegacyConfigFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("clear config still there: %v", err)
	}
	org := crypto.OrgID{4, 5, 6}
	ents, _ := os.ReadDir(home)
	for _, ent := range ents {
		b, _ := os.ReadFile(filepath.Join(home, ent.Name()))
		if bytes.Contains(b, []byte(org.String())) || bytes.Contains(b, org[:]) {
			t.Errorf("%s holds the organisation id", ent.Name())
		}
	}
	// A sealed config from another device, or altered, does not open.
	sealed, _ := os.ReadFile(filepath.Join(home, ConfigFile))
	sealed[len(sealed)-1] ^= 1
	if err := os.WriteFile(filepath.Join(home, ConfigFile), sealed, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenHome(context.Background(), home, homeTestPass); !errors.Is(err, ErrSealedFile) {
		t.Fatalf("altered config: %v", err)
	}
}

// FuzzBackupArchive feeds arbitrary bytes to the reader of a backup's
// archive: it must refuse without panicking, and write only known names.
func FuzzBackupArchive(f *testing.F) {
	f.Add([]byte{})
	f.Add(make([]byte, 1024))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		m, names, err := readBackupArchive(context.Background(), bytes.NewReader(b), dir)
		if err == nil && (m == nil || len(names) < 4) {
			t.Fatalf("accepted an incomplete archive: %+v %v", m, names)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			switch e.Name() {
			case VaultFile, ConfigFile, SchemeFile, ContactsFile, CasesFile:
			default:
				t.Fatalf("wrote %s", e.Name())
			}
		}
	})
}

// TestChangePassphraseKeepsRule: changing the device passphrase applies
// the same strength rule, needs the current passphrase, and the vault then
// opens with the new one only.
func TestChangePassphraseKeepsRule(t *testing.T) {
	home, _ := enrolTestHome(t)
	d, err := OpenHome(context.Background(), home, homeTestPass)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.ChangePassphrase(homeTestPass, "Password1234"); err == nil {
		t.Fatal("weak new passphrase accepted")
	}
	if err := d.ChangePassphrase("not the passphrase", "quartz meadow violin harbour"); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Fatalf("wrong old passphrase: %v", err)
	}
	if err := d.ChangePassphrase(homeTestPass, "quartz meadow violin harbour"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := OpenHome(context.Background(), home, homeTestPass); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Fatalf("old passphrase still opens: %v", err)
	}
	d, err = OpenHome(context.Background(), home, "quartz meadow violin harbour")
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
}

func FuzzOpenHomeBytes(f *testing.F) {
	key := make([]byte, 32)
	sealed, err := sealHomeBytes(key, ConfigFile, []byte(`{"relay":"x"}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Fuzz(func(t *testing.T, b []byte) {
		if plain, err := openHomeBytes(key, ConfigFile, b); err == nil && !bytes.Equal(b, sealed) {
			_ = plain
			t.Fatal("a changed sealed file opened")
		}
	})
}
