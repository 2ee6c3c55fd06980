package translog

import (
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/saferef/saferef/protocol"
)

var update = flag.Bool("update", false, "rewrite the test vectors in testdata/")

// vectorText renders the pinned byte formats: the log key, a checkpoint of
// seven records signed by the key from seed 32 × 0x42, and one
// inclusion and one consistency proof.
func vectorText(t *testing.T) map[string]string {
	l := testLog(t, 7, 0x42)
	cp := mustCheckpoint(t, l, 7)
	inc, err := l.ProveInclusion(3, 7)
	if err != nil {
		t.Fatal(err)
	}
	con, err := l.ProveConsistency(4, 7)
	if err != nil {
		t.Fatal(err)
	}
	var proofs strings.Builder
	fmt.Fprintf(&proofs, "# records are \"record 0\" .. \"record 6\"\n# inclusion of record 3 in size 7\n")
	for _, h := range inc {
		fmt.Fprintf(&proofs, "%s\n", hex.EncodeToString(h[:]))
	}
	fmt.Fprintf(&proofs, "# consistency of size 4 with size 7\n")
	for _, h := range con {
		fmt.Fprintf(&proofs, "%s\n", hex.EncodeToString(h[:]))
	}
	return map[string]string{
		"log-key.txt":    l.VerifierKey() + "\n",
		"checkpoint.txt": string(cp),
		"proofs.txt":     proofs.String(),
	}
}

// TestVectors pins the checkpoint and proof formats.
func TestVectors(t *testing.T) {
	for name, want := range vectorText(t) {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read vector (run go test -update once): %v", err)
		}
		if string(got) != want {
			t.Errorf("%s changed:\n%s\nwant\n%s", path, want, got)
		}
	}
	// The pinned checkpoint opens with the pinned key and the pinned
	// proofs verify against it.
	key, _ := os.ReadFile("testdata/log-key.txt")
	m := mustMonitor(t, strings.TrimSpace(string(key)))
	raw, _ := os.ReadFile("testdata/checkpoint.txt")
	cp, err := m.Update(raw, nil)
	if err != nil || cp.Size != 7 {
		t.Fatalf("pinned checkpoint: %v", err)
	}
	l := testLog(t, 7, 0x42)
	inc, _ := l.ProveInclusion(3, 7)
	if err := m.VerifyInclusion(3, record(3), inc); err != nil {
		t.Fatalf("pinned inclusion proof: %v", err)
	}
}

// TestLimitsMatchProtocol keeps the wire limits and this package's in step.
func TestLimitsMatchProtocol(t *testing.T) {
	if MaxCheckpointSize != protocol.MaxCheckpointSize || MaxProofHashes != protocol.MaxProofHashes {
		t.Fatalf("translog limits %d/%d, protocol %d/%d", MaxCheckpointSize, MaxProofHashes, protocol.MaxCheckpointSize, protocol.MaxProofHashes)
	}
}
