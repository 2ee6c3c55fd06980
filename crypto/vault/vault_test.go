package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testWF keeps scrypt cheap in tests.
const testWF = 10

func TestSealOpen(t *testing.T) {
	secret := []byte("device keys")
	file, err := Seal(secret, "correct horse", testWF)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, secret) {
		t.Fatal("vault file contains the plaintext")
	}
	wf, err := WorkFactor(file)
	if err != nil || wf != testWF {
		t.Fatalf("WorkFactor = %d, %v; want %d", wf, err, testWF)
	}
	got, err := Open(file, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, want %q", got, secret)
	}
}

func TestOpenRejects(t *testing.T) {
	file, err := Seal([]byte("x"), "pass", testWF)
	if err != nil {
		t.Fatal(err)
	}
	hdrEnd := bytes.Index(file, []byte("\n--- "))
	macFlip := bytes.Clone(file)
	macFlip[hdrEnd+6] ^= 'A' ^ 'B' // change a MAC character (stays base64)
	if macFlip[hdrEnd+6] == file[hdrEnd+6] {
		t.Fatal("test bug")
	}
	payloadFlip := bytes.Clone(file)
	payloadFlip[len(payloadFlip)-1] ^= 1
	tooHard := bytes.Replace(file, []byte(" 10\n"), []byte(" 23\n"), 1)
	tooHard2 := bytes.Replace(file, []byte(" 10\n"), []byte(" 99\n"), 1)
	twoStanzas := bytes.Replace(file, []byte("\n--- "), []byte("\n-> x\n\n--- "), 1)
	tests := []struct {
		name string
		file []byte
		pass string
		want error
	}{
		{"wrong passphrase", file, "Pass", ErrWrongPassphrase},
		{"empty passphrase", file, "", ErrEmptyPassphrase},
		{"not age", []byte("hello"), "pass", ErrNotVault},
		{"empty", nil, "pass", ErrNotVault},
		{"truncated header", file[:30], "pass", ErrNotVault},
		{"work factor too high", tooHard, "pass", ErrWorkFactor},
		{"work factor far too high", tooHard2, "pass", ErrWorkFactor},
		{"two stanzas", twoStanzas, "pass", ErrNotVault},
		{"header MAC", macFlip, "pass", ErrCorrupt},
		{"payload", payloadFlip, "pass", ErrCorrupt},
		{"truncated payload", file[:len(file)-5], "pass", ErrCorrupt},
		{"too large", make([]byte, MaxFileSize+1), "pass", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Open(tt.file, tt.pass)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open = %q, %v; want %v", got, err, tt.want)
			}
			if got != nil {
				t.Fatal("Open returned plaintext with an error")
			}
		})
	}
}

func TestSealRejects(t *testing.T) {
	if _, err := Seal([]byte("x"), "", testWF); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("empty passphrase: %v", err)
	}
	for _, wf := range []int{0, MaxWorkFactor + 1} {
		if _, err := Seal([]byte("x"), "p", wf); !errors.Is(err, ErrWorkFactor) {
			t.Errorf("work factor %d: %v", wf, err)
		}
	}
	if _, err := Seal(make([]byte, MaxFileSize), "p", testWF); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too large: %v", err)
	}
}

func TestCreateReadChange(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "device.vault")
	secret := []byte("signing seed and data key")
	if err := Create(path, secret, "old pass", testWF); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if err := Create(path, []byte("other"), "p", testWF); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over existing = %v, want ErrExists", err)
	}
	if _, err := Read(path, "wrong"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Read wrong = %v", err)
	}
	if err := ChangePassphrase(path, "wrong", "new pass", testWF); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("ChangePassphrase wrong old = %v", err)
	}
	if err := ChangePassphrase(path, "old pass", "", testWF); !errors.Is(err, ErrEmptyPassphrase) {
		t.Fatalf("ChangePassphrase to empty = %v", err)
	}
	if err := ChangePassphrase(path, "old pass", "new pass", testWF); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path, "old pass"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase still opens: %v", err)
	}
	got, err := Read(path, "new pass")
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Read new = %q, %v", got, err)
	}
	assertNoTemp(t, dir)
	if _, err := Read(filepath.Join(dir, "missing"), "p"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Read missing = %v", err)
	}
}

// TestChangePassphraseInterrupted stops a passphrase change just before the
// rename: the vault must still open with the old passphrase and hold
// everything, and no temporary file may be left.
func TestChangePassphraseInterrupted(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "device.vault")
	secret := []byte("everything")
	if err := Create(path, secret, "old", testWF); err != nil {
		t.Fatal(err)
	}
	crash := errors.New("power cut")
	var tmpSeen string
	err := changePassphrase(path, "old", "new", testWF, writeHooks{beforeRename: func(tmp string) error {
		tmpSeen = tmp
		// The complete new file is on disk beside the old one.
		b, err := os.ReadFile(tmp)
		if err != nil {
			return err
		}
		if got, err := Open(b, "new"); err != nil || !bytes.Equal(got, secret) {
			t.Errorf("temp file = %q, %v", got, err)
		}
		return crash
	}})
	if !errors.Is(err, crash) {
		t.Fatalf("changePassphrase = %v, want the injected failure", err)
	}
	if tmpSeen == "" || filepath.Dir(tmpSeen) != dir {
		t.Fatalf("temp file %q not in the vault's directory", tmpSeen)
	}
	got, err := Read(path, "old")
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("after interruption Read(old) = %q, %v", got, err)
	}
	assertNoTemp(t, dir)

	// A crash that leaves a stray temp file behind (no cleanup ran) must
	// not disturb the vault either.
	stray := filepath.Join(dir, ".device.vault.tmp-123")
	if err := os.WriteFile(stray, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ChangePassphrase(path, "old", "new", testWF); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(path, "new"); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Read(new) = %q, %v", got, err)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestWriteFileReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v")
	for _, content := range []string{"one", "two"} {
		if err := WriteFile(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("got %q, %v; want %q", got, err, content)
		}
	}
	if err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "dir"), []byte("x")); err == nil {
		t.Fatal("WriteFile into a missing directory succeeded")
	}
}

func FuzzOpen(f *testing.F) {
	file, err := Seal([]byte("seed"), "pass", 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(file)
	f.Add([]byte(ageIntro + "-> scrypt AAAA 2\nAAAA\n--- AAAA\n"))
	f.Add([]byte("age-encryption.org/v1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if wf, err := WorkFactor(b); err == nil && wf > 8 {
			return // keep each run cheap; the cap itself is tested above
		}
		plain, err := Open(b, "pass")
		if err != nil && plain != nil {
			t.Fatal("plaintext returned with an error")
		}
	})
}

// TestWorkFactorHook checks the hook inside a test build (every go test
// binary is one); e2e's TestReleaseIgnoresWorkFactorHook checks that a
// release binary ignores it.
func TestWorkFactorHook(t *testing.T) {
	if !TestHooks() {
		t.Fatal("a go test binary must be a test build")
	}
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvWorkFactor {
				return v
			}
			return ""
		}
	}
	for v, want := range map[string]int{"": DefaultWorkFactor, "12": 12, "1": MinTestWorkFactor, "99": MaxWorkFactor, "x": DefaultWorkFactor} {
		if got := NewWorkFactor(env(v)); got != want {
			t.Errorf("NewWorkFactor(%q) = %d, want %d", v, got, want)
		}
	}
	if got := UnlockFloor(env("")); got != MinWorkFactor {
		t.Errorf("UnlockFloor unset = %d, want %d", got, MinWorkFactor)
	}
	if got := UnlockFloor(env("12")); got != 12 {
		t.Errorf("UnlockFloor(12) = %d", got)
	}
}
