package sqlite_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/sqlite"
)

// killHelperEnv names the store file when the test binary runs as
// TestGroupCommitSurvivesKill's child.
const killHelperEnv = "SAFEREF_SQLITE_KILL_HELPER"

// TestGroupCommitSurvivesKill runs 32 writers putting envelopes through one
// store in a child process (so their puts share group commits) and prints
// each id as its PutEnvelope returns; it kills the child with SIGKILL
// mid-stream, reopens the file, and checks that every envelope whose put
// had returned is there: a put is acknowledged only once durable.
func TestGroupCommitSurvivesKill(t *testing.T) {
	if path := os.Getenv(killHelperEnv); path != "" {
		killHelper(path)
		return
	}
	path := filepath.Join(t.TempDir(), "relay.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestGroupCommitSurvivesKill$")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked [][16]byte
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 400 {
		b, err := hex.DecodeString(sc.Text())
		if err != nil || len(b) != 16 {
			continue
		}
		acked = append(acked, [16]byte(b))
	}
	cmd.Process.Signal(syscall.SIGKILL)
	// Ids printed before the kill landed are acknowledged too.
	for sc.Scan() {
		if b, err := hex.DecodeString(sc.Text()); err == nil && len(b) == 16 {
			acked = append(acked, [16]byte(b))
		}
	}
	cmd.Wait()
	if len(acked) < 400 {
		t.Fatalf("the child acknowledged only %d puts before it ended", len(acked))
	}
	s := openAt(t, path)
	for _, id := range acked {
		// A put of the same id again must be refused: it is stored.
		err := s.PutEnvelope(t.Context(), store.Envelope{ID: id, Mailbox: [16]byte{1}, Expiry: time.Now().Add(time.Hour), Body: []byte("x")}, nil, store.Quota{}, nil)
		if !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("envelope %x was acknowledged before the kill; putting it again gave %v, want ErrDuplicate (stored)", id, err)
		}
	}
}

// killHelper is the child: it puts envelopes from 32 goroutines until it is
// killed, printing each acknowledged id.
func killHelper(path string) {
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				var id, mailbox, device [16]byte
				rand.Read(id[:])
				rand.Read(mailbox[:])
				rand.Read(device[:])
				e := store.Envelope{ID: id, Mailbox: mailbox, Expiry: time.Now().Add(time.Hour), Body: make([]byte, 1024)}
				if err := s.PutEnvelope(context.Background(), e, [][16]byte{device}, store.Quota{MaxEnvelopes: 100}, nil); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintln(w, hex.EncodeToString(id[:]))
				w.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
