package guard

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCheck checks that Check never panics, is deterministic, and that
// every finding is a non-empty piece of the normalised field text, in
// order, and names its field and a known kind.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"", "ME4 6ZZ", "call +44 (0)7700 900412", "born 14/03/1991 or March 14, 1991",
		"Amira HADDAD at 14 Orchard Row", "j.okafor.safe@example.org", "GIR0AA", "14/03/91",
		"Perpetrator known to drive a blue van", "\xff\x00Ａｍｉｒａ", note4000(),
	} {
		f.Add(s)
	}
	kinds := map[string]bool{}
	for _, k := range Kinds() {
		kinds[k] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		fields := []Field{{Name: "a", Value: s}, {Name: "b", Value: strings.ToUpper(s)}}
		got := CheckAt(fields, amira(), today)
		if again := CheckAt(fields, amira(), today); !reflect.DeepEqual(got, again) {
			t.Fatalf("not deterministic: %v then %v", got, again)
		}
		norm := map[string]string{"a": normalise(s), "b": normalise(strings.ToUpper(s))}
		last := ""
		for _, fd := range got {
			if fd.Field < last {
				t.Fatalf("fields out of order: %v", got)
			}
			last = fd.Field
			if !kinds[fd.Kind] || fd.Match == "" || !utf8.ValidString(fd.Match) || !strings.Contains(norm[fd.Field], fd.Match) {
				t.Fatalf("bad finding %#v in %q", fd, norm[fd.Field])
			}
		}
	})
}
