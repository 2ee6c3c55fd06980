package casestore

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealColumnBinding(t *testing.T) {
	key := newKey(t)
	a, b := newID(t), newID(t)
	sealed, err := SealColumn(key, a, "entries.body", []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := OpenColumn(key, a, "entries.body", sealed); err != nil || string(pt) != "hello" {
		t.Fatalf("open = %q, %v", pt, err)
	}
	for name, try := range map[string]func() error{
		"other case":   func() error { _, err := OpenColumn(key, b, "entries.body", sealed); return err },
		"other column": func() error { _, err := OpenColumn(key, a, "cases.reference", sealed); return err },
		"other key":    func() error { _, err := OpenColumn(newKey(t), a, "entries.body", sealed); return err },
		"truncated":    func() error { _, err := OpenColumn(key, a, "entries.body", sealed[:20]); return err },
	} {
		if err := try(); !errors.Is(err, ErrSealed) {
			t.Errorf("%s: err = %v, want ErrSealed", name, err)
		}
	}
	for i := range sealed {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		if _, err := OpenColumn(key, a, "entries.body", c); !errors.Is(err, ErrSealed) {
			t.Fatalf("flip of byte %d: err = %v", i, err)
		}
	}
	again, _ := SealColumn(key, a, "entries.body", []byte("hello"))
	if bytes.Equal(again, sealed) {
		t.Fatal("two seals of the same value are equal: nonce not random")
	}
}

func TestWrapCaseKey(t *testing.T) {
	dk, ck := newKey(t), newKey(t)
	a, b := newID(t), newID(t)
	w, err := WrapCaseKey(dk, a, ck)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := UnwrapCaseKey(dk, a, w); err != nil || !bytes.Equal(got, ck) {
		t.Fatalf("unwrap = %x, %v", got, err)
	}
	if _, err := UnwrapCaseKey(dk, b, w); !errors.Is(err, ErrSealed) {
		t.Fatalf("unwrap for another case: %v", err)
	}
	short, _ := WrapCaseKey(dk, a, ck[:8])
	if _, err := UnwrapCaseKey(dk, a, short); !errors.Is(err, ErrSealed) {
		t.Fatalf("unwrap of a short key: %v", err)
	}
}

func FuzzOpenColumn(f *testing.F) {
	key := bytes.Repeat([]byte{7}, KeySize)
	var id [16]byte
	id[0] = 1
	good, err := SealColumn(key, id, "entries.body", []byte("seed"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, "entries.body")
	f.Add([]byte{}, "entries.body")
	f.Add(make([]byte, 40), "cases.reference")
	f.Fuzz(func(t *testing.T, sealed []byte, column string) {
		pt, err := OpenColumn(key, id, column, sealed)
		if err == nil && (column != "entries.body" || !bytes.Equal(pt, []byte("seed"))) {
			t.Fatalf("forged column opened: %q %q", column, pt)
		}
		if err != nil && !errors.Is(err, ErrSealed) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}

func FuzzUnwrapCaseKey(f *testing.F) {
	dk := bytes.Repeat([]byte{9}, KeySize)
	var id [16]byte
	good, err := WrapCaseKey(dk, id, bytes.Repeat([]byte{1}, KeySize))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, wrapped []byte) {
		k, err := UnwrapCaseKey(dk, id, wrapped)
		if err == nil && len(k) != KeySize {
			t.Fatalf("unwrapped a %d-byte key", len(k))
		}
	})
}
