package atomicfile_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/saferef/saferef/internal/atomicfile"
)

func TestWriteReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := atomicfile.Write(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "new" {
		t.Fatalf("read back %q, %v; want new", got, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestWriteNewRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "scheme.json")
	if err := atomicfile.WriteNew(path, []byte("first"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := atomicfile.WriteNew(path, []byte("second"), 0o644)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second WriteNew: %v, want fs.ErrExist", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "first" {
		t.Errorf("existing file changed to %q", got)
	}
	assertOnlyFiles(t, dir, "scheme.json")
}

// TestInterruptedWriteKeepsOld stands for a crash just before the rename:
// the old contents stay and no temporary file is left.
func TestInterruptedWriteKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.age")
	if err := atomicfile.Write(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	crash := errors.New("power cut")
	w := atomicfile.Writer{BeforeRename: func(tmp string) error {
		got, err := os.ReadFile(tmp)
		if err != nil || !bytes.Equal(got, []byte("new")) {
			t.Errorf("temporary file holds %q, %v before rename", got, err)
		}
		return crash
	}}
	if err := w.Write(path, []byte("new")); !errors.Is(err, crash) {
		t.Fatalf("Write: %v, want the crash", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old" {
		t.Errorf("file holds %q after an interrupted write, want old", got)
	}
	assertOnlyFiles(t, dir, "vault.age")
}

func TestWriteMissingDirectory(t *testing.T) {
	err := atomicfile.Write(filepath.Join(t.TempDir(), "no", "such", "file"), []byte("x"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Write into a missing directory: %v, want fs.ErrNotExist", err)
	}
}

func assertOnlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != len(want) {
		t.Fatalf("directory holds %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("directory holds %v, want %v", names, want)
		}
	}
}

func ExampleWriter() {
	dir, _ := os.MkdirTemp("", "atomicfile")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "scheme.json")
	w := atomicfile.Writer{Perm: 0o644, Exclusive: true}
	_ = w.Write(path, []byte(`{"name":"Kent and Medway"}`))
	err := w.Write(path, []byte(`{"name":"someone else"}`))
	b, _ := os.ReadFile(path)
	fmt.Println(errors.Is(err, fs.ErrExist), string(b))
	// Output: true {"name":"Kent and Medway"}
}
