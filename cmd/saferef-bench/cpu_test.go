package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestProcCPU(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, stat string
		want       time.Duration
		ok         bool
	}{
		// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
		{"plain", "4242 (saferef-server) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 17 0 0 20 0 9 0", 2670 * time.Millisecond, true},
		{"name with spaces and parentheses", "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0", 70 * time.Millisecond, true},
		{"truncated", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 3", 0, false},
		{"no name", "7 x R 1", 0, false},
		{"not a number", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 3 y 0 0", 0, false},
	} {
		path := filepath.Join(dir, "stat")
		if err := os.WriteFile(path, []byte(c.stat), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := procCPU(path)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%s: procCPU = %v, %v; want %v, ok %v", c.name, got, err, c.want, c.ok)
		}
	}
	if _, err := selfCPU(); err != nil {
		t.Errorf("selfCPU: %v", err)
	}
}
