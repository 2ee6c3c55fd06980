package protocol

import (
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.hex and the generated part of SPEC.md")

func vectorPath(t Type) string {
	return filepath.Join("testdata", strings.ToLower(t.String())+".hex")
}

// TestVectors pins the bytes of every frame type.
func TestVectors(t *testing.T) {
	frames := exampleFrames()
	if len(frames) != len(Types()) {
		t.Fatalf("%d example frames for %d types", len(frames), len(Types()))
	}
	for i, f := range frames {
		if f.FrameType() != Types()[i] {
			t.Fatalf("example %d is %v, want %v", i, f.FrameType(), Types()[i])
		}
		b, err := Encode(f)
		if err != nil {
			t.Fatalf("encode %v: %v", f.FrameType(), err)
		}
		path := vectorPath(f.FrameType())
		if *update {
			if err := os.WriteFile(path, []byte(hex.EncodeToString(b)+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read vector (run go test -update once): %v", err)
		}
		want, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%v encodes to\n%x\nwant (%s)\n%x", f.FrameType(), b, path, want)
		}
		got, err := Decode(want)
		if err != nil {
			t.Fatalf("decode %s: %v", path, err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Errorf("decode %s = %#v, want %#v", path, got, f)
		}
	}
}

// TestDecodeDoesNotAliasInput: a decoded frame keeps nothing of the bytes
// it was decoded from, so a reader may decode from a buffer it then reuses
// for the next frame (the relay does).
func TestDecodeDoesNotAliasInput(t *testing.T) {
	for _, f := range exampleFrames() {
		b, err := Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("decode %v: %v", f.FrameType(), err)
		}
		for i := range b {
			b[i] ^= 0xff
		}
		if !reflect.DeepEqual(got, f) {
			t.Errorf("%v changed when the bytes it was decoded from were overwritten: %#v", f.FrameType(), got)
		}
	}
}
