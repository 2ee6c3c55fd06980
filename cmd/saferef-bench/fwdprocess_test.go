package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/saferef/saferef/crypto"
)

// TestOrgFileRoundTrip: the forwarder process gets exactly the devices and
// organisations of the scheme, and refuses a file it cannot read.
func TestOrgFileRoundTrip(t *testing.T) {
	want := map[crypto.DeviceID]crypto.OrgID{
		{1, 2, 3}: {9},
		{4, 5, 6}: {9},
		{7}:       {8, 8},
	}
	path := filepath.Join(t.TempDir(), "orgs")
	if err := writeOrgFile(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := readOrgFile(path)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"00 11\n", "zz" + string(make([]byte, 30)) + " 00\n", "0102\n"} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := readOrgFile(path); err == nil {
			t.Errorf("readOrgFile accepted %q", bad)
		}
	}
}
