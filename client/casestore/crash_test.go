package casestore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const crashEnv = "SAFEREF_CASESTORE_CRASH" // path|hex data key|kill point

var crashEnvelope = [16]byte{0xcc, 0xcc}
var crashCase = [16]byte{0xca, 0x5e}

// crashChild runs in the child process: it applies one envelope that
// writes a case and about 2.5 MiB of entries (so that SQLite spills pages to
// the WAL before commit), and kills itself with SIGKILL at the given
// point: 1 after the case row, 2 after half the entries, 3 after all of
// them (just before commit), 4 after commit.
func crashChild(spec string) {
	var path, keyHex string
	var point int
	for i, part := range strings.SplitN(spec, "|", 3) {
		switch i {
		case 0:
			path = part
		case 1:
			keyHex = part
		case 2:
			point, _ = strconv.Atoi(part)
		}
	}
	key, err := hex.DecodeString(keyHex)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad key:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	s, err := Open(ctx, path, key)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	die := func() {
		p, _ := os.FindProcess(os.Getpid())
		p.Kill()
		time.Sleep(time.Minute)
	}
	const entries = 160
	err = s.Apply(ctx, crashEnvelope, OutcomeStored, 1, func(tx *Tx) error {
		if err := tx.PutCase(ctx, &Case{ID: crashCase, Status: "circulated", Reference: "KMR-2026-0999",
			Organisations: [][16]byte{{1}}, Districts: []string{"Swale"}, Updated: time.Unix(10, 0)}); err != nil {
			return err
		}
		if point == 1 {
			die()
		}
		for i := range entries {
			if err := tx.AddEntry(ctx, &Entry{Envelope: [16]byte{0xee, byte(i)}, Case: crashCase, Kind: KindMessage,
				Direction: DirectionReceived, At: time.Unix(20, 0), Body: make([]byte, 16<<10)}); err != nil {
				return err
			}
			if point == 2 && i == entries/2 {
				die()
			}
		}
		if point == 3 {
			die()
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if point == 4 {
		die()
	}
	os.Exit(0)
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(crashEnv); spec != "" {
		crashChild(spec)
	}
	os.Exit(m.Run())
}

// TestCrashMidApply kills a process inside Apply's transaction at several
// points and checks that the store reopens consistent: the earlier case
// intact, the half-written one absent, the envelope not marked processed
// and so re-processable; and, when killed after commit, all of it there.
func TestCrashMidApply(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for point := 1; point <= 4; point++ {
		t.Run(strconv.Itoa(point), func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "cases.db")
			key := newKey(t)
			s, err := Open(ctx, path, key)
			if err != nil {
				t.Fatal(err)
			}
			before := [16]byte{0xbe}
			putCase(t, s, &Case{ID: before, Status: "closed", Reference: "KMR-2026-0001", Updated: time.Unix(5, 0)})
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%x|%d", crashEnv, path, key, point))
			out, err := cmd.CombinedOutput()
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != -1 {
				t.Fatalf("child was not killed: %v\n%s", err, out)
			}
			if _, err := os.Stat(path + "-wal"); err != nil {
				t.Fatalf("no WAL left by the killed process: %v", err)
			}
			s, err = Open(ctx, path, key)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var check string
			if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
				t.Fatalf("integrity check: %q, %v", check, err)
			}
			if c, err := s.Case(ctx, before); err != nil || c.Reference != "KMR-2026-0001" {
				t.Fatalf("earlier case: %+v, %v", c, err)
			}
			_, processed, err := s.Processed(ctx, crashEnvelope)
			if err != nil {
				t.Fatal(err)
			}
			c, caseErr := s.Case(ctx, crashCase)
			if point == 4 {
				es, err := s.Entries(ctx, crashCase)
				if !processed || caseErr != nil || c.Reference != "KMR-2026-0999" || err != nil || len(es) != 160 {
					t.Fatalf("after a crash past commit: processed=%v case=%v entries=%d", processed, caseErr, len(es))
				}
				return
			}
			if processed {
				t.Fatal("envelope marked processed by a transaction that never committed")
			}
			if !errors.Is(caseErr, ErrNoCase) {
				t.Fatalf("half-written case visible: %v", caseErr)
			}
			var n int
			if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM entries) + (SELECT count(*) FROM case_orgs) + (SELECT count(*) FROM case_districts)`).Scan(&n); err != nil || n != 0 {
				t.Fatalf("stray rows: %d, %v", n, err)
			}
			// The envelope can be processed again.
			if err := s.Apply(ctx, crashEnvelope, OutcomeStored, 2, func(tx *Tx) error {
				return tx.PutCase(ctx, &Case{ID: crashCase, Status: "circulated", Reference: "KMR-2026-0999", Updated: time.Unix(30, 0)})
			}); err != nil {
				t.Fatalf("re-process: %v", err)
			}
		})
	}
}
