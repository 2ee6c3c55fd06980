package client

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/schemetest"
)

func TestParseConfig(t *testing.T) {
	good := &Config{Relay: "ws://127.0.0.1:8443", Device: strings.Repeat("0a", 16), Org: strings.Repeat("0b", 16), Name: "laptop"}
	b, err := good.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	if c.DeviceID() != (crypto.DeviceID{0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a}) {
		t.Fatalf("device id = %v", c.DeviceID())
	}
	for name, bad := range map[string]string{
		"insecure relay": `{"relay":"ws://relay.example.org","device":"` + good.Device + `","org":"` + good.Org + `","name":"x"}`,
		"bad device":     `{"relay":"wss://relay.example.org","device":"zz","org":"` + good.Org + `","name":"x"}`,
		"no name":        `{"relay":"wss://relay.example.org","device":"` + good.Device + `","org":"` + good.Org + `","name":""}`,
		"unknown field":  `{"relay":"wss://relay.example.org","device":"` + good.Device + `","org":"` + good.Org + `","name":"x","passphrase":"no"}`,
		"not json":       `relay=wss://x`,
	} {
		if _, err := ParseConfig([]byte(bad)); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"relay":"ws://127.0.0.1:8443","device":"0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a","org":"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b","name":"laptop","enrolled":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if err != nil {
			if !errors.Is(err, ErrBadConfig) {
				t.Fatalf("error not wrapped: %v", err)
			}
			return
		}
		if c.Name == "" || c.DeviceID() == (crypto.DeviceID{}) && c.Device != strings.Repeat("0", 32) {
			t.Fatalf("accepted config %+v", c)
		}
	})
}

func TestEnrolCreatesHome(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	schemeFile := schemetest.File(t)
	home := filepath.Join(dir, "home")
	opts := &EnrolOptions{Home: home, SchemeFile: schemeFile, Relay: "ws://127.0.0.1:1", Org: crypto.OrgID{4},
		Name: "laptop", Passphrase: "correct horse battery", WorkFactor: 10}
	e, err := Enrol(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(home)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("home mode = %v, %v", fi.Mode().Perm(), err)
	}
	for _, f := range []string{ConfigFile, SchemeFile, VaultFile, EnrolmentRequestFile} {
		if _, err := os.Stat(filepath.Join(home, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	cb, _ := os.ReadFile(filepath.Join(home, ConfigFile))
	if bytes.Contains(cb, []byte("correct horse")) {
		t.Fatal("config holds the passphrase")
	}
	if e.RequestPath != filepath.Join(home, EnrolmentRequestFile) {
		t.Fatalf("request path = %s", e.RequestPath)
	}
	if _, err := Enrol(ctx, opts); !errors.Is(err, ErrHomeExists) {
		t.Fatalf("second enrol: %v", err)
	}
	d, err := OpenHome(ctx, home, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.ID() != e.Device || d.Org() != (crypto.OrgID{4}) || d.Fingerprint() != e.Fingerprint {
		t.Fatalf("opened device %v %v", d.ID(), d.Org())
	}
	if _, err := OpenHome(ctx, filepath.Join(dir, "nothing"), "x"); !errors.Is(err, ErrNoHome) {
		t.Fatalf("open missing home: %v", err)
	}
}
