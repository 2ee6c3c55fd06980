package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// checkCanonical reports whether b, already decoded successfully into a
// frame of body type body, is byte for byte what Encode writes for it: the
// outer map and the body in core deterministic CBOR (shortest heads, keys
// in bytewise order of their encodings), every key present and no other,
// and fixed-size byte strings of their exact length. It walks the bytes
// once, guided by the Go types, instead of encoding the frame again and
// comparing.
func checkCanonical(b []byte, body reflect.Type) error {
	w := walker{b: b, body: body}
	if err := w.value(wireFrameType); err != nil {
		return err
	}
	if w.off != len(b) {
		return errTrailing
	}
	return nil
}

var (
	wireFrameType  = reflect.TypeFor[wireFrame]()
	rawMessageType = reflect.TypeFor[frameBody]()
	errTrailing    = errors.New("bytes after the frame")
)

type walker struct {
	b    []byte
	off  int
	body reflect.Type // the frame's body type, for the outer "b" key
}

// head reads one item head, refusing any but the shortest form.
func (w *walker) head() (major byte, arg uint64, err error) {
	if w.off >= len(w.b) {
		return 0, 0, errNotCanonical
	}
	ib := w.b[w.off]
	w.off++
	major, ai := ib>>5, ib&0x1f
	var n int
	var min uint64
	switch {
	case ai < 24:
		return major, uint64(ai), nil
	case ai == 24:
		n, min = 1, 24
	case ai == 25:
		n, min = 2, 1<<8
	case ai == 26:
		n, min = 4, 1<<16
	case ai == 27:
		n, min = 8, 1<<32
	default:
		return 0, 0, errNotCanonical
	}
	if major == 7 || len(w.b)-w.off < n {
		return 0, 0, errNotCanonical // floats never appear in a frame
	}
	for _, c := range w.b[w.off : w.off+n] {
		arg = arg<<8 | uint64(c)
	}
	w.off += n
	if arg < min {
		return 0, 0, errNotCanonical
	}
	return major, arg, nil
}

// skip passes over n bytes of string content.
func (w *walker) skip(n uint64) error {
	if n > uint64(len(w.b)-w.off) {
		return errNotCanonical
	}
	w.off += int(n)
	return nil
}

func (w *walker) value(t reflect.Type) error {
	if t == rawMessageType {
		return w.value(w.body)
	}
	major, arg, err := w.head()
	if err != nil {
		return err
	}
	switch t.Kind() {
	case reflect.Bool:
		if major != 7 || (arg != 20 && arg != 21) {
			return errNotCanonical
		}
		return nil
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if major != 0 {
			return errNotCanonical
		}
		return nil
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if major != 0 && major != 1 {
			return errNotCanonical
		}
		return nil
	case reflect.String:
		if major != 3 {
			return errNotCanonical
		}
		return w.skip(arg)
	case reflect.Array:
		if t.Elem().Kind() != reflect.Uint8 || major != 2 || arg != uint64(t.Len()) {
			return errNotCanonical
		}
		return w.skip(arg)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if major != 2 {
				return errNotCanonical
			}
			return w.skip(arg)
		}
		if major != 4 {
			return errNotCanonical
		}
		for range arg {
			if err := w.value(t.Elem()); err != nil {
				return err
			}
		}
		return nil
	case reflect.Struct:
		fields := fieldsOf(t)
		if major != 5 || arg != uint64(len(fields.keys)) {
			return errNotCanonical
		}
		var prev []byte
		for range arg {
			start := w.off
			km, klen, err := w.head()
			if err != nil || km != 3 {
				return errNotCanonical
			}
			if err := w.skip(klen); err != nil {
				return err
			}
			key := w.b[start:w.off]
			if prev != nil && bytes.Compare(prev, key) >= 0 {
				return errNotCanonical
			}
			prev = key
			ft, ok := fields.keys[string(w.b[w.off-int(klen):w.off])]
			if !ok {
				return errNotCanonical
			}
			if err := w.value(ft); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("protocol: no canonical form for %v", t)
}

// structFields maps a struct's CBOR keys to their field types.
type structFields struct {
	keys map[string]reflect.Type
}

var fieldCache sync.Map // reflect.Type -> *structFields

func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{keys: make(map[string]reflect.Type)}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("cbor"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f.keys[name] = sf.Type
	}
	fieldCache.Store(t, f)
	return f
}
