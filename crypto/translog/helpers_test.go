package translog

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// fixedReader returns an endless stream of one byte, for deterministic keys.
type fixedReader byte

func (r fixedReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

const testOrigin = "saferef-relay/0123456789abcdef"

// testKey returns a log key pair; seed 0 means random.
func testKey(t testing.TB, seed byte) (note.Signer, string) {
	t.Helper()
	var skey string
	var err error
	if seed == 0 {
		skey, _, err = GenerateKey(rand.Reader, testOrigin)
	} else {
		skey, _, err = GenerateKey(fixedReader(seed), testOrigin)
	}
	if err != nil {
		t.Fatal(err)
	}
	s, vkey, err := ParseSignerKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

// record returns the i-th test record.
func record(i int) []byte { return fmt.Appendf(nil, "record %d", i) }

// testLog returns a log holding n test records.
func testLog(t testing.TB, n int, seed byte) *Log {
	t.Helper()
	s, vkey := testKey(t, seed)
	l, err := NewLog(s, vkey)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		idx, err := l.Append(record(i))
		if err != nil || idx != int64(i) {
			t.Fatalf("append %d = %d, %v", i, idx, err)
		}
	}
	return l
}

func mustCheckpoint(t testing.TB, l *Log, size int64) []byte {
	t.Helper()
	cp, err := l.Checkpoint(size)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

func mustMonitor(t testing.TB, vkey string) *Monitor {
	t.Helper()
	m, err := NewMonitor(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// resign replaces a checkpoint's text and signs it again with s.
func resign(t testing.TB, s note.Signer, text string) []byte {
	t.Helper()
	b, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func textOf(raw []byte) string {
	i := bytes.Index(raw, []byte("\n\n"))
	return string(raw[:i+1])
}
